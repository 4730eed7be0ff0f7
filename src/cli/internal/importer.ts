/**
 * `azo import azure-resource`'s work: read resources (and, with `children`, everything under them that azo serves)
 * from ARM, and turn each into a manifest of its served kind with the model's generic conversion (`armBodyToSpec`):
 * owners by Kubernetes name when imported too (else by ARM ID), references likewise, placeholder Secret references
 * for required secrets. Knows no kind: children are found from the model's owners, a resource group's other
 * resources from ARM's generic list (to say which could not be imported).
 */
import type { ArmClient } from '../../arm/index.js';
import { isArmError } from '../../arm/index.js';
import { type KindModel, armBodyToSpec, listKindModels, parseArmId } from '../../model/index.js';

/** What could not be imported, and why. */
export interface Skipped {
  armId: string;
  type: string;
  reason: string;
}

/** One imported resource: its manifest, and notes for the user (placeholder Secrets). */
export interface ImportedObject {
  armId: string;
  manifest: Record<string, unknown> & { kind: string; metadata: { name: string } };
  notes: string[];
}

/** Options of `importResources`. */
export interface ImportOptions {
  arm: Pick<ArmClient, 'tryGet' | 'list'>;
  ids: string[];
  children: boolean;
  namespace: string;
  /** `serviceoperator.azure.com/reconcile-policy` for every object. */
  reconcilePolicy?: string | undefined;
  /** Hears of each resource read: how many are done, and how many are known so far. */
  onProgress?: (done: number, known: number, armId: string) => void;
}

/** The api-version of ARM's generic list of a resource group's resources. */
const genericListApiVersion = '2021-04-01';
const resourceGroupType = 'microsoft.resources/resourcegroups';

/** A resource read from ARM: its ID as ARM spells it, its kind and body. */
interface Found {
  id: string;
  model: KindModel;
  body: Record<string, unknown>;
}

/** See the module comment. */
export async function importResources(
  options: ImportOptions,
): Promise<{ objects: ImportedObject[]; skipped: Skipped[] }> {
  const models = await listKindModels();
  const byType = new Map(models.map((model) => [model.armType.toLowerCase(), model]));
  const found = new Map<string, Found>();
  const skipped: Skipped[] = [];
  const queue = [...options.ids];
  const seen = new Set<string>();
  let done = 0;
  while (queue.length > 0) {
    const id = queue.shift() ?? '';
    if (seen.has(id.toLowerCase())) continue;
    seen.add(id.toLowerCase());
    const result = await readOne(options.arm, byType, id);
    done += 1;
    options.onProgress?.(done, done + queue.length, id);
    if ('reason' in result) {
      skipped.push(result);
      continue;
    }
    found.set(id.toLowerCase(), { ...result, id });
    if (!options.children) continue;
    const listed = await listChildren(options.arm, models, byType, result.model, id);
    skipped.push(...listed.skipped);
    queue.push(...listed.ids.filter((child) => !seen.has(child.toLowerCase())));
  }
  return { objects: toManifests(found, options), skipped };
}

async function readOne(
  arm: ImportOptions['arm'],
  byType: Map<string, KindModel>,
  id: string,
): Promise<{ model: KindModel; body: Record<string, unknown> } | Skipped> {
  let type: string;
  try {
    type = parseArmId(id).resourceType;
  } catch (error) {
    return { armId: id, type: '', reason: `not an ARM ID: ${(error as Error).message}` };
  }
  const model = byType.get(type.toLowerCase());
  if (model === undefined) return { armId: id, type, reason: `kind not served: azo has no kind for ${type}` };
  try {
    const body = await arm.tryGet(id, model.apiVersion);
    if (body === undefined) return { armId: id, type, reason: 'not found in Azure' };
    return { model, body: body as Record<string, unknown> };
  } catch (error) {
    if (isArmError(error) && error.statusCode === 400 && /version|provider/i.test(`${error.code} ${error.message}`)) {
      return {
        armId: id,
        type,
        reason:
          `version missing: ${model.group}/${model.kind} uses api-version ${model.apiVersion}, which ARM ` +
          `refused (${error.code})`,
      };
    }
    throw error;
  }
}

/** The IDs of the served resources under `id`, by the kinds the model makes its children; a resource group's
 * other resources (of kinds azo does not serve) as skipped. */
