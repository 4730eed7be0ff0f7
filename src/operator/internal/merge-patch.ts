/** JSON merge patches (RFC 7386) computed from two values, so status writes send only what changed. */

/** The merge patch turning `before` into `after`; undefined when they are equal. Arrays are replaced whole. */
export function createMergePatch(before: unknown, after: unknown): unknown {
  if (isRecord(before) && isRecord(after)) {
    const patch: Record<string, unknown> = {};
    for (const key of Object.keys(before)) if (!(key in after) || after[key] === undefined) patch[key] = null;
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) continue;
      const child = createMergePatch(before[key], value);
      if (child !== undefined) patch[key] = child;
    }
    return Object.keys(patch).length === 0 ? undefined : patch;
  }
  return deepEqual(before, after) ? undefined : after;
}

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isRecord(a) && isRecord(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
