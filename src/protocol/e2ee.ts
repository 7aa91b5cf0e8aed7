import * as v from "valibot";
import { AttachmentIdsSchema } from "./attachments";
import { ClientMsgIdSchema, DeviceSchema, HandleSchema, SeqSchema } from "./fields";

/**
 * End-to-end encrypted channels (MLS, RFC 9420; docs/protocol.md). The server
 * stores and orders MLS messages it cannot read; these are their shapes.
 */

/** MLS bytes on the wire: standard base64 of one TLS-encoded MLSMessage (RFC 9420 §6). */
export const MlsBytesSchema = v.pipe(
  v.string("must be base64 text"),
  v.regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"),
  v.minLength(4, "must not be empty"),
  v.maxLength(60_000, "must be at most 60000 characters"),
);

/** How many KeyPackages one device may hold on the server, besides its last-resort one. */
export const MAX_KEY_PACKAGES_PER_DEVICE = 100;

export const KeyPackagesBody = v.object({
  device: DeviceSchema,
  keyPackages: v.pipe(v.array(MlsBytesSchema), v.maxLength(MAX_KEY_PACKAGES_PER_DEVICE, `at most ${MAX_KEY_PACKAGES_PER_DEVICE} key packages`)),
  /** Handed out when the batch runs dry, and never consumed (RFC 9420 §16.8). */
  lastResort: v.optional(MlsBytesSchema),
});
/**
 * Whose KeyPackages to claim: a `handle`, or a `userId` (what a member reads
 * in the group's tree). `except` names devices already in the group, whose
 * KeyPackages stay unclaimed: how a member finds a user's new devices.
 */
export const ClaimKeyPackagesBody = v.pipe(
  v.object({
    handle: v.optional(HandleSchema),
    userId: v.optional(v.pipe(v.string("userId must be a string"), v.minLength(1, "userId must be 1 to 64 characters"), v.maxLength(64, "userId must be 1 to 64 characters"))),
    except: v.optional(v.pipe(v.array(DeviceSchema), v.maxLength(1000, "except names at most 1000 devices"))),
  }),
  v.check((b) => (b.handle === undefined) !== (b.userId === undefined), "give either handle or userId"),
);

export const ClaimedKeyPackageSchema = v.object({ device: v.string(), keyPackage: v.string(), lastResort: v.optional(v.literal(true)) });
export type ClaimedKeyPackage = v.InferOutput<typeof ClaimedKeyPackageSchema>;
export const ClaimKeyPackagesResponse = v.object({ userId: v.string(), keyPackages: v.array(ClaimedKeyPackageSchema) });
export const KeyPackagesPublishedResponse = v.object({ device: v.string(), count: v.number() });
export const KeyPackageCountResponse = v.object({ device: v.string(), count: v.number(), lastResort: v.boolean() });

/** A Welcome for devices added to an encrypted channel, kept by each new member's UserHub. */
export const MlsWelcomeSchema = v.object({ channelId: v.string(), seq: v.number(), epoch: v.number(), welcome: v.string(), createdAt: v.number() });
export type MlsWelcome = v.InferOutput<typeof MlsWelcomeSchema>;
export const WelcomesResponse = v.object({ welcomes: v.array(MlsWelcomeSchema) });

/** One MLS message, as a channel socket frame (`type: "mls"`) or the body of `POST /channels/:id/mls`. */
const mlsSendFields = {
  clientMsgId: ClientMsgIdSchema,
  data: MlsBytesSchema,
  /** The Welcome of a commit that adds devices: delivered to each added user's UserHub. */
  welcome: v.optional(MlsBytesSchema),
  /** An application message that edits, deletes or reacts to seq N: not unread, and the server learns only N. */
  changeOf: v.optional(v.pipe(SeqSchema, v.minValue(1))),
  /**
   * The sender's uploads of encrypted files this application message carries
   * (their keys are inside the ciphertext), tied to it as in a plaintext send.
   */
  attachments: v.optional(AttachmentIdsSchema),
  /** With `changeOf: N` of one's own message: it is deleted, so the server may drop N's files (and learns it was a delete). */
  dropAttachments: v.optional(v.literal(true, "dropAttachments must be true")),
};
export const MlsSendBody = v.object(mlsSendFields);
export const MlsSendFrame = v.object({ type: v.literal("mls"), ...mlsSendFields });
export type MlsSendInput = v.InferOutput<typeof MlsSendBody>;

/** What a stored message carries in an encrypted channel instead of a body. */
export const MlsPartSchema = v.object({
  kind: v.picklist(["application", "commit", "proposal"]),
  /** The MLS epoch the message was sent in; a commit moves the channel to epoch + 1. */
  epoch: v.number(),
  data: v.string(),
  changeOf: v.optional(v.number()),
});
export type MlsPart = v.InferOutput<typeof MlsPartSchema>;

/** The device leaves the room holds: which MLS leaf is which user's device. */
export const MlsLeafSchema = v.object({
  leaf: v.number(),
  userId: v.string(),
  device: v.string(),
  /** Seq of the Remove proposal by which this device asked to leave: any member's next commit may remove it. */
  leaving: v.optional(v.number()),
});
export type MlsLeaf = v.InferOutput<typeof MlsLeafSchema>;
export const MlsGroupResponse = v.object({ epoch: v.number(), leaves: v.array(MlsLeafSchema) });

/**
 * The identity in a device's MLS basic credential: its user id and device,
 * which the server checks against the session that publishes the KeyPackage,
 * and which clients check in `validateCredential`.
 */
const IdentitySchema = v.tuple([v.pipe(v.string(), v.minLength(1), v.maxLength(64)), DeviceSchema]);

export function mlsIdentity(userId: string, device: string): string {
  return JSON.stringify([userId, device]);
}

export function parseMlsIdentity(identity: string): { userId: string; device: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(identity);
  } catch {
    return undefined;
  }
  const r = v.safeParse(IdentitySchema, json);
  return r.success ? { userId: r.output[0], device: r.output[1] } : undefined;
}
