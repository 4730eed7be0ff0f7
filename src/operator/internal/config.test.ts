import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jitteredSyncDelay, parseDuration, readOperatorConfig } from './config.js';

test('defaults', () => {
  const config = readOperatorConfig({});
  assert.equal(config.syncPeriodMs, 3_600_000);
  assert.equal(config.maxConcurrentReconciles, 1);
  assert.equal(config.targetNamespaces, undefined);
  assert.equal(config.defaultReconcilePolicy, undefined);
  assert.equal(config.armEndpoint, 'https://management.azure.com');
  assert.equal(config.operatorNamespace, 'azureserviceoperator-system');
});

test('env values', () => {
  const config = readOperatorConfig({
    AZURE_SYNC_PERIOD: 'never', MAX_CONCURRENT_RECONCILES: '4', AZURE_TARGET_NAMESPACES: 'a, b;c',
    DEFAULT_RECONCILE_POLICY: 'detach-on-delete', AZURE_SUBSCRIPTION_ID: 's',
  });
  assert.equal(config.syncPeriodMs, undefined);
  assert.equal(config.maxConcurrentReconciles, 4);
  assert.deepEqual(config.targetNamespaces, ['a', 'b', 'c']);
  assert.equal(config.defaultReconcilePolicy, 'detach-on-delete');
  assert.equal(config.subscriptionId, 's');
  assert.equal(readOperatorConfig({ DEFAULT_RECONCILE_POLICY: 'bogus' }).invalidDefaultPolicy, 'bogus');
  assert.throws(() => readOperatorConfig({ MAX_CONCURRENT_RECONCILES: '0' }));
});

test('durations and jitter', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('60'), 60_000);
  assert.throws(() => parseDuration('1 day'));
  assert.equal(jitteredSyncDelay(1000, () => 0), 750);
  assert.equal(jitteredSyncDelay(1000, () => 1), 1250);
});
