/**
 * The shape of the generated resource model. One `KindModel` per group/kind/api-version, written by `codegen`
 * under `generated/model/` and read by the CRD renderer, the operator's conversions and the emulator's validation.
 *
 * The model stores the **ARM body** schema (as Azure sends and receives it, with the `properties` envelope) plus
 * flags; the Kubernetes spec and status shapes (ASO's flattening, `azureName`, `owner`, `…Reference`, secret and
 * configmap inputs) are derived from it by generic code in this module, never stored twice.
 */

/** Where a resource lives in ARM. `extension` resources sit under any other resource's ID (`/providers/...`). */
export type ArmScope = 'tenant' | 'subscription' | 'resourceGroup' | 'extension';

/** The API a hand-written (non-ARM) kind is reconciled against. */
export type HandcraftedApi = 'graph' | 'postgresql' | 'mysql' | 'sqlserver';

/** One node of an ARM body schema. Absent keys mean "no constraint". */
export interface SchemaNode {
  type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'any';
  description?: string;
  /** object: named properties. */
  properties?: Record<string, SchemaNode>;
  /** object: names of required properties (Azure's Required flag). */
  required?: string[];
  /** object: a map whose values have this schema (e.g. `tags`). */
  additionalProperties?: SchemaNode;
  /** array: the item schema. */
  items?: SchemaNode;
  /** string: allowed values (ARM compares them case-insensitively). */
  enum?: string[];
  /**
   * true when Azure also accepts values outside `enum` (the type's union includes a plain string, Swagger's
   * `modelAsString`). The CRD still lists `enum` (as ASO does); the emulator should accept other values.
   */
  extensibleEnum?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  /** Returned by Azure, never sent: status only. */
  readOnly?: boolean;
  /** Sent, never returned (e.g. passwords): compared only when the user changes it. */
  writeOnly?: boolean;
  /** A secret input: in spec a `{name, key}` SecretReference whose value is read from a Kubernetes Secret. */
  secret?: boolean;
  /** An ARM ID of another resource: in spec `<name>Reference: {armId} | {group, kind, name}`. */
  reference?: boolean;
  /** With `reference`: the reference may also be `{wellKnownName}` (e.g. a built-in role name; ASO `arm+wellknown`). */
  wellKnownReference?: boolean;
  /** May also be read from a ConfigMap: spec gains `<name>FromConfig: {name, key}`. */
  configMapInput?: boolean;
  /** The Kubernetes (spec/status) name when it differs from the ARM name. */
  kubeName?: string;
  /**
   * false on a nested `properties` envelope that spec and status keep as a property instead of flattening it into
   * its parent: ASO flattens only envelopes Swagger marks `x-ms-client-flatten`, which the type index drops, so the
   * config names the unmarked ones (an ML compute type's own `properties`). Absent → flattened.
   */
  flatten?: boolean;
  /** object: a discriminated union on `discriminator.property`; each value adds the listed properties. */
  discriminator?: { property: string; variants: Record<string, SchemaNode> };
}

/** A value that `operatorSpec.secrets`/`configMaps` can export, and where it comes from. */
export interface ExportSource {
  /** The name under `operatorSpec.secrets` or `operatorSpec.configMaps`, e.g. `key1`, `principalId`. */
  name: string;
  /**
   * `status`: a path into the ARM GET body; `action`: a POST action's response (e.g. `listKeys`); `armId`: a part
   * of the resource's parsed ARM ID (`subscriptionId`, `resourceGroupName`); `linked`: a path in another resource
   * the GET body names (see `via`).
   */
  from: 'status' | 'action' | 'armId' | 'linked';
  /** For `status`: dotted ARM body path (`properties.principalId`); for `action`: JSON path in the response. */
  path: string;
  /** For `action`: the action name, e.g. `listKeys`. */
  action?: string;
  /**
   * For `linked`: the dotted path in the GET body of the ARM ID of another resource, read (GET, at this kind's
   * api-version) for `path` — a private endpoint's network interface holds its IP address (ASO `$manualConfigs`).
   */
  via?: string;
  /** true → only under `operatorSpec.secrets`; false → only under `operatorSpec.configMaps`. */
  secret: boolean;
}

