import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel, testTypes } from '../testing/fixtures.js';
import type { KindWork } from '../state.js';
import { keptWhole, resourceSingulars } from './trim-embedded-resources.js';

test('singulars of resource type segments', () => {
  const singulars = resourceSingulars(testTypes);
  assert.ok(singulars.has('gadget'));
  assert.ok(singulars.has('widget'));
});

test('an embedded resource shrinks to {id} with a reference; plain objects stay', async () => {
  const widget = fixtureModel(await fixtureAfter('trim-embedded-resources'), 'Widget');
  const props = widget.body.properties?.properties?.properties ?? {};
  assert.deepEqual(props.gadget?.properties, {
    id: { type: 'string', description: 'The ARM ID of the resource.', reference: true },
  });
  assert.deepEqual(Object.keys(props.network?.properties ?? {}), ['id']);
  assert.equal(
    props.network?.properties?.id?.reference,
    undefined,
    'SubResource is not a resource type: left to detect-references',
  );
});

test("ASO's $isResource: false and $resourceEmbeddedInParent (in that parent) keep an embedded resource whole", () => {
  const asoConfig = {
    objectModelConfiguration: {
      network: {
        '2024-03-01': {
          LoadBalancer: { $exportAs: 'LoadBalancer' },
          FrontendIPConfiguration: { $resourceEmbeddedInParent: 'LoadBalancer' },
          Delegation: { $isResource: false },
          Subnet: { $resourceEmbeddedInParent: 'VirtualNetwork' },
        },
      },
    },
  };
  const work = (kind: string) =>
    ({ request: { group: 'network', kind, armType: 'Microsoft.Network/x', apiVersion: '2025-03-01' } }) as KindWork;
  assert.deepEqual(keptWhole(asoConfig, work('LoadBalancer')), ['FrontendIPConfiguration', 'Delegation']);
  assert.deepEqual(keptWhole(asoConfig, work('NetworkInterface')), ['Delegation']);
});
