import * as v from "valibot";
import { MlsWelcomeSchema } from "./e2ee";
import { ErrorBodySchema } from "./errors";
import { ChannelSchema, PresenceSchema, SummarySchema, UserSchema } from "./objects";

/** Frames a client sends on its inbox socket. */
export const InboxClientFrame = v.variant("type", [v.object({ type: v.literal("ping") })]);
export type InboxClientFrame = v.InferOutput<typeof InboxClientFrame>;

/** Frames the server sends on an inbox socket. */
export const InboxServerFrame = v.variant("type", [
  v.object({ type: v.literal("welcome"), user: UserSchema, channels: v.array(SummarySchema) }),
  v.object({ type: v.literal("summary"), summary: SummarySchema }),
  v.object({ type: v.literal("presence"), presence: PresenceSchema }),
  v.object({ type: v.literal("channel"), event: v.picklist(["added", "removed"]), channel: ChannelSchema }),
  v.object({ type: v.literal("pong") }),
  /** This user was added to an encrypted channel: the Welcome its devices join with. */
  v.object({ type: v.literal("mls_welcome"), welcome: MlsWelcomeSchema }),
  /** A device of this user published its first KeyPackages: this user's devices in encrypted channels add it. */
  v.object({ type: v.literal("mls_device"), device: v.string() }),
  v.object({ type: v.literal("error"), ...ErrorBodySchema.entries }),
]);
export type InboxServerFrame = v.InferOutput<typeof InboxServerFrame>;
