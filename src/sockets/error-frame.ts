import type { AppError } from "../errors";
import type { ChannelServerFrame } from "../protocol";

type ErrorFrame = Extract<ChannelServerFrame, { type: "error" }>;

/** The `error` frame of both streams: the error object, plus what the refused frame named (undefined fields are left out). */
export function errorFrame(err: AppError, about: { clientMsgId?: string; seq?: number } = {}): string {
  const frame: ErrorFrame = { type: "error", ...err.toBody(), clientMsgId: about.clientMsgId, seq: about.seq };
  return JSON.stringify(frame);
}
