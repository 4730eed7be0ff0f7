/**
 * The graph of managed objects: one node per object, an edge to its owner (`spec.owner`) and one to each object or
 * Azure resource it references. Built from the resource model alone — which kinds own which, and which spec fields
 * are references — so every served kind is covered with no per-kind code. Pure: the caller lists the objects.
 */
import { listSpecInputs, parseArmId, type KindModel, type ResourceReference } from '../../model/index.js';

/** A Kubernetes object as the API server returns it (only the fields the graph reads). */
export interface GraphObject {
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
}

/** An object with the model of its kind. */
export interface ModelledObject {
  model: KindModel;
  object: GraphObject;
}

/** An object's Ready condition status, or `none` when it has no Ready condition (no status yet). */
export type ReadyState = 'True' | 'False' | 'Unknown' | 'none';

/**
 * `object`: a listed object; `absent`: named by an owner or a reference but not in the listing (not created yet, or
 * deleted); `external`: an Azure resource named by ARM ID or a well-known name, outside Kubernetes.
 */
export type GraphNodeType = 'object' | 'absent' | 'external';

/** One node of the graph. */
export interface GraphNode {
  id: string;
  type: GraphNodeType;
  /** Kubernetes kind (objects and absent nodes) or ARM type (external nodes, when the ID parses). */
  kind: string;
  group: string;
  namespace: string;
  /** Object name, or the resource name of an external node. */
  name: string;
  /** ARM ID or well-known name of an external node. */
  external?: string;
  ready: ReadyState;
  reason: string;
  message: string;
}

/** `owner`: from the object to its owner; `reference`: from the object to what a spec field references. */
export interface GraphEdge {
  from: string;
  to: string;
  relation: 'owner' | 'reference';
  /** The spec path it comes from (`spec.owner`, `spec.networkSecurityGroup.reference`). */
  path: string;
}

/** Nodes in a stable order (objects by kind, namespace, name; then absent and external nodes), and edges. */
export interface ObjectGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The node ID of a Kubernetes object: `group/Kind/namespace/name`. */
export function objectNodeId(group: string, kind: string, namespace: string, name: string): string {
  return `${group}/${kind}/${namespace}/${name}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The Ready condition of an object: its status, reason and message; `none` without one. */
export function readyOf(object: GraphObject): { ready: ReadyState; reason: string; message: string } {
  const condition = object.status?.conditions?.find((candidate) => candidate.type === 'Ready');
  if (condition === undefined) return { ready: 'none', reason: '', message: '' };
  const status = condition.status;
  const ready: ReadyState = status === 'True' || status === 'False' ? status : 'Unknown';
  return { ready, reason: condition.reason ?? '', message: condition.message ?? '' };
}

/** Builds the graph of `objects`: their owners and references, by Kubernetes name or ARM ID. */
export function buildObjectGraph(objects: readonly ModelledObject[]): ObjectGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  for (const { model, object } of objects) {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    const id = objectNodeId(model.group, model.kind, namespace, name);
    nodes.set(id, { id, type: 'object', kind: model.kind, group: model.group, namespace, name, ...readyOf(object) });
  }
  const pending: GraphNode[] = [];
  const target = (node: GraphNode): string => {
    if (!nodes.has(node.id) && !pending.some((candidate) => candidate.id === node.id)) pending.push(node);
    return node.id;
  };
  for (const { model, object } of objects) {
    const namespace = object.metadata?.namespace ?? '';
    const from = objectNodeId(model.group, model.kind, namespace, object.metadata?.name ?? '');
    const spec = object.spec ?? {};
    const owner = ownerTarget(model, spec['owner'], namespace);
    if (owner !== undefined) edges.push({ from, to: target(owner), relation: 'owner', path: 'spec.owner' });
    for (const { path, ref } of listSpecInputs(model, spec).references) {
      const referenced = referenceTarget(ref, namespace);
      if (referenced !== undefined) edges.push({ from, to: target(referenced), relation: 'reference', path });
    }
  }
  const order = (node: GraphNode) => ['object', 'absent', 'external'].indexOf(node.type);
  const sorted = [...nodes.values(), ...pending].sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  return { nodes: sorted, edges };
}

/** The owner named by `spec.owner`: an object (its kind from the owner or the model's one owner kind) or an ARM ID. */
function ownerTarget(model: KindModel, owner: unknown, namespace: string): GraphNode | undefined {
  if (!isRecord(owner)) return undefined;
  if (typeof owner['armId'] === 'string' && owner['armId'] !== '') return externalNode(owner['armId']);
  const declared = model.owners.find((candidate): candidate is { group: string; kind: string } => candidate !== '*');
  const group = typeof owner['group'] === 'string' ? owner['group'] : declared?.group;
  const kind = typeof owner['kind'] === 'string' ? owner['kind'] : declared?.kind;
  const name = owner['name'];
  if (group === undefined || kind === undefined || typeof name !== 'string' || name === '') return undefined;
  return absentNode(group, kind, namespace, name);
}

/** What a reference names: an object in the same namespace, an ARM ID, or a well-known name. */
function referenceTarget(ref: ResourceReference, namespace: string): GraphNode | undefined {
  if (ref.armId !== undefined && ref.armId !== '') return externalNode(ref.armId);
  if (ref.wellKnownName !== undefined && ref.wellKnownName !== '') {
    return {
      ...blankNode(`wellknown:${ref.wellKnownName}`, 'external'),
      name: ref.wellKnownName,
      external: ref.wellKnownName,
    };
  }
  if (ref.group === undefined || ref.kind === undefined || ref.name === undefined) return undefined;
  return absentNode(ref.group, ref.kind, namespace, ref.name);
}

function absentNode(group: string, kind: string, namespace: string, name: string): GraphNode {
  return { ...blankNode(objectNodeId(group, kind, namespace, name), 'absent'), group, kind, namespace, name };
}

/** An Azure resource by ARM ID; IDs differing only in case are one node (ARM IDs are case-insensitive). */
function externalNode(armId: string): GraphNode {
  const node = { ...blankNode(`arm:${armId.toLowerCase()}`, 'external'), name: armId, external: armId };
  try {
    const parsed = parseArmId(armId);
    return { ...node, kind: parsed.resourceType === '' ? parsed.kind : parsed.resourceType, name: parsed.name };
  } catch {
    // Not a well-formed ARM ID: shown as written.
  }
  return node;
}

function blankNode(id: string, type: GraphNodeType): GraphNode {
  return { id, type, kind: '', group: '', namespace: '', name: '', ready: 'none', reason: '', message: '' };
}
