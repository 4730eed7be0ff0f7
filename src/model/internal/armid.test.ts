import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armIdsEqual, buildArmId, isArmId, parseArmId } from './armid.js';

const sub = '/subscriptions/00000000-0000-0000-0000-000000000001';
const rg = `${sub}/resourceGroups/My-RG`;

test('parse every scope, keeping casing', () => {
  assert.deepEqual(parseArmId('/'), { id: '/', kind: 'tenant', resourceType: '', name: '' });
  assert.equal(parseArmId(sub).kind, 'subscription');
  const group = parseArmId(rg.replace('resourceGroups', 'RESOURCEGROUPS'));
  assert.equal(group.kind, 'resourceGroup');
  assert.equal(group.resourceGroupName, 'My-RG');
  assert.equal(group.parentId, sub);
  const account = parseArmId(`${rg}/providers/Microsoft.Storage/storageAccounts/Acct1`);
  assert.deepEqual(account, {
    id: `${rg}/providers/Microsoft.Storage/storageAccounts/Acct1`,
    kind: 'resource',
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    resourceGroupName: 'My-RG',
    provider: 'Microsoft.Storage',
    resourceType: 'Microsoft.Storage/storageAccounts',
    name: 'Acct1',
    parentId: rg,
  });
  const container = parseArmId(`${account.id}/blobServices/default/containers/c1`);
  assert.equal(container.kind, 'child');
  assert.equal(container.resourceType, 'Microsoft.Storage/storageAccounts/blobServices/containers');
  assert.equal(container.parentId, `${account.id}/blobServices/default`);
  const tenantResource = parseArmId('/providers/Microsoft.Management/managementGroups/mg1');
  assert.equal(tenantResource.kind, 'resource');
  assert.equal(tenantResource.parentId, '/');
  const subResource = parseArmId(`${sub}/providers/Microsoft.Authorization/roleDefinitions/r1`);
  assert.equal(subResource.parentId, sub);
});

test('extension resources under any ID', () => {
  const onAccount = parseArmId(
    `${rg}/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/roleAssignments/ra1`,
  );
  assert.equal(onAccount.kind, 'extension');
  assert.equal(onAccount.parentId, `${rg}/providers/Microsoft.Storage/storageAccounts/a`);
  assert.equal(onAccount.resourceType, 'Microsoft.Authorization/roleAssignments');
  assert.equal(parseArmId(`${rg}/providers/Microsoft.Authorization/roleAssignments/ra1`).kind, 'resource');
  const onChild = parseArmId(
    `${rg}/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/providers/Microsoft.Authorization/locks/l/children/c`,
  );
  assert.equal(onChild.kind, 'child');
  assert.equal(onChild.resourceType, 'Microsoft.Authorization/locks/children');
});

test('malformed IDs are rejected', () => {
  for (const bad of [
    'subscriptions/x',
    `${rg}/providers/Microsoft.Storage`,
    `${rg}/providers/Microsoft.Storage/storageAccounts`,
    `${rg}//x`,
    `${sub}/foo/bar`,
    '/subscriptions',
  ]) {
    assert.equal(isArmId(bad), false, bad);
    assert.throws(() => parseArmId(bad), /invalid ARM ID/);
  }
});

test('build for every scope, and round-trip', () => {
  assert.equal(
    buildArmId({ parentId: '/', armType: 'Microsoft.Resources/subscriptions', name: 's' }),
    '/subscriptions/s',
  );
  assert.equal(buildArmId({ parentId: sub, armType: 'Microsoft.Resources/resourceGroups', name: 'My-RG' }), rg);
  const account = buildArmId({ parentId: rg, armType: 'Microsoft.Storage/storageAccounts', name: 'a' });
  assert.equal(account, `${rg}/providers/Microsoft.Storage/storageAccounts/a`);
  const service = buildArmId({
    parentId: account,
    armType: 'Microsoft.Storage/storageAccounts/blobServices',
    name: 'default',
  });
  const container = buildArmId({
    parentId: service,
    armType: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    name: 'c',
  });
  assert.equal(container, `${account}/blobServices/default/containers/c`);
  assert.equal(
    buildArmId({ parentId: account, armType: 'Microsoft.Authorization/roleAssignments', name: 'g' }),
    `${account}/providers/Microsoft.Authorization/roleAssignments/g`,
  );
  assert.equal(
    buildArmId({ parentId: '/', armType: 'Microsoft.Management/managementGroups', name: 'mg' }),
    '/providers/Microsoft.Management/managementGroups/mg',
  );
  assert.equal(
    buildArmId({ parentId: sub, armType: 'Microsoft.Authorization/roleDefinitions', name: 'r' }),
    `${sub}/providers/Microsoft.Authorization/roleDefinitions/r`,
  );
  assert.throws(
    () => buildArmId({ parentId: rg, armType: 'Microsoft.Storage/storageAccounts/blobServices', name: 'default' }),
    /must sit under/,
  );
  assert.throws(
    () => buildArmId({ parentId: rg, armType: 'Microsoft.Storage/storageAccounts', name: 'a/b' }),
    /no "\/"/,
  );
  for (const id of [container, account, rg, sub]) assert.equal(parseArmId(id).id, id);
  assert.ok(armIdsEqual(account.toUpperCase(), `${account}/`));
});
