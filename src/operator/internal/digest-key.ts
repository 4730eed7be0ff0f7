/**
 * The digest keyring's home: the Secret `azo-digest-key` in the operator's namespace (`POD_NAMESPACE`). The operator
 * creates it with one random 256-bit key the first time it starts, and reads it at every start. Its data:
 * `current` names the key new digests are made with; every other entry is a key (64 hex digits) by its id. Rotation
 * adds a key and points `current` at it; digests made with the older keys still check until those are removed.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeSecretData } from './credentials.js';
import type { DigestKeyring } from './digest.js';
import { KubeError, type KubeAccess } from './kube.js';
import { DIGEST_KEY_SECRET } from './names.js';

/**
 * Where the keyring came from. `persisted: false`: a key for this process only (digests will not survive a restart).
 */
export interface LoadedKeyring {
  keyring: DigestKeyring;
  persisted: boolean;
}

const keyIdPattern = /^[A-Za-z0-9_-]{1,63}$/;
const keyPattern = /^[0-9a-fA-F]{64,}$/;

/** A new random key id (`k` + 8 hex digits) and key. */
export function newDigestKey(random: (size: number) => Buffer = randomBytes): { id: string; key: Buffer } {
  return { id: `k${random(4).toString('hex')}`, key: random(32) };
}

/**
 * Parses the Secret's decoded data. Throws with what is wrong and how to fix it: a malformed keyring is never
 * replaced silently, because every digest made with it would then look unknown.
 */
export function parseDigestKeyring(data: Record<string, string>, where: string): DigestKeyring {
  const current = data['current']?.trim();
  const fix = `fix it, or delete it to have the operator create a new one (see docs/operator.md, "The digest key")`;
  if (current === undefined || current === '')
    throw new Error(`${where} has no 'current' entry naming the key to use; ${fix}`);
  const keys = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(data)) {
    if (id === 'current') continue;
    if (!keyIdPattern.test(id))
      throw new Error(`${where}: key id ${JSON.stringify(id)} may only use letters, digits, '-' and '_'; ${fix}`);
    if (!keyPattern.test(value.trim()))
      throw new Error(`${where}: key ${JSON.stringify(id)} must be at least 64 hex digits (256 bits); ${fix}`);
    keys.set(id, Buffer.from(value.trim(), 'hex'));
  }
  if (!keys.has(current))
    throw new Error(`${where}: 'current' names key ${JSON.stringify(current)}, which it does not contain; ${fix}`);
  return { current, keys };
}

/**
 * Reads the keyring, creating the Secret when it does not exist. In a cluster the operator's namespace exists (the
 * operator runs in it); run outside one (against `azo apiserver`, say) the namespace is created too when allowed.
 * Where nothing can be stored, the key lives only as long as the process, with a warning.
 */
export async function loadDigestKeyring(kube: KubeAccess, namespace: string, logger: Logger): Promise<LoadedKeyring> {
  const where = `Secret ${namespace}/${DIGEST_KEY_SECRET}`;
  let namespaceCreated = false;
  for (let attempt = 0; attempt < 4; attempt++) {
    const existing = await kube.getSecret(namespace, DIGEST_KEY_SECRET, { fresh: true });
    if (existing !== undefined)
      return { keyring: parseDigestKeyring(decodeSecretData(existing), where), persisted: true };
    const { id, key } = newDigestKey();
    try {
      await kube.createSecret(namespace, {
        metadata: { name: DIGEST_KEY_SECRET, namespace, labels: { 'app.kubernetes.io/managed-by': 'azo-operator' } },
        type: 'Opaque',
        stringData: { current: id, [id]: key.toString('hex') },
      });
      logger.info({ secret: where, keyId: id }, 'created the digest key');
      return { keyring: { current: id, keys: new Map([[id, key]]) }, persisted: true };
    } catch (error) {
      if (error instanceof KubeError && error.statusCode === 409) continue; // another replica created it: read theirs
      if (error instanceof KubeError && error.statusCode === 404 && !namespaceCreated) {
        namespaceCreated = true;
        if (await createNamespace(kube, namespace, logger)) continue;
      }
      if (error instanceof KubeError && (error.statusCode === 404 || error.statusCode === 403)) {
        logger.warn(
          { secret: where, error: error.message },
          'cannot store the digest key; using a key for this process only: after a restart, resources whose body ' +
            'carries write-only values (passwords) are written once more',
        );
        return { keyring: { current: id, keys: new Map([[id, key]]) }, persisted: false };
      }
      throw error;
    }
  }
  throw new Error(`${where} could not be read or created`);
}

/** Creates the operator's namespace (409: someone else just did). false when not allowed or not possible. */
async function createNamespace(kube: KubeAccess, namespace: string, logger: Logger): Promise<boolean> {
  try {
    await kube.createNamespace(namespace, { 'app.kubernetes.io/managed-by': 'azo-operator' });
    logger.info({ namespace }, 'created the operator namespace to keep the digest key in');
    return true;
  } catch (error) {
    if (error instanceof KubeError && error.statusCode === 409) return true;
    logger.debug({ namespace, error: (error as Error).message }, 'could not create the operator namespace');
    return false;
  }
}
