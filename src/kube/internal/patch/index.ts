/**
 * kube-patch: pure patch algorithms of the API server — JSON merge patch (RFC 7386), JSON patch (RFC 6902),
 * strategic merge patch for the built-in kinds, and server-side apply with field ownership (managedFields).
 * Every function returns a new value and never mutates its inputs; failures throw PatchError.
 */
export { PatchError, isPatchError } from './errors.js';
export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch, parsePointer } from './json-patch.js';
export {
  applyStrategicMergePatch,
  defaultListStrategies,
  listStrategiesOf,
  type ListStrategy,
} from './strategic-merge.js';
export type { ManagedFieldsEntry, FieldManagerConflict } from './managed-fields.js';
export { formatConflictMessage, conflictCause } from './managed-fields.js';
export { serverSideApply } from './apply.js';
export { recordUpdate } from './update.js';
export { fieldSetOf, toFieldsV1, fromFieldsV1, formatPath } from './field-set.js';
