// `azo operator` outlives restarts of its API server (`azo apiserver --data-dir`, same port): every watch drops at
// once, the operator keeps running (it used to exit 13 with nothing left on its event loop but unreferenced retry
// timers), resumes its watches and reconciles what was applied meanwhile (found by the chaos soak, test/soak); and it
// still stops on SIGTERM while its watches reconnect.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifest, startE2e, waitForReady } from './operator-helpers.js';

const resourceGroup = (name: string) => `apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: ${name}
  namespace: default
spec:
  location: westus
`;

test('the operator outlives API server restarts and reconciles what was applied meanwhile', async (t) => {
  const environment = await startE2e({ persistent: true });
  t.after(() => environment.close());
  const operator = await environment.startOperator();
  let exit: string | undefined;
  operator.child.once('exit', (code, signal) => (exit = `exit ${code ?? signal}`));
  await environment.kubectl(['apply', '-f', manifest(environment, 'rg1.yaml', resourceGroup('restart-rg1'))]);
  await waitForReady(environment, 'resourcegroup/restart-rg1');

  for (const [index, signal] of (['SIGKILL', 'SIGTERM'] as const).entries()) {
    await environment.restartApiServer({ signal, downMs: 3000 });
    const name = `restart-rg${index + 2}`;
    await environment.kubectl(['apply', '-f', manifest(environment, `${name}.yaml`, resourceGroup(name))]);
    await waitForReady(environment, `resourcegroup/${name}`);
    assert.equal(exit, undefined, `the operator is still running after an API server ${signal}`);
  }
  assert.equal(environment.operators.length, 1, 'one operator process all along');

  // SIGTERM while the watches come back (they restart 2 s after they dropped): stopped informers must not reconnect,
  // and a watch still connecting must not keep the stopped process alive.
  await environment.restartApiServer({ signal: 'SIGKILL', downMs: 0 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const stopping = Date.now();
  const forced = await operator.stop('SIGTERM');
  assert.equal(forced, false, 'the operator stopped on SIGTERM (it was not SIGKILLed after 30 s)');
  assert.ok(Date.now() - stopping < 15_000, `stopped in ${Date.now() - stopping} ms`);
  assert.equal(exit, 'exit 0');
});
