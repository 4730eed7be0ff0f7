// The conversion webhook at its real boundary: `azo apiserver` and `azo operator` as separate processes, a CRD
// whose conversion strategy is Webhook, and objects written at one version and read at another through the
// operator's HTTPS endpoint (trusted only through the caBundle the operator wrote into the CRD). Also: a bad
// ConversionReview is answered with a Failure result, a restart reuses the Secret's certificates, and with short
// lifetimes the serving certificate and the CA rotate with no failed conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { eventually, manifest, startE2e } from './operator-helpers.js';

const crdName = 'resourcegroups.resources.azure.com';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The certificate served on `port`, verified against `ca` (rejects when it does not verify). */
function servedCertificate(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.on('error', reject);
  });
}

function postReview(
  port: number,
  ca: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/convert',
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

test('the operator serves CRD conversion through its own webhook, with its own rotating certificates', async (t) => {
  const environment = await startE2e();
  t.after(() => environment.close());
  const { kubectl } = environment;
  const conversionOf = async () =>
    (
      JSON.parse(await kubectl(['get', 'crd', crdName, '-o', 'json'])) as {
        spec: { conversion: { strategy: string; webhook?: { clientConfig: { url?: string; caBundle?: string } } } };
      }
    ).spec.conversion;
  const bundleOf = async () =>
    Buffer.from((await conversionOf()).webhook?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  const port = await freePort();
  const webhookArgs = [
    '--crd-pattern',
    'resources.azure.com/ResourceGroup',
    '--webhook-port',
    String(port),
    '--webhook-url',
    `https://127.0.0.1:${port}/convert`,
  ];

  let firstCertificate: X509Certificate | undefined;
  await t.test('at start the operator writes strategy Webhook, its URL and its CA bundle into the CRD', async () => {
    const operator = await environment.startOperator({ POD_NAMESPACE: 'azo-system' }, webhookArgs);
    assert.match(operator.output(), new RegExp(`conversion webhook on port ${port}`));
    const conversion = await conversionOf();
    assert.equal(conversion.strategy, 'Webhook');
    assert.equal(conversion.webhook?.clientConfig.url, `https://127.0.0.1:${port}/convert`);
    const bundle = await bundleOf();
    assert.match(bundle, /^-----BEGIN CERTIFICATE-----/);
    firstCertificate = await servedCertificate(port, bundle);
    const secret = JSON.parse(
      await kubectl(['get', 'secret', 'azo-webhook-tls', '-n', 'azo-system', '-o', 'json']),
    ) as { data: Record<string, string> };
    assert.equal(
      Buffer.from(secret.data['tls.crt'] ?? '', 'base64')
        .toString('utf8')
        .trim(),
      firstCertificate.toString().trim(),
    );
  });

  await t.test('an object written at one version is read at the other through the webhook', async () => {
    const file = manifest(
      environment,
      'rg.yaml',
      'apiVersion: resources.azure.com/v1api20200601\nkind: ResourceGroup\nmetadata: { name: conv-rg, namespace: ' +
        'default }\nspec: { location: westeurope, tags: { team: a } }\n',
    );
    await kubectl(['apply', '-f', file]);
    const asNewest = JSON.parse(
      await kubectl(['get', 'resourcegroups.v20200601.resources.azure.com', 'conv-rg', '-o', 'json']),
    ) as { apiVersion: string; spec: unknown };
    const asLegacy = JSON.parse(
      await kubectl(['get', 'resourcegroups.v1api20200601.resources.azure.com', 'conv-rg', '-o', 'json']),
    ) as { apiVersion: string; spec: unknown };
    assert.equal(asNewest.apiVersion, 'resources.azure.com/v20200601');
    assert.equal(asLegacy.apiVersion, 'resources.azure.com/v1api20200601');
    assert.deepEqual(asLegacy.spec, asNewest.spec);
    // A merge patch at the legacy version goes through the webhook both ways.
    await kubectl([
      'patch',
      'resourcegroups.v1api20200601.resources.azure.com',
      'conv-rg',
      '--type',
      'merge',
      '-p',
      '{"spec":{"tags":{"team":"b"}}}',
    ]);
    const patched = JSON.parse(
      await kubectl(['get', 'resourcegroups.v20200601.resources.azure.com', 'conv-rg', '-o', 'json']),
    ) as { spec: { tags: Record<string, string> } };
    assert.equal(patched.spec.tags['team'], 'b');
    // The conversion really is the operator's: without it, reading at the legacy version fails.
    await environment.operator?.stop();
    await assert.rejects(
      kubectl(['get', 'resourcegroups.v1api20200601.resources.azure.com', 'conv-rg', '-o', 'json']),
      /conversion webhook for resourcegroups.resources.azure.com failed/,
    );
    await kubectl(['get', 'resourcegroups.v20200601.resources.azure.com', 'conv-rg']);
  });

  await t.test(
    'a restarted operator serves the certificate kept in the Secret, and answers a bad review with Failure',
    async () => {
      const bundle = await bundleOf();
      await environment.startOperator({ POD_NAMESPACE: 'azo-system' }, webhookArgs);
      const again = await servedCertificate(port, bundle);
      assert.equal(again.serialNumber, firstCertificate?.serialNumber, 'the same serving certificate after a restart');
      assert.equal(await bundleOf(), bundle, 'the same CA bundle');
      const bad = await postReview(port, bundle, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: {
          uid: 'u-1',
          desiredAPIVersion: 'resources.azure.com/v99990101',
          objects: [{ apiVersion: 'resources.azure.com/v20200601', kind: 'ResourceGroup', metadata: { name: 'x' } }],
        },
      });
      assert.equal(bad.status, 200);
      assert.deepEqual(bad.body['response'], {
        uid: 'u-1',
        convertedObjects: [],
        result: {
          status: 'Failure',
          message:
            'request.objects[0]: resources.azure.com/ResourceGroup has no version v99990101 (served: v20200601, ' +
            'v1api20200601)',
        },
      });
      const good = await postReview(port, bundle, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: {
          uid: 'u-2',
          desiredAPIVersion: 'resources.azure.com/v1api20200601',
          objects: [
            {
              apiVersion: 'resources.azure.com/v20200601',
              kind: 'ResourceGroup',
              metadata: { name: 'x' },
              spec: { location: 'westeurope' },
            },
          ],
        },
      });
      assert.deepEqual(good.body['response'], {
        uid: 'u-2',
        convertedObjects: [
          {
            apiVersion: 'resources.azure.com/v1api20200601',
            kind: 'ResourceGroup',
            metadata: { name: 'x' },
            spec: { location: 'westeurope' },
          },
        ],
        result: { status: 'Success' },
      });
      await environment.operator?.stop();
    },
  );

  await t.test(
    'with short lifetimes the serving certificate and the CA rotate, and no conversion fails meanwhile',
    async () => {
      // A new namespace: a new Secret, with certificates made under the short lifetimes.
      const env = { POD_NAMESPACE: 'azo-rotation', AZO_WEBHOOK_CERT_VALIDITY: '4s', AZO_WEBHOOK_CA_VALIDITY: '9s' };
      await environment.startOperator(env, webhookArgs);
      const firstBundle = await bundleOf();
      const served = new Set<string>();
      const bundles = new Set<string>([firstBundle]);
      const started = Date.now();
      let reads = 0;
      // Reads at the legacy version (each one a conversion through the webhook) for two CA lifetimes.
      while (Date.now() - started < 18_000) {
        const object = JSON.parse(
          await kubectl(['get', 'resourcegroups.v1api20200601.resources.azure.com', 'conv-rg', '-o', 'json']),
        ) as { apiVersion: string };
        assert.equal(object.apiVersion, 'resources.azure.com/v1api20200601');
        reads++;
        const bundle = await bundleOf();
        bundles.add(bundle);
        served.add((await servedCertificate(port, bundle)).serialNumber);
      }
      assert.ok(reads > 5, `${reads} reads`);
      assert.ok(served.size >= 3, `the serving certificate was renewed (${served.size} seen)`);
      assert.ok(bundles.size >= 2, `the CA rotated and the bundle in the CRD changed (${bundles.size} seen)`);
      // During a CA rotation the bundle held both CAs.
      assert.ok(
        [...bundles].some((bundle) => bundle.match(/BEGIN CERTIFICATE/g)?.length === 2),
        'old and new CA trusted together',
      );
      const secret = JSON.parse(
        await kubectl(['get', 'secret', 'azo-webhook-tls', '-n', 'azo-rotation', '-o', 'json']),
      ) as { data: Record<string, string> };
      const ca = new X509Certificate(Buffer.from(secret.data['ca.crt'] ?? '', 'base64'));
      assert.notEqual(ca.serialNumber, new X509Certificate(firstBundle).serialNumber, 'a new CA');
      await eventually(
        async () => (environment.operator?.output().match(/webhook certificate check failed/) ? undefined : true),
        'no failed check',
      );
    },
  );
});
