/**
 * connecting: no usable socket yet (first connect or reconnecting);
 * open: welcome received, frames flow;
 * closed: closed by the client, or by the server for good (4401, 4403).
 */
export type ConnectionStatus = "connecting" | "open" | "closed";
