import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel } from '../testing/fixtures.js';
import { looksLikeReference } from './detect-references.js';

test('SubResource ids and documented resource IDs are references; others are not', async () => {
  const widget = fixtureModel(await fixtureAfter('detect-references'), 'Widget');
  const props = widget.body.properties?.properties?.properties ?? {};
  assert.equal(props.network?.properties?.id?.reference, true);
  assert.equal(props.subnetId?.reference, true);
  assert.equal(props.tenantId?.reference, undefined);
  assert.equal(widget.body.properties?.id?.reference, undefined);
});

test('the heuristics in isolation', () => {
  const parent = {
    type: 'object' as const,
    properties: { id: { type: 'string' as const }, name: { type: 'string' as const } },
  };
  assert.equal(
    looksLikeReference('id', { type: 'string' }, parent),
    false,
    'id next to other writable fields is not a SubResource',
  );
  assert.equal(
    looksLikeReference('workspaceId', { type: 'string', description: 'ARM ID of the workspace' }, parent),
    true,
  );
  assert.equal(
    looksLikeReference('scopeIds', { type: 'array', items: { type: 'string' }, description: 'resource IDs' }, parent),
    true,
  );
  assert.equal(
    looksLikeReference(
      'vnetSubnetID',
      {
        type: 'string',
        description:
          'This is of the form: ' +
          '/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/virtualNetworks/{v}/subnets/{n}',
      },
      parent,
    ),
    true,
    'upper-case ID',
  );
  assert.equal(looksLikeReference('principalId', { type: 'string', description: 'The principal ID' }, parent), false);
  assert.equal(
    looksLikeReference('stateId', { type: 'string', readOnly: true, description: 'resource id' }, parent),
    false,
  );
});
