/**
 * The generator's state, passed from stage to stage. Each stage is pure (`run(state) → state`); only the first
 * stage reads files and only the last writes them.
 */
import type { KindModel, SchemaNode } from '../../model/index.js';

/** One bicep-types entry, as stored in a `types.json` file (`{"$type": "ObjectType", ...}`). */
export interface RawType {
  $type: string;
  [key: string]: unknown;
}

/** A project override for one kind (see codegen.config.yaml). */
export interface KindOverride {
  reason: string;
  /** Keep ARM's `properties` envelope as `spec.properties`. */
  flatten?: boolean;
  /** false: serve `azureName` although the type fixes the resource's name (ASO does for some kinds). */
  fixedName?: boolean;
  /** ARM body paths (`properties.subnet.id`, `[]` for array items) that hold ARM IDs of other resources. */
  references?: string[];
  /** ARM body paths that are plain values although a heuristic or ASO's config makes them references. */
  notReferences?: string[];
  /** ARM body paths that are secret inputs. */
  secrets?: string[];
  /** ARM body paths readable from a ConfigMap (`…FromConfig`). */
  configMapInputs?: string[];
  /** ARM body path → extra enum values the spec accepts (values an extension hook maps to Azure's own). */
  enumAdditions?: Record<string, string[]>;
  /** ARM body path → the enum ASO serves there, replacing the type's (another api-version's spelling). */
  enumValues?: Record<string, string[]>;
  /** ARM body path → Kubernetes name. */
  renames?: Record<string, string>;
  /**
   * ARM body paths of nested `properties` envelopes that spec and status keep instead of flattening (Swagger does
   * not mark them `x-ms-client-flatten`); `<*>` stands for every variant of a union.
   */
  keepEnvelopes?: string[];
  /**
   * Properties a served version lacks in the type index's schema that ASO serves: each ARM body path is copied from
   * the index's `apiVersion` of the same ARM type, into each version of the kind that lacks it.
   */
  propertiesFrom?: { apiVersion: string; paths: string[] };
  /** Export name → source, for exports ASO lists but the type does not make obvious (e.g. `key1` from `listKeys`). */
  exports?: Record<string, { action?: string; path: string; secret?: boolean; from?: 'armId'; via?: string }>;
  /** Names of handwritten extension hooks. */
  hooks?: string[];
}

/** One wanted kind, from codegen.config.yaml. */
export interface KindRequest {
  /** Short group, e.g. `storage` (the Kubernetes group is `storage.azure.com`). */
  group: string;
  kind: string;
  armType: string;
  apiVersion: string;
  /** The type index's api-version whose schema serves `apiVersion` when the index lacks it (the nearest one). */
  schemaApiVersion?: string;
  override?: KindOverride;
}

/** The parsed codegen.config.yaml. */
export interface CodegenConfig {
  inputs: { azureTypes: string; asoConfig: string };
  kinds: KindRequest[];
  /** true: every kind and version ASO's config serves is generated too (`asoKinds: all`). */
  asoKinds?: boolean;
  /** The overrides, keyed `group/Kind` (each request also carries its own). */
  overrides?: Record<string, KindOverride>;
  /** Provider namespace → published api-versions the type index leaves out (it keeps the newest and ASO's). */
  publishedApiVersions?: Record<string, string[]>;
}

/** Where the generator reads and writes. */
export interface GeneratorOptions {
  /** The repository root; relative paths resolve against it. */
  repoRoot: string;
  /** Default `codegen.config.yaml`. */
  configPath: string;
  /** Overrides `inputs.azureTypes` of the config. */
  azureTypesDir?: string;
  /** Overrides `inputs.asoConfig` of the config. */
  asoConfigPath?: string;
  /** Default `generated`. */
  outDir: string;
  /** Where stage progress lines go (default: nowhere). */
  log?: (line: string) => void;
  /** Compute the output but do not write it. */
  dryRun?: boolean;
}

/** A kind on its way through the stages. */
export interface KindWork {
  request: KindRequest;
  /** The types.json file (relative to the azure-types dir) holding the kind's type. */
  typesFile: string;
  /** Index of the ResourceType in that file. */
  resourceIndex: number;
  /** The bicep ObjectType name of each object node in `model.body` (for ASO config matching); dropped on output. */
  typeNames: Map<SchemaNode, string>;
  /**
   * Nodes that must stay plain values (ASO `$referenceType: simple`, overrides): the reference heuristics skip them.
   */
  plainNodes: Set<SchemaNode>;
  /** ASO's `$azureGeneratedSecrets` and `$generatedConfigs` for this kind (names as ASO spells them). */
  asoExports: { secrets: string[]; configs: Record<string, string>; manualConfigs?: string[] };
  model: KindModel;
}

/** Everything the stages share. */
export interface GeneratorState {
  options: GeneratorOptions;
  config: CodegenConfig;
  /** azure-types INDEX.json: ARM type → api-version → file. */
  typeIndex: Record<string, Record<string, string>>;
  /** Loaded types.json files, by relative path. */
  typeFiles: Record<string, RawType[]>;
  /** ASO's azure-arm.yaml, parsed. */
  asoConfig: Record<string, unknown>;
  kinds: KindWork[];
  /** ASO kind-versions azo does not generate, with the reason (listed in SUMMARY.txt). */
  unserved?: Array<{ group: string; kind: string; apiVersion: string; reason: string }>;
  /** Output files: path relative to `outDir` → content. */
  files: Record<string, string>;
  /** Things a reviewer should know (fallbacks, collisions, unmatched config). */
  notes: string[];
}

/** One named, pure stage of the generator. */
export interface Stage {
  id: string;
  description: string;
  run(state: GeneratorState): GeneratorState | Promise<GeneratorState>;
  /** A count for the progress line, e.g. `42 kinds`. */
  summarize?(state: GeneratorState): string;
}

/** The do-not-edit header of every generated file. */
export function generatedHeader(commentPrefix: string): string {
  return (
    `${commentPrefix} Code generated by \`azo generate\` from Azure's type definitions (bicep-types-az) and ASO's ` +
    `azure-arm.yaml; see codegen.config.yaml. DO NOT EDIT.`
  );
}

/** The full Kubernetes group of a short group: `storage` → `storage.azure.com`. */
export function kubeGroup(group: string): string {
  return `${group}.azure.com`;
}
