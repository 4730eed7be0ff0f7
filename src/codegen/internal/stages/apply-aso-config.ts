/**
 * Stage 4: applies ASO's generator configuration (azure-arm.yaml, `objectModelConfiguration`) for each kind's group
 * and API version: `$referenceType` (arm, arm+wellknown; simple keeps a value plain), `$isSecret`,
 * `$importConfigMapMode`, `$renameTo` (a property's Kubernetes name), `$defaultAzureName`, `$operatorSpecProperties`,
 * `$resourceLifecycleOwnedByParent` (status only; arrays of child resources become the model's `inlineChildren`), and
 * records `$azureGeneratedSecrets` / `$generatedConfigs` for the exports stage. ASO names types and properties the Go
 * way (`RoleAssignmentProperties`, `PrincipalId`); they are matched to bicep object names (also `AOrB` merged names)
 * and property names case-insensitively. When ASO's snapshot lacks the exact API version, the newest older version of
 * the group is used (and noted).
 */
import { lowerCamel, type SchemaNode } from '../../../model/index.js';
import type { GeneratorState, KindWork, Stage } from '../state.js';
import { walkSchema } from '../walk.js';
import { lookupIndex } from './read-inputs.js';

type Entries = Record<string, Record<string, unknown>>;

/**
 * The group/version section of ASO's config to use for a kind: the exact version, else the newest older one that
 * exports `kind` (a group's newest section may hold only other kinds), else the newest older one.
 */
export function asoSectionFor(
  asoConfig: Record<string, unknown>,
  group: string,
  apiVersion: string,
  kind?: string,
): { version: string; types: Entries } | undefined {
  const model = asoConfig.objectModelConfiguration as Record<string, Record<string, unknown>> | undefined;
  const groupSection = model?.[group];
  if (!groupSection || typeof groupSection !== 'object') return undefined;
  const versions = Object.keys(groupSection)
    .filter((version) => /^\d{4}-\d{2}-\d{2}/.test(version))
    .sort();
  const exact = versions.find((version) => version === apiVersion);
  const older = versions.filter((version) => version < apiVersion);
  const exporting = older.filter((version) => {
    const types = (groupSection[version] ?? {}) as Entries;
    return kind !== undefined && resourceTypeName(types, kind) !== undefined;
  });
  const chosen = exact ?? exporting.pop() ?? older.pop();
  if (chosen === undefined) return undefined;
  return { version: chosen, types: (groupSection[chosen] ?? {}) as Entries };
}

const normalize = (name: string) =>
  name
    .replace(/_(Spec|STATUS)$/i, '')
    .replace(/_/g, '')
    .toLowerCase();

/** true when an ASO (Go) type name designates a bicep object type name. */
export function typeNameMatches(asoName: string, bicepName: string): boolean {
  const wanted = normalize(asoName);
  if (normalize(bicepName) === wanted) return true;
  return bicepName.split(/(?<=[a-z0-9])Or(?=[A-Z])/).some((part) => normalize(part) === wanted);
}

function findProperty(node: SchemaNode, asoProperty: string): [string, SchemaNode] | undefined {
  const wanted = asoProperty.toLowerCase();
  const own = Object.entries(node.properties ?? {}).find(([name]) => name.toLowerCase() === wanted);
  if (own) return own;
  for (const variant of Object.values(node.discriminator?.variants ?? {})) {
    const found = Object.entries(variant.properties ?? {}).find(([name]) => name.toLowerCase() === wanted);
    if (found) return found;
  }
  return undefined;
}

function applyPropertyConfig(work: KindWork, node: SchemaNode, settings: Record<string, unknown>): string[] {
  const applied: string[] = [];
  const target = node.type === 'array' && node.items ? node.items : node;
  const referenceType = settings.$referenceType;
  if (referenceType === 'arm' || referenceType === 'arm+wellknown' || referenceType === 'arm+compat') {
    target.reference = true;
    if (referenceType === 'arm+wellknown') target.wellKnownReference = true;
    applied.push('reference');
  } else if (referenceType === 'simple') {
    work.plainNodes.add(target);
    applied.push('simple');
  }
  if (settings.$isSecret === true) {
    target.secret = true;
    applied.push('secret');
  } else if (settings.$isSecret === false) {
    delete target.secret;
    applied.push('not secret');
  }
  if (typeof settings.$resourceLifecycleOwnedByParent === 'string') {
    // Children with their own kind (subnets of a virtual network): status only, so the parent never sends them.
    node.readOnly = true;
    applied.push('owned by parent');
  }
  if (typeof settings.$renameTo === 'string') {
    // Kubernetes-side only: Azure keeps the property's own name (cdn Rule's conditions → ruleConditions).
    node.kubeName = lowerCamel(settings.$renameTo);
    applied.push('renamed');
  }
  if (settings.$importConfigMapMode === 'optional' || settings.$importConfigMapMode === 'required') {
    target.configMapInput = true;
    applied.push('configMap');
  }
  return applied;
}

/** The ASO Go name of the kind's own resource type (`$exportAs: <kind>`). */
export function resourceTypeName(types: Entries, kind: string): string | undefined {
  return Object.entries(types).find(([, settings]) => settings?.$exportAs === kind)?.[0];
}

