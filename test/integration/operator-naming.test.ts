// Names Azure gives by GUID (ASO `$defaultAzureName: false`), through the operator over HTTPS against the emulator:
// `operatorSpec.namingConvention: random` gets a random GUID written into spec.azureName before the create, so it
// survives reconciles and restarts; without it (or `stable`) the GUID is derived from the object and spec is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { eventually, startEnvironment, subscriptionId, waitForReady } from './operator-helpers.js';
import { uuidV5 } from '../../src/operator/internal/uuid.js';

const namespace = 'default';
const rg = { group: 'resources.azure.com', version: 'v1api20200601', plural: 'resourcegroups', namespace };
const ra = { group: 'authorization.azure.com', version: 'v1api20220401', plural: 'roleassignments', namespace };
type Obj = { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function roleAssignment(name: string, operatorSpec?: Record<string, unknown>) {
  return {
    apiVersion: `${ra.group}/${ra.version}`,
    kind: 'RoleAssignment',
    metadata: { name },
    spec: {
      owner: { group: 'resources.azure.com', kind: 'ResourceGroup', name: 'rg-naming' },
      principalId: '00000000-0000-0000-0000-00000000a11c',
      roleDefinitionReference: { wellKnownName: 'Reader' },
      ...(operatorSpec ? { operatorSpec } : {}),
    },
  };
}

test('GUID names: random is generated once and kept in spec.azureName; stable is derived', async (t) => {
  const environment = await startEnvironment();
  t.after(() => environment.close());
  const { custom, emulator } = environment;
  const rgBody = { apiVersion: `${rg.group}/${rg.version}`, kind: 'ResourceGroup', metadata: { name: 'rg-naming' } };
  await custom.createNamespacedCustomObject({ ...rg, body: { ...rgBody, spec: { location: 'westus' } } });
  await custom.createNamespacedCustomObject({
    ...ra,
    body: roleAssignment('ra-random', { namingConvention: 'random' }),
  });
  await custom.createNamespacedCustomObject({
    ...ra,
    body: roleAssignment('ra-stable', { namingConvention: 'stable' }),
  });

  const random = (await waitForReady(environment, { ...ra, name: 'ra-random' })) as Obj;
  const name = random.spec?.['azureName'];
  assert.equal(typeof name, 'string');
  assert.match(name as string, guid, 'a random (version 4) GUID, written into spec.azureName');
  const scope = `/subscriptions/${subscriptionId}/resourceGroups/rg-naming`;
  const creates = () =>
    emulator
      .requestLog()
      .filter(
        (entry) => entry.method === 'PUT' && entry.path.includes('/providers/Microsoft.Authorization/roleAssignments/'),
      );
  const randomPuts = creates().filter((entry) => !entry.path.endsWith(uuidV5Of('ra-stable')));
  assert.deepEqual(
    randomPuts.map((entry) => entry.path.split('?')[0]),
    [`${scope}/providers/Microsoft.Authorization/roleAssignments/${String(name)}`],
    'one PUT, at the name the spec holds',
  );

  const stable = (await waitForReady(environment, { ...ra, name: 'ra-stable' })) as Obj;
  assert.equal(stable.spec?.['azureName'], undefined, 'a stable name is derived, not written into the spec');
  assert.ok(creates().some((entry) => entry.path.split('?')[0]?.endsWith(`/roleAssignments/${uuidV5Of('ra-stable')}`)));

  // A later reconcile (a label change) keeps the random name: no new GUID, no second role assignment.
  await custom.patchNamespacedCustomObject(
    { ...ra, name: 'ra-random', body: { metadata: { labels: { touched: 'yes' } } } },
    merge,
  );
  await eventually(async () => {
    const object = (await custom.getNamespacedCustomObject({ ...ra, name: 'ra-random' })) as Obj;
    return object.metadata?.labels?.['touched'] === 'yes' ? object : undefined;
  }, 'the label is stored');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = (await custom.getNamespacedCustomObject({ ...ra, name: 'ra-random' })) as Obj;
  assert.equal(after.spec?.['azureName'], name);
  assert.equal(creates().filter((entry) => !entry.path.endsWith(uuidV5Of('ra-stable'))).length, 1);

  function uuidV5Of(objectName: string): string {
    const owner = 'resources.azure.com/ResourceGroup/rg-naming';
    return uuidV5(`authorization.azure.com/RoleAssignment/${namespace}/${objectName}/${owner}`);
  }
});
