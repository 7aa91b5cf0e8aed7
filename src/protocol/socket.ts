/** Constants of the two socket streams (docs/protocol.md, "Sockets: common rules"). */

/** The subprotocol a client offers (beside `bearer.<token>`) and the server echoes. */
export const SOCKET_PROTOCOL = "chat.v1";
/** These exact bytes, so the runtime's auto-response answers them without waking the object. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Close codes the server uses; the first two mean "do not reconnect". */
export const CLOSE_CODES = {
  sessionRevoked: 4401,
  notAMember: 4403,
  heartbeatTimeout: 4408,
  /** The client kept sending after `rate_limited` (more than four bursts of frames other than sends refused in one window). */
  tooManyFrames: 4429,
  lostState: 1011,
} as const;
