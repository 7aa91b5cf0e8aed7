export * from "./limits";
export * from "./objects";
export * from "./fields";
export * from "./http";
export * from "./channel-frames";
export * from "./inbox-frames";
export * from "./attachments";
export * from "./preview";
