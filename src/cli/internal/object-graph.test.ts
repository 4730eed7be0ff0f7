import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadKindModel, type KindModel } from '../../model/index.js';
import { buildObjectGraph, objectNodeId, type GraphObject, type ModelledObject } from './object-graph.js';
import { readyColours, renderDot, renderSvg } from './graph-render.js';

async function model(group: string, kind: string): Promise<KindModel> {
  const found = await loadKindModel(group, kind);
  assert.ok(found, `${group}/${kind} is modelled`);
  return found;
}

const ready = (status: string, reason = 'Succeeded'): GraphObject['status'] => ({
  conditions: [{ type: 'Ready', status, reason }],
});

test('owners come from spec.owner and the model, references from the fields the model marks', async () => {
  const [group, subnet, nsg, account] = await Promise.all([
    model('resources.azure.com', 'ResourceGroup'),
    model('network.azure.com', 'VirtualNetworksSubnet'),
    model('network.azure.com', 'NetworkSecurityGroup'),
    model('storage.azure.com', 'StorageAccount'),
  ]);
  const nsgId =
    '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/shared/providers/Microsoft.Network/networkSecurityGroups/edge';
  const objects: ModelledObject[] = [
    { model: group, object: { metadata: { name: 'rg', namespace: 'ns' }, spec: {}, status: ready('True') } },
    {
      model: nsg,
      object: {
        metadata: { name: 'guard', namespace: 'ns' },
        spec: { owner: { name: 'rg' } },
        status: ready('False', 'X'),
      },
    },
    {
      model: subnet,
      object: {
        metadata: { name: 'app', namespace: 'ns' },
        spec: {
          owner: { name: 'vnet' },
          networkSecurityGroup: { reference: { group: nsg.group, kind: nsg.kind, name: 'guard' } },
        },
        status: ready('Unknown', 'Reconciling'),
      },
    },
    {
      model: subnet,
      object: {
        metadata: { name: 'data', namespace: 'ns' },
        spec: { owner: { name: 'vnet' }, networkSecurityGroup: { reference: { armId: nsgId } } },
      },
    },
    {
      model: account,
      object: {
        metadata: { name: 'files', namespace: 'ns' },
        spec: { owner: { armId: '/subscriptions/s/resourceGroups/other' } },
      },
    },
  ];
  const graph = buildObjectGraph(objects);
  const node = (id: string) => graph.nodes.find((candidate) => candidate.id === id);
  const vnet = objectNodeId('network.azure.com', 'VirtualNetwork', 'ns', 'vnet');
  assert.equal(node(vnet)?.type, 'absent', "the subnet's owner kind comes from the model; it is not listed");
  assert.equal(node(`arm:${nsgId.toLowerCase()}`)?.type, 'external');
  assert.equal(node(`arm:${nsgId.toLowerCase()}`)?.kind, 'Microsoft.Network/networkSecurityGroups');
  assert.equal(node('arm:/subscriptions/s/resourcegroups/other')?.type, 'external');
  assert.deepEqual(
    graph.edges.map((edge) => `${edge.from.split('/').pop()} -${edge.relation}-> ${edge.to.split('/').pop()}`),
    [
      'guard -owner-> rg',
      'app -owner-> vnet',
      'app -reference-> guard',
      'data -owner-> vnet',
      'data -reference-> edge',
      'files -owner-> other',
    ],
  );
  assert.equal(graph.edges.find((edge) => edge.relation === 'reference')?.path, 'spec.networkSecurityGroup.reference');
  assert.deepEqual(
    graph.nodes.filter((candidate) => candidate.type === 'object').map((candidate) => candidate.ready),
    ['False', 'Unknown', 'none', 'True', 'none'],
  );

  const dot = renderDot(graph);
  for (const [state, colour] of Object.entries(readyColours)) {
    assert.match(dot, new RegExp(`fillcolor="${colour}", class="ready-${state.toLowerCase()}"`), `a ${state} node`);
  }
  assert.match(dot, /"[^"]+\/app" -> "[^"]+\/guard" \[label="reference", style="dashed"/);
  const svg = await renderSvg(dot);
  assert.match(svg, /<svg /);
  assert.equal((svg.match(/<g id="node:/g) ?? []).length, graph.nodes.length, 'every node drawn');
});

test('every edge joins two nodes, and every listed object is one node, whatever the owners and references', async () => {
  const [group, subnet, nsg] = await Promise.all([
    model('resources.azure.com', 'ResourceGroup'),
    model('network.azure.com', 'VirtualNetworksSubnet'),
    model('network.azure.com', 'NetworkSecurityGroup'),
  ]);
  const name = fc.constantFrom('a', 'b', 'c', 'd');
  const reference = fc.oneof(
    fc.record({ group: fc.constant(nsg.group), kind: fc.constant(nsg.kind), name }),
    fc.record({
      armId: fc.constantFrom('/subscriptions/s/resourceGroups/r', 'not an id', '/SUBSCRIPTIONS/s/resourceGroups/R'),
    }),
    fc.record({ wellKnownName: fc.constantFrom('Reader', 'Owner') }),
  );
  const object = fc.record({
    model: fc.constantFrom(group, subnet, nsg),
    name,
    namespace: fc.constantFrom('x', 'y'),
    owner: fc.option(fc.oneof(fc.record({ name }), fc.record({ armId: fc.constant('/subscriptions/s') }))),
    reference: fc.option(reference),
    status: fc.option(fc.constantFrom('True', 'False', 'Unknown', 'odd')),
  });
  fc.assert(
    fc.property(fc.uniqueArray(object, { selector: (o) => `${o.model.kind}/${o.namespace}/${o.name}` }), (listed) => {
      const graph = buildObjectGraph(
        listed.map((o) => ({
          model: o.model,
          object: {
            metadata: { name: o.name, namespace: o.namespace },
            spec: {
              ...(o.owner === null ? {} : { owner: o.owner }),
              ...(o.reference === null ? {} : { networkSecurityGroup: { reference: o.reference } }),
            },
            ...(o.status === null ? {} : { status: ready(o.status) }),
          },
        })),
      );
      const ids = graph.nodes.map((node) => node.id);
      assert.equal(new Set(ids).size, ids.length, 'node IDs are unique');
      for (const edge of graph.edges) assert.ok(ids.includes(edge.from) && ids.includes(edge.to));
      assert.equal(graph.nodes.filter((node) => node.type === 'object').length, listed.length);
    }),
  );
});