async function listChildren(
  arm: ImportOptions['arm'],
  models: KindModel[],
  byType: Map<string, KindModel>,
  parent: KindModel,
  id: string,
): Promise<{ ids: string[]; skipped: Skipped[] }> {
  const ids: string[] = [];
  const skipped: Skipped[] = [];
  const isResourceGroup = parent.armType.toLowerCase() === resourceGroupType;
  const children = models.filter((model) =>
    model.owners.some((owner) => owner !== '*' && owner.group === parent.group && owner.kind === parent.kind),
  );
  for (const child of children) {
    const collection = isResourceGroup
      ? `${id}/providers/${child.armType}`
      : `${id}/${child.armType.split('/').slice(parent.armType.split('/').length).join('/')}`;
    try {
      for (const item of await arm.list(collection, child.apiVersion)) {
        const childId = (item as { id?: unknown }).id;
        if (typeof childId === 'string') ids.push(childId);
      }
    } catch (error) {
      if (isArmError(error) && (error.statusCode === 404 || error.statusCode === 400)) continue;
      throw error;
    }
  }
  if (isResourceGroup) {
    for (const item of await arm.list(`${id}/resources`, genericListApiVersion)) {
      const { id: otherId, type } = item as { id?: unknown; type?: unknown };
      if (typeof otherId !== 'string' || typeof type !== 'string' || byType.has(type.toLowerCase())) continue;
      skipped.push({ armId: otherId, type, reason: `kind not served: azo has no kind for ${type}` });
    }
  }
  return { ids, skipped };
}

/**
 * Kubernetes names: the Azure name made a DNS subdomain; a singleton (fixed name) or a clash gets its owner's prefix.
 */
function kubeNames(found: Map<string, Found>): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const entries = [...found.entries()].sort(
    ([a], [b]) => a.split('/').length - b.split('/').length || a.localeCompare(b),
  );
  for (const [key, { model, id }] of entries) {
    const parsed = parseArmId(id);
    const own = dnsName(parsed.name);
    const ownerName = parsed.parentId === undefined ? undefined : names.get(parsed.parentId.toLowerCase());
    let name = model.fixedName !== undefined && ownerName !== undefined ? `${ownerName}-${own}` : own;
    if (taken.has(`${model.kind}/${name}`) && ownerName !== undefined) name = `${ownerName}-${own}`;
    for (let suffix = 2; taken.has(`${model.kind}/${name}`); suffix++) name = `${own}-${suffix}`;
    taken.add(`${model.kind}/${name}`);
    names.set(key, name);
  }
  return names;
}

function dnsName(azureName: string): string {
  const cleaned = azureName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (cleaned === '' ? 'imported' : cleaned).slice(0, 253);
}

function toManifests(found: Map<string, Found>, options: ImportOptions): ImportedObject[] {
  const names = kubeNames(found);
  const objectOf = (armId: string) => {
    const target = found.get(armId.toLowerCase());
    const name = names.get(armId.toLowerCase());
    return target === undefined || name === undefined
      ? undefined
      : { group: target.model.group, kind: target.model.kind, name };
  };
  return [...found.entries()].map(([key, { model, body, id }]) => {
    const name = names.get(key) ?? '';
    const parsed = parseArmId(id);
    const secretName = `${name}-secrets`;
    const { spec, placeholders } = armBodyToSpec(model, body, {
      objectOf,
      secretPlaceholder: (path) => ({ name: secretName, key: path.split('.').at(-1) ?? 'value' }),
    });
    const ownerSpec = ownerOf(model, parsed.parentId, objectOf);
    const azureName = typeof body['name'] === 'string' ? body['name'] : parsed.name;
    const manifest = {
      apiVersion: `${model.group}/${model.versions[0] ?? ''}`,
      kind: model.kind,
      metadata: {
        name,
        namespace: options.namespace,
        ...(options.reconcilePolicy !== undefined
          ? { annotations: { 'serviceoperator.azure.com/reconcile-policy': options.reconcilePolicy } }
          : {}),
      },
      spec: {
        ...(model.fixedName === undefined ? { azureName } : {}),
        ...(ownerSpec !== undefined ? { owner: ownerSpec } : {}),
        ...spec,
      },
    };
    const notes = placeholders.map(
      (path) =>
        `${model.kind} ${name}: ${path} names Secret ${options.namespace}/${secretName}, which you must create ` +
        '(Azure never returns secrets, so none was written); until then the object waits for it',
    );
    return { armId: parsed.id, manifest, notes };
  });
}

function ownerOf(
  model: KindModel,
  parentId: string | undefined,
  objectOf: (armId: string) => { group: string; kind: string; name: string } | undefined,
): Record<string, string> | undefined {
  if (model.owners.length === 0 || parentId === undefined) return undefined;
  const owner = objectOf(parentId);
  if (owner === undefined) return { armId: parentId };
  return model.owners.includes('*') ? owner : { name: owner.name };
}