/** The generated model of one kind at one API version. */
export interface KindModel {
  /** Kubernetes API group, e.g. `storage.azure.com`. */
  group: string;
  /** Kubernetes kind, e.g. `StorageAccount`. */
  kind: string;
  /** Served CRD versions, newest spelling first, e.g. `["v20230101", "v1api20230101"]`. */
  versions: string[];
  /** ARM resource type, e.g. `Microsoft.Storage/storageAccounts` (children: `…/storageAccounts/blobServices`). */
  armType: string;
  /** ARM api-version, e.g. `2023-01-01`. */
  apiVersion: string;
  /**
   * The type index's api-version whose schema this version uses, when the index lacks `apiVersion` (the nearest
   * one; listed in SUMMARY.txt). Absent → the schema is `apiVersion`'s own.
   */
  schemaApiVersion?: string;
  /**
   * false for a version that is not the kind's hub (storage) version. The hub is the newest GA api-version the kind
   * serves (else its newest preview); objects are stored, reconciled and sent to Azure at the hub. Absent → hub.
   */
  hub?: boolean;
  /** On the hub of a kind with several versions: every api-version the kind serves, sorted. */
  servedApiVersions?: string[];
  scope: ArmScope;
  /**
   * The owner kind(s): the parent kind for child resources, `resources.azure.com/ResourceGroup` for
   * resource-group resources, none for subscription/tenant resources, `*` (any kind) for extension resources.
   */
  owners: Array<{ group: string; kind: string } | '*'>;
  /** The ARM body schema (id/name/type and every property Azure knows, with flags). */
  body: SchemaNode;
  /** Fixed name (e.g. `default` for storage services); absent → `spec.azureName` (default `metadata.name`). */
  fixedName?: string;
  exports: ExportSource[];
  /** Names of handwritten extension hooks for this kind (see `operator/extensions`). */
  hooks: string[];
  /**
   * false when `spec.azureName` has no default (ASO `$defaultAzureName: false`, e.g. RoleAssignment, whose name is a
   * GUID the operator generates). Absent → true: `azureName` defaults to `metadata.name`.
   */
  defaultAzureName?: boolean;
  /**
   * false when ARM's `properties` envelope is kept as `spec.properties` instead of being flattened into spec/status
   * (e.g. Key Vault's Vault, as in ASO). Absent → true.
   */
  flatten?: boolean;
  /** Extra `spec.operatorSpec` fields this kind accepts (ASO `$operatorSpecProperties`, e.g. `namingConvention`). */
  operatorSpecProperties?: Record<string, SchemaNode>;
  /**
   * Arrays under `properties` that hold child resources of type `<armType>/<name>` (ASO
   * `$resourceLifecycleOwnedByParent`: a virtual network's `subnets`): Azure stores each item as a child resource and
   * a child's own PUT shows in the parent's GET. Absent → none.
   */
  inlineChildren?: string[];
  /**
   * Set for a kind that is not an ARM resource (ASO hand-writes it and its controller talks to another API): the
   * Kubernetes spec and status schemas as written by hand (src/codegen/internal/handcrafted.ts), and the API the
   * operator reconciles it against (Microsoft Graph, the owning flexible server's PostgreSQL or MySQL protocol, or
   * the owning SQL database's TDS).
   * `armType`/`apiVersion` then name that API's collection. Absent → an ARM kind.
   */
  handcrafted?: { api: HandcraftedApi; spec: SchemaNode; status: SchemaNode };
}

/**
 * What azo knows of every ARM type of the providers it models (generated from the type index into
 * `generated/catalog.ts`): the published api-versions of each type, and the fixed name of singleton types.
 */
export interface ArmCatalog {
  /** Distinct api-version lists (sorted), referenced by index from `types`. */
  versionLists: string[][];
  /** ARM type (`Microsoft.Storage/storageAccounts/blobServices`) → its versions and fixed name, if it has one. */
  types: Record<string, { versions: number; fixedName?: string }>;
}
