// Every secret the model offers from a POST action (`operatorSpec.secrets` fed by `listKeys`, `listCredentials`, …)
// is answered by the emulator's action at the path the model reads: an export offered in a CRD but without a value
// would leave a user's Secret empty. Actions on a child the parent is created with (a namespace's
// RootManageSharedAccessKey rule) must name a child the emulator creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listKindVersionModels, readPath, type KindModel } from '../../src/model/index.js';
import { runAction } from '../../src/emulator/internal/actions.js';
import { implicitChildren } from '../../src/emulator/internal/computed.js';
import type { StoredResource } from '../../src/emulator/internal/state.js';

function stored(fullType: string, name: string): StoredResource {
  const id = `/subscriptions/0000/resourceGroups/rg/providers/${fullType.split('/')[0]}/${name}`;
  return { id, key: id.toLowerCase(), fullType, name, resourceGroup: 'rg', body: { properties: {} } };
}

/** The resource an export's action runs on (the kind's own, or a child the action path names) and the action. */
function target(model: KindModel, action: string): { resource: StoredResource; action: string; child?: string[] } {
  const steps = action.split('/');
  const last = steps.at(-1) ?? action;
  const parent = stored(model.armType, 'exported');
  if (steps.length === 1) return { resource: parent, action: last };
  assert.equal(steps.length, 3, `${model.kind}: an action path is childType/childName/action (${action})`);
  const [childType = '', childName = ''] = steps;
  const child = stored(`${model.armType}/${childType}`, childName);
  const made = implicitChildren(parent).some(
    (implicit) =>
      implicit.types.some((type) => type.toLowerCase() === childType.toLowerCase()) &&
      implicit.names.includes(childName),
  );
  assert.ok(made, `${model.group}/${model.kind}: the emulator creates ${childType}/${childName} with the parent`);
  return { resource: child, action: last };
}

test('every action-fed export of every kind has a value in the emulator answer', async () => {
  const models = await listKindVersionModels();
  let checked = 0;
  const problems: string[] = [];
  for (const model of models) {
    for (const source of model.exports.filter((candidate) => candidate.from === 'action')) {
      const where = `${model.group}/${model.kind}@${model.apiVersion} ${source.name}: ${source.action} → ${source.path}`;
      checked += 1;
      try {
        const { resource, action } = target(model, source.action ?? 'listKeys');
        const answer = runAction(resource, action, undefined);
        const value = readPath(answer.body, source.path);
        if (typeof value !== 'string' || value === '') problems.push(`${where} gives ${JSON.stringify(value)}`);
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked >= 100, `checked ${checked} exports`);
});

test('a key stays the same across calls and differs between names', () => {
  const store = stored('Microsoft.AppConfiguration/configurationStores', 'store1');
  const first = runAction(store, 'listKeys', undefined).body;
  const again = runAction(store, 'listKeys', undefined).body;
  assert.deepEqual(again, first);
  const primary = readPath(first, 'value[name=Primary].value');
  const readOnly = readPath(first, 'value[name=Primary Read Only].value');
  assert.notEqual(primary, readOnly);
  assert.equal(readPath(first, 'value[name=Primary Read Only].readOnly'), true);
  assert.match(
    String(readPath(first, 'value[name=Primary].connectionString')),
    /^Endpoint=https:\/\/store1\.azconfig\.io;Id=/,
  );
});
