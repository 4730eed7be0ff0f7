// End to end as a user runs it: `azo apiserver`, `azo emulator` and `azo operator` as separate processes, ASO's own
// sample manifests applied with the real kubectl. The samples reach Ready with the expected PUT bodies; re-applying
// them and forced resyncs make zero PUTs and no Kubernetes writes; a spec change makes exactly one PUT (and a
// VirtualNetwork PUT keeps its subnet); the operator killed during a long-running PUT resumes without a second PUT;
// deletes under manage, detach-on-delete and skip do what they promise in the emulator; the password and the client
// secret never appear in the operator's (debug) logs, Events or status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  clientSecret,
  count,
  eventReasons,
  eventually,
  isGone,
  manifest,
  readSample,
  samplesDir,
  startE2e,
  subscriptionId,
  waitForReady,
} from './operator-helpers.js';

const rgPath = `/subscriptions/${subscriptionId}/resourceGroups/aso-sample-rg`;
const pgPassword = 'Pg-Passw0rd-E2E!';
const apiVersions = {
  rg: '2020-06-01',
  storage: '2023-01-01',
  network: '2020-11-01',
  identity: '2018-11-30',
  vault: '2023-07-01',
  roleAssignment: '2022-04-01',
  postgres: '2025-08-01',
};

// ASO's docs give the sample ResourceGroup as this manifest (the copied v1beta file uses an obsolete version).
const resourceGroup = `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: aso-sample-rg
  namespace: default
spec:
  location: westcentralus
`;
// The PostgreSQL sample expects this Secret (not part of ASO's samples).
const adminPassword = `apiVersion: v1
kind: Secret
metadata:
  name: server-admin-pw
  namespace: default
stringData:
  password: ${pgPassword}
`;
const sampleFiles = [
  'storage/v20230101/v20230101_storageaccount.yaml',
  'storage/v20230101/v20230101_storageaccountsblobservice.yaml',
  'storage/v20230101/v20230101_storageaccountsblobservicescontainer.yaml',
  'network/v1api20201101/v1api20201101_virtualnetwork.yaml',
  'network/v1api20201101/v1api20201101_virtualnetworkssubnet.yaml',
  'keyvault/v1api20230701/refs/v1api20181130_userassignedidentity.yaml',
  'keyvault/v1api20230701/v1api20230701_vault.yaml',
  'authorization/v1api20220401/v1api20220401_roleassignment.yaml',
  'dbforpostgresql/v20250801/v20250801_flexibleserver.yaml',
];
const resources = [
  'resourcegroup/aso-sample-rg',
  'storageaccount/samplekubestorage',
  'storageaccountsblobservice/samplekubestorageservice',
  'storageaccountsblobservicescontainer/samplecontainer',
  'virtualnetwork/samplevnet',
  'virtualnetworkssubnet/samplesubnet',
  'userassignedidentity/sampleuserassignedidentity',
  'vault/samplevault',
  'roleassignment/aso-sample-contributor',
  'flexibleserver/asosampleserver20250801',
];

/** The samples as one multi-document manifest. The old subnet sample still sets `spec.location`, which the subnet
 * kind does not have (strict field validation refuses it), so that one line is dropped. */
function samplesManifest(): string {
  const documents = sampleFiles.map((file) => {
    const text = readSample(file);
    if (!file.endsWith('_virtualnetworkssubnet.yaml')) return text;
    const [document] = parseAllDocuments(text);
    document?.deleteIn(['spec', 'location']);
    return String(document);
  });
  return [resourceGroup, adminPassword, ...documents].join('\n---\n');
}

const slowStorageAccount = `apiVersion: storage.azure.com/v1api20230101
kind: StorageAccount
metadata:
  name: asoslowsa
  namespace: default
spec:
  location: westcentralus
  kind: StorageV2
  sku:
    name: Standard_LRS
  owner:
    name: aso-sample-rg
`;

const samplesPresent = existsSync(samplesDir);

