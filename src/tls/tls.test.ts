import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadOrCreateServerCredentials } from './index.js';

test('a client trusting only the CA accepts the server certificate on 127.0.0.1', async () => {
  const credentials = await loadOrCreateServerCredentials({ caName: 'test CA' });
  const server = createServer({ cert: credentials.certPem, key: credentials.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, ca: credentials.caCertPem }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(body, 'ok');
  } finally {
    server.close();
  }
});

test('the CA persists in the data directory and signs every later server certificate', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-tls-'));
  const first = await loadOrCreateServerCredentials({ caName: 'test CA', dataDir });
  const second = await loadOrCreateServerCredentials({ caName: 'test CA', dataDir });
  assert.equal(first.caCertPem, second.caCertPem);
  assert.equal(readFileSync(join(dataDir, 'ca.pem'), 'utf8'), first.caCertPem);
  assert.notEqual(first.certPem, second.certPem);
});
