/** JSON merge patch (RFC 7386): objects merge recursively, `null` deletes a key, anything else replaces. */
import { cloneJson, isObject, setOwn } from './json.js';

/** Applies an RFC 7386 merge patch; returns a new value and leaves both inputs untouched. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeOwned(cloneJson(target), patch);
}

/** Merges `patch` into `target`, which the caller owns (it may be mutated). */
function mergeOwned(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergeOwned(result[key], value));
  }
  return result;
}
