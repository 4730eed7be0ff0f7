/**
 * The generator: reads Azure's type definitions (bicep-types-az) and ASO's generator config, with the project's
 * codegen.config.yaml of wanted kinds, and writes the resource model, the CRDs and TypeScript declarations under
 * `generated/`. A list of named pure stages; only the first reads and only the last writes files. Also renders CRDs
 * from models at run time (`renderCrd`) and selects kinds by ASO's `crdPattern` syntax.
 */
export { stages, runStages, generate, initialState } from './internal/pipeline.js';
export type {
  GeneratorOptions,
  GeneratorState,
  Stage,
  KindWork,
  KindRequest,
  CodegenConfig,
  KindOverride,
} from './internal/state.js';
export {
  renderCrd,
  crdNameOf,
  pluralOf,
  matchesCrdPattern,
  objectSchemaOf,
  toJsonSchema,
  printerColumns,
} from './internal/render/crd.js';
export type { JsonSchemaProps, RenderCrdOptions } from './internal/render/crd.js';
export { crdYaml } from './internal/stages/render-crds.js';
export { obsoleteSpelling } from './internal/stages/render-models.js';
export { renderKindsRbac, kindsClusterRoleName } from './internal/render/kinds-rbac.js';
export { renderKindTypes } from './internal/render/types.js';
