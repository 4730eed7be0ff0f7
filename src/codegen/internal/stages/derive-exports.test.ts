import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter, fixtureModel } from '../testing/fixtures.js';

test('exports: configs from status paths, secrets from POST actions, a config doubles as a secret', async () => {
  const widget = fixtureModel(await fixtureAfter('derive-exports'), 'Widget');
  assert.deepEqual(widget.exports, [
    { name: 'primaryEndpoint', from: 'status', path: 'properties.primaryEndpoint', secret: false },
    { name: 'primaryKey', from: 'action', action: 'listKeys', path: 'primaryKey', secret: true },
    { name: 'primaryEndpoint', from: 'status', path: 'properties.primaryEndpoint', secret: true },
  ]);
});
