// Leader election on a coordination.k8s.io Lease against the embedded API server: one holder at a time; a released
// Lease is taken over by the waiting instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startApiServer } from '../../src/kube/index.js';
import { electLeader } from '../../src/operator/index.js';

test('leader election', async (t) => {
  const apiServer = await startApiServer({ port: 0 });
  t.after(() => apiServer.close());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const logger = pino({ level: 'silent' });
  const options = { kubeConfig, namespace: 'default', logger, leaseDurationMs: 3000, renewIntervalMs: 200, retryIntervalMs: 50 };
  const first = await electLeader({ ...options, identity: 'one' });
  let secondLeads = false;
  const second = electLeader({ ...options, identity: 'two' }).then((leadership) => {
    secondLeads = true;
    return leadership;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(secondLeads, false, 'the second instance waits while the first renews');
  const lease = await kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'azo-operator-leader', namespace: 'default' });
  assert.equal(lease.spec?.holderIdentity, 'one');
  await first.release();
  const leadership = await second;
  const after = await kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'azo-operator-leader', namespace: 'default' });
  assert.equal(after.spec?.holderIdentity, 'two');
  assert.equal(after.spec?.leaseTransitions, 1);
  await leadership.release();
});
