/**
 * Stage 5: marks ARM ID properties that ASO's config leaves to the Swagger `arm-id` format, which bicep types do
 * not carry. Two heuristics: the SubResource shape (an object whose only writable property is a string `id`), and a
 * string (or string array) named `…Id`/`…ID`/`…Ids`/`…IDs` whose description says it is a resource ID. Nodes ASO marks
 * `simple`
 * and configmap inputs are left alone; project overrides (`notReferences`) can undo a false positive.
 */
import type { SchemaNode } from '../../../model/index.js';
import type { GeneratorState, Stage } from '../state.js';
import { walkSchema } from '../walk.js';

const describesArmId = /(resource\s*id|arm\s*id|\/subscriptions\/)/i;

/** true when `name`/`node` (inside `parent`) looks like an ARM ID of another resource. */
export function looksLikeReference(name: string, node: SchemaNode, parent: SchemaNode): boolean {
  const target = node.type === 'array' && node.items ? node.items : node;
  if (target.type !== 'string' || target.enum || node.readOnly || target.readOnly) return false;
  if (name === 'id') {
    const writable = Object.entries(parent.properties ?? {}).filter(([, child]) => !child.readOnly);
    return writable.length === 1;
  }
  // ASO spells the Go name `…Id` or `…ID` (`vnetSubnetID` → `vnetSubnetReference`); both count.
  const nameFits = node.type === 'array' ? /I[dD]s$/.test(name) : /I[dD]$/.test(name);
  return nameFits && describesArmId.test(node.description ?? '');
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const detectReferences: Stage = {
  id: 'detect-references',
  description: 'mark ARM ID properties (SubResource ids, documented resource IDs)',
  summarize: (state) => {
    let count = 0;
    for (const work of state.kinds) walkSchema(work.model.body, ({ node }) => void (node.reference && count++));
    return `${count} references in total`;
  },
  run(state: GeneratorState): GeneratorState {
    for (const work of state.kinds) {
      walkSchema(work.model.body, ({ node, parent, name }) => {
        if (!parent || name === undefined || parent === work.model.body) return;
        const target = node.type === 'array' && node.items ? node.items : node;
        if (
          target.reference ||
          target.configMapInput ||
          target.secret ||
          work.plainNodes.has(target) ||
          work.plainNodes.has(node)
        )
          return;
        if (looksLikeReference(name, node, parent)) target.reference = true;
      });
    }
    return state;
  },
};
