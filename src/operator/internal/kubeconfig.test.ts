// Kubeconfig files and in-cluster config, read from real files (and a real exec plugin) in a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeHttp } from './kube-http.js';
import { inClusterConfig, loadKubeconfigFiles } from './kubeconfig.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'azo-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function kubeconfig(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team' } }],
    'current-context': 'ctx',
    ...extra,
  });
}

async function optionsOf(config: { applyToHTTPSOptions(options: RequestOptions): Promise<void> }) {
  const options: RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  return options;
}

test('a token and inline certificate data', async (t) => {
  const file = join(tempDir(t), 'config');
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
  writeFileSync(
    file,
    kubeconfig(
      {
        server: 'https://k8s.example:6443',
        'certificate-authority-data': ca.toString('base64'),
        'tls-server-name': 'kube',
      },
      { token: 'secret-token' },
    ),
  );
  const config = loadKubeconfigFiles([file]);
  assert.equal(config.getCurrentCluster().server, 'https://k8s.example:6443');
  assert.equal(config.namespace, 'team');
  const options = await optionsOf(config);
  assert.deepEqual(options.ca, ca);
  assert.equal(options.servername, 'kube');
  assert.equal(options.rejectUnauthorized, undefined);
  assert.deepEqual(options.headers, { authorization: 'Bearer secret-token' });
});

test('certificates and a token file named relative to the kubeconfig, insecure-skip-tls-verify', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'client.pem'), 'CERT');
  writeFileSync(join(dir, 'client-key.pem'), 'KEY');
  writeFileSync(join(dir, 'token'), 'from-file\n');
  const file = join(dir, 'config');
  writeFileSync(
    file,
    kubeconfig(
      { server: 'https://k8s.example', 'certificate-authority': 'ca.pem', 'insecure-skip-tls-verify': true },
      { 'client-certificate': 'client.pem', 'client-key': 'client-key.pem', tokenFile: 'token' },
    ),
  );
  const options = await optionsOf(loadKubeconfigFiles([file]));
  assert.equal(String(options.ca), 'CA');
  assert.equal(String(options.cert), 'CERT');
  assert.equal(String(options.key), 'KEY');
  assert.equal(options.rejectUnauthorized, false);
  assert.deepEqual(options.headers, { authorization: 'Bearer from-file' });
});

test('basic auth', async (t) => {
  const file = join(tempDir(t), 'config');
  writeFileSync(file, kubeconfig({ server: 'http://127.0.0.1:1' }, { username: 'admin', password: 'pw' }));
  const options = await optionsOf(loadKubeconfigFiles([file]));
  assert.equal(options.auth, 'admin:pw');
});

test('several files merge as kubectl merges them: the first to name an entry or current-context wins', async (t) => {
  const dir = tempDir(t);
  const first = join(dir, 'a');
  const second = join(dir, 'b');
  writeFileSync(first, stringify({ users: [{ name: 'u', user: { token: 'first' } }], 'current-context': 'ctx' }));
  writeFileSync(second, kubeconfig({ server: 'https://second' }, { token: 'second' }, { 'current-context': 'other' }));
  const config = loadKubeconfigFiles([first, second]);
  assert.equal(config.getCurrentCluster().server, 'https://second');
  assert.deepEqual((await optionsOf(config)).headers, { authorization: 'Bearer first' });
});

test('errors name the file and the entry', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'config');
  writeFileSync(file, kubeconfig({ server: 'https://x' }, {}, { 'current-context': 'nope' }));
  assert.throws(
    () => loadKubeconfigFiles([file]),
    new RegExp(`kubeconfig ${file}: current-context nope is not in contexts`),
  );
  writeFileSync(file, kubeconfig({ server: 'https://x', 'certificate-authority': 'missing.pem' }, {}));
  assert.throws(
    () => loadKubeconfigFiles([file]),
    /cluster c: certificate-authority: cannot read .*missing\.pem: ENOENT/,
  );
  writeFileSync(file, kubeconfig({}, {}));
  assert.throws(() => loadKubeconfigFiles([file]), /cluster c has no server/);
  writeFileSync(file, kubeconfig({ server: 'https://x' }, { 'auth-provider': { name: 'azure' } }));
  assert.throws(() => loadKubeconfigFiles([file]), /user u uses auth-provider azure, which azo does not support/);
  writeFileSync(file, kubeconfig({ server: 'https://x', 'proxy-url': 'http://proxy:3128' }, {}));
  assert.throws(() => loadKubeconfigFiles([file]), /cluster c: proxy-url is not supported/);
  writeFileSync(file, 'clusters: [oops');
  assert.throws(() => loadKubeconfigFiles([file]), new RegExp(`kubeconfig ${file}: `));
});