test(
  'ASO samples through azo processes and kubectl',
  { skip: samplesPresent ? false : `no ASO samples at ${samplesDir} (../shared absent; set AZO_ASO_SAMPLES)` },
  async (t) => {
    const environment = await startE2e();
    t.after(() => environment.close());
    const debug = ['--log-level', 'debug'];
    await environment.startOperator({}, debug);
    const file = manifest(environment, 'samples.yaml', samplesManifest());
    const identityPath = `${rgPath}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sampleuserassignedidentity`;
    const paths: Record<string, string> = {
      'resourcegroup/aso-sample-rg': rgPath,
      'storageaccount/samplekubestorage': `${rgPath}/providers/Microsoft.Storage/storageAccounts/samplekubestorage`,
      'storageaccountsblobservice/samplekubestorageservice': `${rgPath}/providers/Microsoft.Storage/storageAccounts/samplekubestorage/blobServices/default`,
      'storageaccountsblobservicescontainer/samplecontainer': `${rgPath}/providers/Microsoft.Storage/storageAccounts/samplekubestorage/blobServices/default/containers/samplecontainer`,
      'virtualnetwork/samplevnet': `${rgPath}/providers/Microsoft.Network/virtualNetworks/samplevnet`,
      'virtualnetworkssubnet/samplesubnet': `${rgPath}/providers/Microsoft.Network/virtualNetworks/samplevnet/subnets/samplesubnet`,
      'userassignedidentity/sampleuserassignedidentity': identityPath,
      'vault/samplevault': `${rgPath}/providers/Microsoft.KeyVault/vaults/samplevault`,
      'flexibleserver/asosampleserver20250801': `${rgPath}/providers/Microsoft.DBforPostgreSQL/flexibleServers/asosampleserver20250801`,
    };

    await t.test('the samples reach Ready; the emulator received one PUT each, with the expected bodies', async () => {
      await environment.kubectl(['apply', '-f', file]);
      for (const resource of resources) await waitForReady(environment, resource);
      const log = await environment.armLog();
      const puts = log.filter((entry) => entry.method === 'PUT');
      const raPut = puts.find((entry) => entry.path.includes('/providers/Microsoft.Authorization/roleAssignments/'));
      assert.ok(raPut, 'a role assignment PUT');
      // RoleAssignment: no azureName, so its name is a UUIDv5 derived from the object, stable across reconciles.
      assert.match(
        raPut.path,
        new RegExp(
          `^${rgPath}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
        ),
      );
      paths['roleassignment/aso-sample-contributor'] = raPut.path;
      // The blob service exists in Azure as soon as its account does (as in Azure): adopted as it is, with no PUT.
      const implicit = ['storageaccountsblobservice/samplekubestorageservice'];
      const written = resources.filter((resource) => !implicit.includes(resource));
      for (const resource of written)
        assert.equal(count(log, 'PUT', paths[resource] ?? '?'), 1, `one PUT for ${resource}`);
      for (const resource of implicit)
        assert.equal(count(log, 'PUT', paths[resource] ?? '?'), 0, `no PUT for ${resource}`);
      assert.equal(puts.length, written.length, 'no other PUTs');

      // The identity exported its IDs to the ConfigMap the Vault and the RoleAssignment read.
      const settings = JSON.parse(await environment.kubectl(['get', 'configmap/identity-settings', '-o', 'json'])) as {
        data: Record<string, string>;
        metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
      };
      const identity = (await environment.armGet(identityPath, apiVersions.identity)).body as {
        properties: { principalId: string; clientId: string; tenantId: string };
      };
      assert.deepEqual(settings.data, {
        principalId: identity.properties.principalId,
        clientId: identity.properties.clientId,
        tenantId: identity.properties.tenantId,
      });
      assert.deepEqual(
        settings.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`),
        ['UserAssignedIdentity/sampleuserassignedidentity'],
      );
      const { principalId, clientId, tenantId } = settings.data as {
        principalId: string;
        clientId: string;
        tenantId: string;
      };

      const bodyOf = (resource: string) => puts.find((entry) => entry.path === paths[resource])?.body;
      const permissions = { certificates: ['get'], keys: ['get'], secrets: ['get'], storage: ['get'] };
      const expected: Record<string, unknown> = {
        'resourcegroup/aso-sample-rg': { name: 'aso-sample-rg', location: 'westcentralus' },
        'storageaccount/samplekubestorage': {
          name: 'samplekubestorage',
          location: 'westcentralus',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          properties: { accessTier: 'Hot' },
        },
        'storageaccountsblobservicescontainer/samplecontainer': { name: 'samplecontainer' },
        'virtualnetwork/samplevnet': {
          name: 'samplevnet',
          location: 'westcentralus',
          properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
        },
        'virtualnetworkssubnet/samplesubnet': { name: 'samplesubnet', properties: { addressPrefix: '10.0.0.0/24' } },
        'userassignedidentity/sampleuserassignedidentity': {
          name: 'sampleuserassignedidentity',
          location: 'westcentralus',
        },
        // createMode createOrRecover is ASO's operator-side mode: no soft-deleted vault exists, so ARM gets `default`.
        'vault/samplevault': {
          name: 'samplevault',
          location: 'westcentralus',
          properties: {
            tenantId,
            sku: { family: 'A', name: 'standard' },
            createMode: 'default',
            accessPolicies: [
              { applicationId: clientId, objectId: principalId, tenantId, permissions },
              {
                applicationId: '1C793267-c310-d4ae-7BD5-5Af5BEF875D3',
                objectId: '1C793267-c310-d4ae-7BD5-5Af5BEF875D3',
                tenantId: '00000000-0000-0000-0000-000000000000',
                permissions,
              },
            ],
          },
        },
        'roleassignment/aso-sample-contributor': {
          name: raPut.path.split('/').pop(),
          // wellKnownName Reader → the built-in role's ID; principalId from the identity's exported ConfigMap.
          properties: {
            roleDefinitionId:
              `/subscriptions/${subscriptionId}` +
              `/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
            principalId,
          },
        },
        'flexibleserver/asosampleserver20250801': {
          name: 'asosampleserver20250801',
          location: 'uksouth',
          sku: { name: 'Standard_D4s_v3', tier: 'GeneralPurpose' },
          properties: {
            version: '18',
            administratorLogin: 'myAdmin',
            administratorLoginPassword: pgPassword,
            storage: { storageSizeGB: 128 },
          },
        },
      };
      for (const resource of written) assert.deepEqual(bodyOf(resource), expected[resource], `PUT body of ${resource}`);
      const reasons = await eventReasons(environment, 'aso-sample-rg');
      for (const reason of ['Creating', 'Succeeded'])
        assert.equal(reasons.filter((r) => r === reason).length, 1, `one ${reason} Event (${reasons.join(', ')})`);
      assert.ok(
        !(await environment.kubectl(['get', 'flexibleserver/asosampleserver20250801', '-o', 'json'])).includes(
          pgPassword,
        ),
        'the password is not in the object',
      );
    });

    const resourceVersions = async () => {
      const out = await environment.kubectl([
        'get',
        ...resources,
        '-o',
        'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}',
      ]);
      return out.trim().split(' ').sort();
    };

    await t.test(
      're-applying the unchanged samples and forced resyncs (restart, then a 1 s sync period) make zero PUTs and ' +
        'no Kubernetes writes',
      async () => {
        // First one re-read of everything: a parent's status may still lack what was created after it (Azure lists a
        // VNet's subnets in the VNet), and picking that up is a legitimate status write. After it, nothing may change.
        await environment.emulatorAdmin('DELETE', 'requests');
        await environment.operator?.stop();
        await environment.startOperator({}, debug);
        await eventually(async () => {
          const log = await environment.armLog();
          return Object.values(paths).every((path) => count(log, 'GET', path) >= 1) ? true : undefined;
        }, 'every sample read from Azure once');
        let previous: string[] = [];
        const before = await eventually(
          async () => {
            const current = await resourceVersions();
            const settled = JSON.stringify(current) === JSON.stringify(previous);
            previous = current;
            return settled ? current : undefined;
          },
          'the objects settled after that re-read',
          100,
        );
        await environment.emulatorAdmin('DELETE', 'requests');
        await environment.kubectl(['apply', '-f', file]);
        await environment.operator?.stop();
        // A restarted operator reconciles every object; AZURE_SYNC_PERIOD=1s then re-checks each against Azure again.
        await environment.startOperator({ AZURE_SYNC_PERIOD: '1s' }, debug);
        await eventually(async () => {
          const log = await environment.armLog();
          return Object.values(paths).every((path) => count(log, 'GET', path) >= 3) ? true : undefined;
        }, 'every sample read from Azure at least three times');
        await environment.operator?.stop();
        const log = await environment.armLog();
        assert.deepEqual(
          log
            .filter((entry) => entry.path.startsWith('/subscriptions/') && entry.method !== 'GET')
            .map((entry) => `${entry.method} ${entry.path}`),
          [],
          'only reads',
        );
        assert.deepEqual(await resourceVersions(), before, 'no Kubernetes write to an up-to-date object');
        await environment.startOperator({}, debug);
      },
    );

    await t.test(
      'a spec change makes exactly one PUT, and the VirtualNetwork PUT keeps its separately managed subnet',
      async () => {
        await environment.emulatorAdmin('DELETE', 'requests');
        await environment.kubectl([
          'patch',
          'virtualnetwork/samplevnet',
          '--type=merge',
          '-p',
          '{"spec":{"tags":{"team":"e2e"}}}',
        ]);
        await waitForReady(environment, 'virtualnetwork/samplevnet');
        const puts = (await environment.armLog()).filter((entry) => entry.method === 'PUT');
        assert.equal(puts.length, 1);
        const body = puts[0]?.body as {
          tags?: unknown;
          properties: { subnets?: Array<{ name: string; properties?: { addressPrefix?: string } }> };
        };
        assert.deepEqual(body.tags, { team: 'e2e' });
        assert.deepEqual(
          body.properties.subnets?.map((subnet) => `${subnet.name} ${subnet.properties?.addressPrefix ?? ''}`),
          ['samplesubnet 10.0.0.0/24'],
        );
        assert.equal(
          (await environment.armGet(paths['virtualnetworkssubnet/samplesubnet'] ?? '', apiVersions.network)).status,
          200,
          'the subnet still exists',
        );
      },
    );

    await t.test('the operator killed during a long-running PUT resumes polling without a second PUT', async () => {
      await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 4000 });
      await environment.emulatorAdmin('DELETE', 'requests');
      await environment.kubectl(['apply', '-f', manifest(environment, 'slow.yaml', slowStorageAccount)]);
      await eventually(
        async () => {
          const token = await environment.kubectl([
            'get',
            'storageaccount/asoslowsa',
            '-o',
            'jsonpath={.metadata.annotations.serviceoperator\\.azure\\.com/poller-resume-token}',
          ]);
          return token.trim() !== '' ? true : undefined;
        },
        'a resume token on the object',
        150,
      );
      await environment.operator?.stop('SIGKILL');
      await environment.startOperator({}, debug);
      await waitForReady(environment, 'storageaccount/asoslowsa');
      await environment.emulatorAdmin('PATCH', 'config', { latencyMs: 0 });
      assert.equal(count(await environment.armLog(), 'PUT', '/storageAccounts/asoslowsa'), 1);
      const annotations = await environment.kubectl([
        'get',
        'storageaccount/asoslowsa',
        '-o',
        'jsonpath={.metadata.annotations}',
      ]);
      assert.ok(!annotations.includes('poller-resume-token'), 'the resume token is cleared once done');
    });

    await t.test(
      'delete: detach-on-delete and skip keep the Azure resource; manage deletes it; children of a deleted group ' +
        'let go',
      async () => {
        await environment.emulatorAdmin('DELETE', 'requests');
        await environment.kubectl([
          'annotate',
          'vault/samplevault',
          'serviceoperator.azure.com/reconcile-policy=detach-on-delete',
        ]);
        await environment.kubectl([
          'annotate',
          'userassignedidentity/sampleuserassignedidentity',
          'serviceoperator.azure.com/reconcile-policy=skip',
        ]);
        await environment.kubectl([
          'delete',
          'vault/samplevault',
          'userassignedidentity/sampleuserassignedidentity',
          '--wait=true',
          '--timeout=60s',
        ]);
        assert.equal(
          (await environment.armGet(paths['vault/samplevault'] ?? '', apiVersions.vault)).status,
          200,
          'detach-on-delete: the vault is still in Azure',
        );
        assert.equal(
          (await environment.armGet(identityPath, apiVersions.identity)).status,
          200,
          'skip: the identity is still in Azure',
        );

        await environment.kubectl([
          'delete',
          'roleassignment/aso-sample-contributor',
          'flexibleserver/asosampleserver20250801',
          '--wait=true',
          '--timeout=60s',
        ]);
        assert.equal(
          (await environment.armGet(paths['roleassignment/aso-sample-contributor'] ?? '', apiVersions.roleAssignment))
            .status,
          404,
          'manage: the role assignment is gone',
        );
        assert.equal(
          (await environment.armGet(paths['flexibleserver/asosampleserver20250801'] ?? '', apiVersions.postgres))
            .status,
          404,
          'manage: the server is gone',
        );

        // Only the group: Azure deletes what is in it; Kubernetes garbage-collects the children (ownerReferences),
        // which
        // then let go without a DELETE of their own (their owner is gone), as ASO does.
        await environment.kubectl(['delete', 'resourcegroup/aso-sample-rg', '--wait=true', '--timeout=60s']);
        for (const resource of [...resources.slice(1, 6), 'storageaccount/asoslowsa']) {
          await eventually(
            async () => ((await isGone(environment, resource)) ? true : undefined),
            `${resource} garbage-collected`,
          );
        }
        assert.equal((await environment.armGet(rgPath, apiVersions.rg)).status, 404, 'manage: the group is gone');
        const log = await environment.armLog();
        assert.deepEqual(
          log
            .filter((entry) => entry.method === 'DELETE')
            .map((entry) => entry.path)
            .sort(),
          [
            paths['roleassignment/aso-sample-contributor'],
            paths['flexibleserver/asosampleserver20250801'],
            rgPath,
          ].sort(),
          'only the role assignment, the server and the group',
        );
        assert.deepEqual(
          log.filter((entry) => entry.method === 'PUT').map((entry) => entry.path),
          [],
          'nothing (re)created while deleting',
        );
      },
    );

    await t.test(
      'the password and the client secret never appear in the operator logs, Events or objects',
      async () => {
        const events = await environment.kubectl(['get', 'events', '-A', '-o', 'json']);
        for (const secret of [pgPassword, clientSecret]) {
          for (const operator of environment.operators)
            assert.ok(!operator.output().includes(secret), 'not in the operator output');
          assert.ok(!events.includes(secret), 'not in Events');
        }
        assert.ok(
          environment.operators.every((operator) => operator.output().includes('"level":20')),
          'the logs checked were debug logs',
        );
      },
    );
  },
);
