export { EncryptedChannel, type GroupMember, type PendingCommit, type Received } from "./channel";
export { SealedContent, SealedFile, changeOf, openContent, sealContent } from "./content";
export { SEALED_TYPE, openFile, sealFile, type SealedBytes } from "./file-crypto";
export { MlsDevice } from "./device";
export { E2eeSession, type E2eeTransport } from "./session";
export { MemoryStore, type MlsStore } from "./store";
export { EncryptedIdbStore } from "./encrypted-store";
