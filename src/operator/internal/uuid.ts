/** RFC 4122 version-5 UUIDs (SHA-1, name-based): stable names derived from an object's identity. */
import { createHash } from 'node:crypto';

/** The namespace UUID azo uses for generated Azure names. */
export const AZO_NAME_NAMESPACE = '9c2b6f4e-3d0a-5b7e-8f11-2a4c6e8b0d13';

/** UUIDv5 of `name` in `namespace` (a UUID string). */
export function uuidV5(name: string, namespace: string = AZO_NAME_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
