/**
 * kube-schema: pure functions the API server uses for Kubernetes schema semantics — strict JSON decoding with
 * duplicate-field detection, pruning of unknown fields, defaulting, value validation with Kubernetes' messages, the
 * structural-schema check of CRDs, and hand-written schemas of the built-in kinds (ObjectMeta included).
 * Order for a custom-resource write: parse → prune → default → validate → store.
 */
export type { JSONSchemaProps, FieldCause } from './types.js';
export { parseJsonDetectingDuplicates } from './json-parse.js';
export { pruneUnknownFields, pruneValue } from './prune.js';
export { applyDefaults } from './defaults.js';
export { validateValue } from './validate.js';
export { checkStructuralSchema } from './structural.js';
export { objectMetaSchema, ownerReferenceSchema, managedFieldsEntrySchema } from './object-meta.js';
export { builtinSchemas, schemaValidatedBuiltins } from './builtins.js';
export { findCelValidations, celNotEvaluatedWarning } from './cel.js';
export { unknownSchemaFields } from './schema-keywords.js';
export { matchesFormat, knownFormats } from './formats.js';
