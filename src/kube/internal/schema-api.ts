/**
 * The one place kube-core imports kube-schema's pure functions from (schema pruning/defaulting/validation and
 * patch algorithms). Patch algorithms come from local stand-ins (`fallback.ts`) until `internal/patch` lands.
 */
export type { JSONSchemaProps, FieldCause } from './schema/index.js';
export {
  checkStructuralSchema,
  pruneUnknownFields,
  pruneValue,
  applyDefaults,
  validateValue,
  parseJsonDetectingDuplicates,
  builtinSchemas,
  objectMetaSchema,
  findCelValidations,
  celNotEvaluatedWarning,
} from './schema/index.js';
export type { ManagedFieldsEntry, FieldManagerConflict } from './fallback.js';
export { PatchError, applyMergePatch, applyJsonPatch, applyStrategicMergePatch, serverSideApply, recordUpdate } from './fallback.js';

/** True once kube-schema's functions are in use (tests of schema behaviour depend on it). */
export const schemaSupport = true;
