/** The emulator driven by the official Azure SDK clients (@azure/identity, @azure/arm-resources, @azure/arm-storage). */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { runScenario, startTestEmulator } from './emulator-helpers.js';
import { storageAccountModel } from './emulator-models.js';

describe('emulator with the Azure SDK clients', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator({ latencyMs: 300, retryAfterSeconds: 0, models: [storageAccountModel] }));
  });
  after(async () => {
    await cleanup();
  });

  it('serves identity, resource groups and storage accounts as the SDKs expect', async () => {
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'main' })) as Record<string, unknown>;
    assert.equal(out.tokenParts, 3);
    assert.equal(out.assertionWorks, true);
    assert.deepEqual(out.created, { name: 'Rg-One', location: 'westus', state: 'Succeeded', id: '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/Rg-One' });
    assert.deepEqual(out.got, { name: 'Rg-One', tags: { env: 'test' } });
    assert.deepEqual(out.listed, ['Rg-One', 'rg-two']);
    assert.deepEqual(out.account, { name: 'azostorage1', state: 'Succeeded', sku: 'Standard_LRS', tls: 'TLS1_2', type: 'Microsoft.Storage/storageAccounts' });
    assert.equal(out.keysStable, true);
    assert.equal(out.keyRegenerated, true);
    assert.equal(out.afterDelete, 'ResourceNotFound');
    assert.deepEqual(out.groupAfterDelete, { code: 'ResourceGroupNotFound', status: 404 });
    const log = emulator.requestLog();
    const put = log.find((entry) => entry.method === 'PUT' && /storageAccounts\/azostorage1$/i.test(entry.path));
    assert.equal(put?.status, 201);
    assert.equal(put?.apiVersion, '2024-01-01');
    assert.ok(log.some((entry) => /operationStatuses/i.test(entry.path)), 'the storage LRO was polled through Azure-AsyncOperation');
    assert.ok(log.some((entry) => /operationresults/i.test(entry.path)), 'the resource group delete was polled through Location');
  });

  it('lets the SDK retry policy recover from injected 429s, 503s and dropped connections', async () => {
    emulator.resetRequestLog();
    emulator.addFault({ method: 'PUT', path: 'resourceGroups/rg-retry$', status: 429, count: 2 });
    emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-retry$', status: 503, count: 1, retryAfterSeconds: 0 });
    emulator.addFault({ method: 'GET', path: 'resourceGroups/rg-retry$', drop: true, count: 1 });
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'retries' })) as Record<string, unknown>;
    assert.deepEqual(out, { group: 'rg-retry', got: 'rg-retry' });
    const statuses = emulator.requestLog().filter((entry) => /rg-retry$/.test(entry.path)).map((entry) => `${entry.method} ${entry.status}`);
    assert.deepEqual(statuses, ['PUT 429', 'PUT 429', 'PUT 201', 'GET 503', 'GET 0', 'GET 200']);
  });

  it('reports failed operations and validation errors through the SDK', async () => {
    emulator.addFault({ method: 'PUT', path: 'storageAccounts/azofail1$', provisioningState: 'Failed', code: 'StorageQuotaExceeded', message: 'Injected: quota exceeded.' });
    const out = (await runScenario(emulator, './emulator-sdk-scenario.ts', { SCENARIO: 'failure' })) as Record<string, unknown>;
    assert.match(String((out.result as { message?: string }).message), /StorageQuotaExceeded\. Injected: quota exceeded\./);
    assert.deepEqual(out.invalid, { code: 'InvalidParameter', status: 400 });
  });
});