function parseOperatorSpecProperties(raw: unknown): Record<string, SchemaNode> | undefined {
  if (!Array.isArray(raw)) return undefined;
  const result: Record<string, SchemaNode> = {};
  for (const entry of raw as Array<{ name?: string; type?: string; description?: string }>) {
    if (!entry.name) continue;
    const name = entry.name.charAt(0).toLowerCase() + entry.name.slice(1);
    const enumMatch = /\+kubebuilder:validation:Enum=\{([^}]*)\}/.exec(entry.description ?? '');
    const description = (entry.description ?? '').replace(/\s*<br>.*$/, '').trim();
    result[name] = {
      type: entry.type === 'bool' ? 'boolean' : 'string',
      ...(description ? { description } : {}),
      ...(enumMatch?.[1] ? { enum: enumMatch[1].split(',').map((value) => value.trim().replace(/^"|"$/g, '')) } : {}),
    };
  }
  return result;
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const applyAsoConfig: Stage = {
  id: 'apply-aso-config',
  description: "apply ASO's references, secrets, configmap inputs and naming settings",
  summarize: (state) => {
    let references = 0,
      secrets = 0,
      configMaps = 0;
    for (const work of state.kinds) {
      walkSchema(work.model.body, ({ node }) => {
        if (node.reference) references++;
        if (node.secret) secrets++;
        if (node.configMapInput) configMaps++;
      });
    }
    return `${references} references, ${secrets} secrets, ${configMaps} configmap inputs`;
  },
  run(state: GeneratorState): GeneratorState {
    const notes = [...state.notes];
    for (const work of state.kinds) {
      const { request, model } = work;
      const section = asoSectionFor(state.asoConfig, request.group, request.apiVersion, request.kind);
      if (!section) {
        notes.push(
          `${request.group}/${request.kind}: ASO config has no ${request.group} version <= ${request.apiVersion}`,
        );
        continue;
      }
      if (section.version !== request.apiVersion) {
        notes.push(
          `${request.group}/${request.kind}: ASO config has no ${request.apiVersion}; used its ` +
            `${section.version} settings`,
        );
      }
      const ownTypeName = resourceTypeName(section.types, request.kind);
      const ownSettings = ownTypeName === undefined ? undefined : section.types[ownTypeName];
      if (ownTypeName === undefined)
        notes.push(
          `${request.group}/${request.kind}: ASO config ${section.version} does not export this kind ($exportAs)`,
        );
      if (ownSettings) {
        if (ownSettings.$defaultAzureName === false) model.defaultAzureName = false;
        const operatorSpecProperties = parseOperatorSpecProperties(ownSettings.$operatorSpecProperties);
        if (operatorSpecProperties) model.operatorSpecProperties = operatorSpecProperties;
        const secrets = Array.isArray(ownSettings.$azureGeneratedSecrets)
          ? ownSettings.$azureGeneratedSecrets.map(String)
          : [];
        const configs = (ownSettings.$generatedConfigs ?? {}) as Record<string, string>;
        const manualConfigs = Array.isArray(ownSettings.$manualConfigs) ? ownSettings.$manualConfigs.map(String) : [];
        work.asoExports = { secrets, configs, ...(manualConfigs.length > 0 ? { manualConfigs } : {}) };
      }
      const propertiesNode = model.body.properties?.properties;
      for (const [asoType, settings] of Object.entries(section.types)) {
        if (!settings || typeof settings !== 'object') continue;
        const propertySettings = Object.entries(settings).filter(
          ([key, value]) => !key.startsWith('$') && value && typeof value === 'object',
        );
        if (propertySettings.length === 0) continue;
        const targets: SchemaNode[] = [];
        walkSchema(model.body, ({ node }) => {
          const name = work.typeNames.get(node);
          if (name !== undefined && typeNameMatches(asoType, name)) targets.push(node);
        });
        // `<ResourceGoName>_Properties[_Spec]` names the resource's own properties envelope.
        if (
          propertiesNode &&
          ownTypeName !== undefined &&
          normalize(asoType) === normalize(`${ownTypeName}_Properties`)
        )
          targets.push(propertiesNode);
        if (model.body.properties && ownTypeName !== undefined && normalize(asoType) === normalize(ownTypeName))
          targets.push(model.body);
        for (const target of targets) {
          for (const [asoProperty, value] of propertySettings) {
            // ASO's spec and status types of the resource are flattened: their properties may sit in the envelope.
            const inEnvelope =
              target === model.body && propertiesNode ? findProperty(propertiesNode, asoProperty) : undefined;
            const found = findProperty(target, asoProperty) ?? inEnvelope;
            if (!found) continue;
            const applied = applyPropertyConfig(work, found[1], value as Record<string, unknown>);
            const childType = `${model.armType}/${found[0]}`;
            if (
              applied.includes('owned by parent') &&
              target === propertiesNode &&
              found[1].type === 'array' &&
              lookupIndex(state.typeIndex, childType)
            ) {
              model.inlineChildren = [...new Set([...(model.inlineChildren ?? []), found[0]])];
            }
          }
        }
      }
    }
    return { ...state, notes };
  },
};
