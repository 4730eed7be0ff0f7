// More ASO samples end to end (separate processes, real kubectl): Key Vault, a RoleAssignment (GUID name, well-known
// role), a PostgreSQL FlexibleServer whose password comes from a Secret, and delete policies seen from the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, eventually, manifest, startE2e, subscriptionId } from './operator-helpers.js';

const samples = (tenantId: string) => `
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: aso-more-rg
  namespace: default
spec:
  location: westus3
---
apiVersion: keyvault.azure.com/v1api20230701
kind: Vault
metadata:
  name: aso-more-kv
  namespace: default
spec:
  location: westus3
  owner:
    name: aso-more-rg
  properties:
    tenantId: ${tenantId}
    sku:
      family: A
      name: standard
    accessPolicies: []
---
apiVersion: authorization.azure.com/v1api20220401
kind: RoleAssignment
metadata:
  name: aso-more-ra
  namespace: default
spec:
  owner:
    group: resources.azure.com
    kind: ResourceGroup
    name: aso-more-rg
  principalId: 11111111-2222-3333-4444-555555555555
  principalType: ServicePrincipal
  roleDefinitionReference:
    wellKnownName: Contributor
---
apiVersion: v1
kind: Secret
metadata:
  name: aso-more-pg-secret
  namespace: default
stringData:
  password: Pg-Passw0rd-E2E!
---
apiVersion: dbforpostgresql.azure.com/v1api20250801
kind: FlexibleServer
metadata:
  name: aso-more-pg
  namespace: default
spec:
  location: westus3
  owner:
    name: aso-more-rg
  version: "16"
  administratorLogin: myAdmin
  administratorLoginPassword:
    name: aso-more-pg-secret
    key: password
  sku:
    name: Standard_B1ms
    tier: Burstable
  storage:
    storageSizeGB: 32
`;

test('more ASO samples through azo processes and kubectl', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  await environment.startOperator();
  const file = manifest(environment, 'more.yaml', samples(environment.tenantId));
  const rgPath = `/subscriptions/${subscriptionId}/resourceGroups/aso-more-rg`;

  await t.test('Vault, RoleAssignment and FlexibleServer reach Ready', async () => {
    await environment.kubectl(['apply', '-f', file]);
    for (const resource of ['resourcegroup/aso-more-rg', 'vault/aso-more-kv', 'roleassignment/aso-more-ra', 'flexibleserver/aso-more-pg']) {
      await environment.kubectl(['wait', '--for=condition=Ready', '--timeout=90s', resource]).catch(async (error: unknown) => {
        const detail = await environment.kubectl(['get', resource, '-o', 'jsonpath={.status.conditions}']);
        throw new Error(`${(error as Error).message}\n${resource} conditions: ${detail}\n${environment.operator?.output().slice(-3000) ?? ''}`);
      });
    }
    const log = await environment.armLog();
    const ra = log.find((entry) => entry.method === 'PUT' && entry.path.includes('/providers/Microsoft.Authorization/roleAssignments/'));
    assert.ok(ra, 'a role assignment PUT');
    assert.match(ra.path, new RegExp(`^${rgPath}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    assert.equal((ra.body as { properties: { roleDefinitionId: string } }).properties.roleDefinitionId, `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`);
    const pg = log.find((entry) => entry.method === 'PUT' && entry.path.endsWith('/flexibleServers/aso-more-pg'));
    assert.equal((pg?.body as { properties: { administratorLoginPassword: string } }).properties.administratorLoginPassword, 'Pg-Passw0rd-E2E!');
    const status = await environment.kubectl(['get', 'flexibleserver/aso-more-pg', '-o', 'json']);
    assert.ok(!status.includes('Pg-Passw0rd-E2E!'), 'the password is not in the object');
  });

  await t.test('a re-reconcile of the FlexibleServer (write-only password) makes no PUT', async () => {
    await environment.emulatorAdmin('DELETE', 'requests');
    await environment.kubectl(['annotate', '--overwrite', 'flexibleserver/aso-more-pg', 'example.com/touch=1']);
    await eventually(async () => (count(await environment.armLog(), 'GET', '/flexibleServers/aso-more-pg') >= 1 ? true : undefined), 'the server re-read');
    assert.equal(count(await environment.armLog(), 'PUT', '/flexibleServers/aso-more-pg'), 0);
  });

  await t.test('delete: detach-on-delete keeps the Vault, manage deletes the rest', async () => {
    await environment.kubectl(['annotate', 'vault/aso-more-kv', 'serviceoperator.azure.com/reconcile-policy=detach-on-delete']);
    await environment.kubectl(['delete', 'vault/aso-more-kv', 'roleassignment/aso-more-ra', 'flexibleserver/aso-more-pg', '--wait=true', '--timeout=90s']);
    const log = await environment.armLog();
    assert.equal(count(log, 'DELETE', '/vaults/aso-more-kv'), 0);
    assert.equal(count(log, 'DELETE', '/flexibleServers/aso-more-pg'), 1);
    assert.equal(log.filter((entry) => entry.method === 'DELETE' && entry.path.includes('/roleAssignments/')).length, 1);
  });
});
