export { PushEncryptionError, sendWebPush, type PushOptions, type PushResult, type PushTarget } from "./send";
export { checkPushEndpoint } from "./endpoint";
export { pushPayload, type PushPayload } from "./payload";
export { generateVapidKeys, type VapidKeys } from "./keys";
export { checkPushKeys } from "./subscription-keys";
export { pushTopic } from "./topic";
