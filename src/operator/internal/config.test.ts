import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jitteredSyncDelay, parseDuration, readOperatorConfig } from './config.js';

test('defaults', () => {
  const config = readOperatorConfig({});
  assert.equal(config.syncPeriodMs, 3_600_000);
  assert.equal(config.maxConcurrentReconciles, 4, 'per kind');
  assert.equal(config.reconcileTimeoutMs, 300_000);
  assert.equal(config.armRequestTimeoutMs, 60_000);
  assert.equal(config.kubeRequestTimeoutMs, 30_000);
  assert.equal(config.driftReadShare, 0.5);
  assert.equal(config.armMaxInFlight, 64);
  assert.equal(config.targetNamespaces, undefined);
  assert.equal(config.defaultReconcilePolicy, undefined);
  assert.equal(config.armEndpoint, 'https://management.azure.com');
  assert.equal(config.operatorNamespace, 'azureserviceoperator-system');
});

test('env values', () => {
  const config = readOperatorConfig({
    AZURE_SYNC_PERIOD: 'never',
    MAX_CONCURRENT_RECONCILES: '4',
    AZURE_TARGET_NAMESPACES: 'a, b;c',
    DEFAULT_RECONCILE_POLICY: 'detach-on-delete',
    AZURE_SUBSCRIPTION_ID: 's',
  });
  assert.equal(config.syncPeriodMs, undefined);
  assert.equal(config.maxConcurrentReconciles, 4);
  assert.deepEqual(config.targetNamespaces, ['a', 'b', 'c']);
  assert.equal(config.defaultReconcilePolicy, 'detach-on-delete');
  assert.equal(config.subscriptionId, 's');
  assert.equal(readOperatorConfig({ DEFAULT_RECONCILE_POLICY: 'bogus' }).invalidDefaultPolicy, 'bogus');
  assert.throws(() => readOperatorConfig({ MAX_CONCURRENT_RECONCILES: '0' }));
  const tuned = readOperatorConfig({
    AZO_RECONCILE_TIMEOUT: '90s',
    AZO_DRIFT_READ_SHARE: '0.25',
    AZO_ARM_MAX_IN_FLIGHT: '8',
  });
  assert.deepEqual([tuned.reconcileTimeoutMs, tuned.driftReadShare, tuned.armMaxInFlight], [90_000, 0.25, 8]);
  assert.throws(
    () => readOperatorConfig({ AZO_DRIFT_READ_SHARE: '2' }),
    /AZO_DRIFT_READ_SHARE must be a number in \(0, 1\]/,
  );
  assert.throws(
    () => readOperatorConfig({ AZO_KUBE_REQUEST_TIMEOUT: 'soon' }),
    /AZO_KUBE_REQUEST_TIMEOUT must be a duration/,
  );
});

test('durations and jitter', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('60'), 60_000);
  assert.throws(() => parseDuration('1 day'));
  assert.equal(
    jitteredSyncDelay(1000, () => 0),
    750,
  );
  assert.equal(
    jitteredSyncDelay(1000, () => 1),
    1250,
  );
});