test('an exec plugin: its token is sent, and kept until its expirationTimestamp', async (t) => {
  const dir = tempDir(t);
  const runs = join(dir, 'runs');
  writeFileSync(runs, '');
  // The plugin records each run (with the ExecCredential kubectl hands it) and prints a token valid for 1 s.
  const plugin = join(dir, 'plugin.mjs');
  writeFileSync(
    plugin,
    [
      '#!/usr/bin/env node',
      "import { appendFileSync } from 'node:fs';",
      'const { KUBERNETES_EXEC_INFO: info, EXTRA: extra } = process.env;',
      `appendFileSync(${JSON.stringify(runs)}, [info, process.argv[2], extra].join(' ') + '\\n');`,
      'const expirationTimestamp = new Date(Date.now() + 1000).toISOString();',
      "const status = { token: 'exec-token', expirationTimestamp };",
      "console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status }));",
    ].join('\n'),
  );
  chmodSync(plugin, 0o755);
  const seen: string[] = [];
  let refuse = false;
  const server = createServer((request, response) => {
    seen.push(request.headers.authorization ?? '');
    if (refuse) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"kind":"Status","message":"Unauthorized"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"kind":"Namespace"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const file = join(dir, 'config');
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: './plugin.mjs',
    args: ['get-token'],
    env: [{ name: 'EXTRA', value: 'yes' }],
    interactiveMode: 'Never',
  };
  writeFileSync(file, kubeconfig({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { exec }));
  const http = new KubeHttp(loadKubeconfigFiles([file]));
  const get = () => http.request({ method: 'GET', path: '/api/v1/namespaces/default' });
  await Promise.all([get(), get()]);
  await get();
  assert.deepEqual(seen, ['Bearer exec-token', 'Bearer exec-token', 'Bearer exec-token']);
  const lines = () => readFileSync(runs, 'utf8').trim().split('\n');
  assert.equal(lines().length, 1, 'one run while the token is valid');
  assert.match(
    lines()[0] ?? '',
    /^\{"apiVersion":"client.authentication.k8s.io\/v1","kind":"ExecCredential".* get-token yes$/,
  );
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await get();
  assert.equal(lines().length, 2, 'run again once expired');
  refuse = true;
  await assert.rejects(get(), /HTTP 401/);
  refuse = false;
  await get();
  assert.equal(lines().length, 3, 'run again after the API server refused its token');
});

test('an exec plugin that fails or prints something else is reported with the kubeconfig and user', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'config');
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'sh',
    args: ['-c', 'echo no login >&2; exit 1'],
  };
  writeFileSync(file, kubeconfig({ server: 'http://127.0.0.1:1' }, { exec }));
  await assert.rejects(
    optionsOf(loadKubeconfigFiles([file])),
    new RegExp(`kubeconfig ${file}: user u: exec plugin sh failed: no login`),
  );
  exec.args = ['-c', 'echo "{\\"kind\\":\\"Pod\\"}"'];
  writeFileSync(file, kubeconfig({ server: 'http://127.0.0.1:1' }, { exec }));
  await assert.rejects(
    optionsOf(loadKubeconfigFiles([file])),
    /not client.authentication.k8s.io\/v1beta1 ExecCredential/,
  );
});

test('in-cluster: service host and port, the mounted CA and namespace, a token read again each minute', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'token'), 'token-1');
  writeFileSync(join(dir, 'ca.crt'), 'CLUSTER-CA');
  writeFileSync(join(dir, 'namespace'), 'azureserviceoperator-system\n');
  let now = 0;
  const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  const config = inClusterConfig(env, dir, () => now);
  assert.equal(config.getCurrentCluster().server, 'https://[fd00::1]:443');
  assert.equal(config.namespace, 'azureserviceoperator-system');
  const first = await optionsOf(config);
  assert.equal(String(first.ca), 'CLUSTER-CA');
  assert.deepEqual(first.headers, { authorization: 'Bearer token-1' });
  writeFileSync(join(dir, 'token'), 'token-2'); // the kubelet rotated it
  now = 30_000;
  assert.deepEqual((await optionsOf(config)).headers, { authorization: 'Bearer token-1' });
  now = 61_000;
  assert.deepEqual((await optionsOf(config)).headers, { authorization: 'Bearer token-2' });
  assert.throws(() => inClusterConfig({}, dir), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set/);
  rmSync(join(dir, 'token'));
  assert.throws(() => inClusterConfig(env, dir), /in-cluster config: cannot read .*token: ENOENT/);
});
