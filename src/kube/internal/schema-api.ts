/**
 * The one place the API server core imports the pure schema functions (pruning, defaulting, validation, the
 * structural check, built-in schemas) and patch algorithms (merge, JSON, strategic merge, server-side apply and
 * managedFields) from.
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
  schemaValidatedBuiltins,
  objectMetaSchema,
  findCelValidations,
  celNotEvaluatedWarning,
} from './schema/index.js';
export type { ManagedFieldsEntry, FieldManagerConflict } from './patch/index.js';
export {
  PatchError,
  applyMergePatch,
  applyJsonPatch,
  applyStrategicMergePatch,
  listStrategiesOf,
  serverSideApply,
  recordUpdate,
  formatConflictMessage,
  conflictCause,
} from './patch/index.js';
