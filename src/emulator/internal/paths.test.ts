import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ArmError } from './errors.js';
import { parseArmPath } from './paths.js';

const sub = '00000000-0000-0000-0000-000000000001';
const split = (path: string) => path.split('/').filter((segment) => segment !== '');

describe('parseArmPath', () => {
  it('parses every shape of ARM path', () => {
    const table: Array<[string, string, string]> = [
      ['GET', '/subscriptions', 'subscriptions'],
      ['GET', `/subscriptions/${sub}`, 'subscription'],
      ['GET', `/subscriptions/${sub}/resourcegroups`, 'resourceGroups'],
      ['PUT', `/subscriptions/${sub}/resourcegroups/rg`, 'resourceGroup'],
      ['GET', `/subscriptions/${sub}/resourceGroups/rg/resources`, 'genericList'],
      ['GET', `/subscriptions/${sub}/operationresults/abc`, 'groupOperationResult'],
      ['GET', `/subscriptions/${sub}/providers`, 'providers'],
      ['GET', `/subscriptions/${sub}/providers/Microsoft.Storage`, 'provider'],
      ['POST', `/subscriptions/${sub}/providers/Microsoft.Storage/checkNameAvailability`, 'providerAction'],
      ['GET', `/subscriptions/${sub}/providers/Microsoft.Storage/locations/westus/operationStatuses/op1`, 'operation'],
      ['GET', `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts`, 'collection'],
      ['PUT', `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa`, 'resource'],
      [
        'POST',
        `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/listKeys`,
        'action',
      ],
      ['GET', '/providers/Microsoft.Management/managementGroups/mg', 'resource'],
      ['GET', '/tenants', 'tenants'],
    ];
    for (const [method, path, kind] of table) assert.equal(parseArmPath(method, split(path)).kind, kind, path);
  });

  it('splits extension resources at the last /providers/ and keeps casing', () => {
    const path = parseArmPath(
      'PUT',
      split(
        `/SUBSCRIPTIONS/${sub}` +
          `/RESOURCEGROUPS/Rg/PROVIDERS/Microsoft.Sql/servers/S1/databases/Db/providers/Microsoft.Authorization/roleAssignments/ra`,
      ),
    );
    assert.equal(path.kind, 'resource');
    if (path.kind !== 'resource') return;
    assert.equal(
      path.resource.id,
      `/subscriptions/${sub}` +
        `/resourceGroups/Rg/providers/Microsoft.Sql/servers/S1/databases/Db/providers/Microsoft.Authorization/roleAssignments/ra`,
    );
    assert.equal(path.resource.fullType, 'Microsoft.Authorization/roleAssignments');
    assert.equal(path.resource.scope.resource?.fullType, 'Microsoft.Sql/servers/databases');
    assert.equal(
      path.resource.scope.resource?.parentId,
      `/subscriptions/${sub}/resourceGroups/Rg/providers/Microsoft.Sql/servers/S1`,
    );
    assert.equal(path.resource.resourceGroup, 'Rg');
  });

  it('rejects malformed paths with ARM codes', () => {
    const codeOf = (path: string) => {
      try {
        parseArmPath('GET', split(path));
        return 'none';
      } catch (error) {
        return error instanceof ArmError ? error.code : 'other';
      }
    };
    assert.equal(codeOf('/subscriptions/nope'), 'InvalidSubscriptionId');
    assert.equal(codeOf('/resourceGroups/rg'), 'MissingSubscription');
    assert.equal(codeOf(`/subscriptions/${sub}/resourceGroups/rg./providers/A.B/c/d`), 'InvalidResourceGroup');
    assert.equal(codeOf(`/subscriptions/${sub}/providers/NoDots/things/x`), 'InvalidResourceNamespace');
    assert.equal(codeOf(`/subscriptions/${sub}/providers/A.B/th-ings/x`), 'InvalidResourceType');
  });
});
