import {
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type ClientConfig,
  type Credential,
  type KeyPackage,
  type PrivateKeyPackage,
  type Welcome,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { makeKeyPackageRef } from "ts-mls/keyPackage.js";
import { mlsIdentity, parseMlsIdentity } from "../../protocol";
import { CIPHERSUITE, fromBase64, toBase64 } from "../../mls/bytes";
import type { MlsStore } from "./store";

interface StoredKeyPackage {
  publicPackage: string;
  initPrivateKey: string;
  hpkePrivateKey: string;
  lastResort: boolean;
}

const IDENTITY_KEY = "identity";
const KP_PREFIX = "kp:";

/**
 * One device's MLS identity: a basic credential naming its user and device
 * (which the server checks when it publishes KeyPackages), one signature key
 * for every channel (so its safety code is the same everywhere), and the
 * private halves of the KeyPackages it published.
 */
export class MlsDevice {
  private constructor(
    readonly userId: string,
    readonly device: string,
    readonly impl: CiphersuiteImpl,
    readonly signature: { signKey: Uint8Array; publicKey: Uint8Array },
    readonly store: MlsStore,
    readonly config: ClientConfig,
  ) {}

  static async open(userId: string, device: string, store: MlsStore): Promise<MlsDevice> {
    const impl = await getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE));
    let saved = await store.get(IDENTITY_KEY);
    if (!saved) {
      const keys = await impl.signature.keygen();
      saved = new TextEncoder().encode(JSON.stringify({ signKey: toBase64(keys.signKey), publicKey: toBase64(keys.publicKey) }));
      await store.set(IDENTITY_KEY, saved);
    }
    const parsed = JSON.parse(new TextDecoder().decode(saved)) as { signKey: string; publicKey: string };
    const signature = { signKey: fromBase64(parsed.signKey), publicKey: fromBase64(parsed.publicKey) };
    return new MlsDevice(userId, device, impl, signature, store, credentialCheckingConfig());
  }

  get credential(): Credential {
    return { credentialType: "basic", identity: new TextEncoder().encode(mlsIdentity(this.userId, this.device)) };
  }

  /** A batch of KeyPackages (and a last-resort one) to publish, their private halves kept in the store. */
  async newKeyPackages(count: number, withLastResort = false): Promise<{ keyPackages: string[]; lastResort?: string }> {
    const keyPackages: string[] = [];
    for (let i = 0; i < count; i++) keyPackages.push(await this.newKeyPackage(false));
    return withLastResort ? { keyPackages, lastResort: await this.newKeyPackage(true) } : { keyPackages };
  }

  /** A KeyPackage kept nowhere: the creator's own leaf of a new group. */
  freshKeyPackage(): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }> {
    return generateKeyPackageWithKey(this.credential, defaultCapabilities(), defaultLifetime, [], this.signature, this.impl);
  }

  private async newKeyPackage(lastResort: boolean): Promise<string> {
    const { publicPackage, privatePackage } = await this.freshKeyPackage();
    const encoded = toBase64(encodeMlsMessage({ keyPackage: publicPackage, wireformat: "mls_key_package", version: "mls10" }));
    const stored: StoredKeyPackage = {
      publicPackage: encoded,
      initPrivateKey: toBase64(privatePackage.initPrivateKey),
      hpkePrivateKey: toBase64(privatePackage.hpkePrivateKey),
      lastResort,
    };
    await this.store.set(KP_PREFIX + (await this.refOf(publicPackage)), new TextEncoder().encode(JSON.stringify(stored)));
    return encoded;
  }

  /** The KeyPackage of this device that a Welcome was made for, if it still holds it. */
  async keyPackageFor(welcome: Welcome): Promise<{ ref: string; publicPackage: KeyPackage; privatePackage: PrivateKeyPackage; lastResort: boolean } | undefined> {
    for (const secret of welcome.secrets) {
      const ref = toBase64(secret.newMember).replace(/[+/=]/g, (c) => ({ "+": "-", "/": "_", "=": "" })[c]!);
      const saved = await this.store.get(KP_PREFIX + ref);
      if (!saved) continue;
      const s = JSON.parse(new TextDecoder().decode(saved)) as StoredKeyPackage;
      const decoded = decodeMlsMessage(fromBase64(s.publicPackage), 0)?.[0];
      if (decoded?.wireformat !== "mls_key_package") continue;
      const privatePackage = { initPrivateKey: fromBase64(s.initPrivateKey), hpkePrivateKey: fromBase64(s.hpkePrivateKey), signaturePrivateKey: this.signature.signKey };
      return { ref, publicPackage: decoded.keyPackage, privatePackage, lastResort: s.lastResort };
    }
    return undefined;
  }

  /** A KeyPackage used to join is spent (RFC 9420 §16.8), unless it is the last-resort one. */
  async spend(ref: string, lastResort: boolean): Promise<void> {
    if (!lastResort) await this.store.delete(KP_PREFIX + ref);
  }

  private async refOf(kp: KeyPackage): Promise<string> {
    return toBase64(await makeKeyPackageRef(kp, this.impl.hash)).replace(/[+/=]/g, (c) => ({ "+": "-", "/": "_", "=": "" })[c]!);
  }
}

/**
 * ts-mls accepts any credential by default. Here a credential must be a
 * basic one naming a user and device in this service's form; the server
 * vouched for that binding when the device published its KeyPackage, and the
 * safety code lets people check the signature key out of band.
 */
function credentialCheckingConfig(): ClientConfig {
  return {
    ...defaultClientConfig,
    authService: {
      async validateCredential(credential: Credential) {
        return credential.credentialType === "basic" && parseMlsIdentity(new TextDecoder().decode(credential.identity)) !== undefined;
      },
    },
  };
}
