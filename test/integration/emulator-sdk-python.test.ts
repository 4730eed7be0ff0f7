/**
 * The emulator at default flags driven by Azure's Python SDK from Debian (`python3-azure`, installed by `.ci/run`):
 * a second client family nobody here wrote, at its own api-versions (storage 2022-09-01, network 2022-07-01), whose
 * LRO pollers accept only the status codes Azure's REST specs declare. Skips, saying why, only when the Python
 * packages cannot be imported.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { listKindModels } from '../../src/model/index.js';
import { startTestEmulator, subscriptionId } from './emulator-helpers.js';

/** Debian's interpreter (a pyenv or venv python3 first on PATH does not see Debian's packages). */
const python = process.env.AZO_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(
  python,
  ['-c', 'import azure.identity, azure.mgmt.resource, azure.mgmt.storage, azure.mgmt.network, azure.mgmt.msi'],
  { encoding: 'utf8' },
);
const skip =
  probe.status === 0
    ? false
    : `Azure's Python SDK is not importable by ${python} (apt-get install python3-azure): ` +
      `${(probe.stderr ?? probe.error?.message ?? '').trim().split('\n').pop() ?? ''}`;

describe("emulator at default flags with Azure's Python SDK (Debian python3-azure)", { skip }, () => {
  it('token, groups (LRO delete, check-existence), storage (LRO, names, keys, container), identity, VNet subnets, errors', async () => {
    const { emulator, cleanup } = await startTestEmulator({ models: await listKindModels() });
    try {
      const script = fileURLToPath(new URL('./emulator-sdk-python.py', import.meta.url));
      const child = spawn(python, [script], {
        env: {
          ...process.env,
          REQUESTS_CA_BUNDLE: emulator.caFile ?? '',
          EMULATOR_URL: emulator.url,
          EMULATOR_TENANT: emulator.tenantId,
          SUBSCRIPTION_ID: subscriptionId,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, `python failed:\n${stderr}`);
      const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
      assert.equal(out.tokenParts, 3);
      assert.deepEqual(out.group, { name: 'py-group', location: 'westus' });
      assert.equal(out.exists, true);
      assert.equal(out.missingExists, false);
      assert.equal(out.groups, true);
      assert.equal(out.nameFree, true);
      assert.equal((out.account as { state?: string }).state, 'Succeeded');
      assert.deepEqual(out.nameTaken, { available: false, reason: 'AlreadyExists' });
      assert.equal(out.keys, 2);
      assert.equal(out.container, 'reports');
      assert.deepEqual(out.identity, { name: 'py-identity', hasClientId: true });
      assert.deepEqual(out.vnetSubnets, ['s1']);
      assert.deepEqual(out.subnet, { name: 's1', prefix: '10.1.1.0/24' });
      assert.deepEqual(out.listedTypes, [
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.Network/virtualNetworks',
        'Microsoft.Storage/storageAccounts',
      ]);
      assert.deepEqual(out.notFound, { type: 'ResourceNotFoundError', status: 404, code: 'ResourceNotFound' });
      assert.deepEqual(out.badLocation, {
        type: 'HttpResponseError',
        status: 400,
        code: 'LocationNotAvailableForResourceGroup',
      });
      assert.equal(out.existsAfterDelete, false);
      assert.deepEqual(out.accountAfterDelete, {
        type: 'ResourceNotFoundError',
        status: 404,
        code: 'ResourceGroupNotFound',
      });
      const versions = new Set(emulator.requestLog().map((entry) => entry.apiVersion));
      for (const version of ['2022-09-01', '2022-07-01'])
        assert.ok(versions.has(version), `the Python SDK spoke ${version}`);
    } finally {
      await cleanup();
    }
  });
});
