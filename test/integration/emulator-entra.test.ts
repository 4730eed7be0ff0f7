/** The emulator's Entra ID token service over raw HTTPS: metadata, tokens, and Entra-style errors. */
import { strict as assert } from 'node:assert';
import { constants, createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import {
  armToken,
  call,
  clientId,
  createClientCertificate,
  startTestEmulator,
  subscriptionId,
} from './emulator-helpers.js';

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
});
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsignedJwt = (claims: Record<string, unknown>) =>
  `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.c2ln`;

describe('emulator Entra ID token service', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let tokenPath: string;
  const secretForm = (extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: 's',
    scope: 'https://management.azure.com/.default',
    ...extra,
  });
  const decode = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  function assertEntraError(
    response: { status: number; json: Record<string, unknown> },
    status: number,
    error: string,
    code: number,
  ): void {
    assert.equal(response.status, status, JSON.stringify(response.json));
    assert.equal(response.json.error, error);
    assert.deepEqual(response.json.error_codes, [code]);
    assert.match(String(response.json.error_description), new RegExp(`^AADSTS${code}: `));
    assert.ok(response.json.trace_id && response.json.correlation_id && response.json.timestamp);
  }

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator());
    tokenPath = `/${emulator.tenantId}/oauth2/v2.0/token`;
  });
  after(async () => {
    await cleanup();
  });

  it("serves OpenID metadata, JWKS and instance discovery on the caller's host", async () => {
    const metadata = await call(emulator, 'GET', `/${emulator.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(metadata.status, 200);
    assert.equal(metadata.json.token_endpoint, `${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`);
    for (const field of ['authorization_endpoint', 'issuer', 'jwks_uri'])
      assert.equal(typeof metadata.json[field], 'string');
    const jwks = await call(emulator, 'GET', new URL(metadata.json.jwks_uri).pathname);
    assert.equal(jwks.json.keys[0].kty, 'RSA');
    const byName = await call(emulator, 'GET', '/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', {
      headers: { host: `localhost:${emulator.port}` },
    });
    assert.equal(
      byName.json.token_endpoint,
      `https://localhost:${emulator.port}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
    );
    const discovery = await call(
      emulator,
      'GET',
      '/common/discovery/instance?api-version=1.1&authorization_endpoint=x',
    );
    assert.equal(discovery.json['api-version'], '1.1');
    assertEntraError(
      (await call(emulator, 'GET', '/not_a_tenant!/v2.0/.well-known/openid-configuration')) as never,
      400,
      'invalid_request',
      90002,
    );
    const cloud = await call(emulator, 'GET', '/metadata/endpoints?api-version=2022-09-01');
    assert.equal(cloud.json[0].resourceManager, `${emulator.url}/`);
  });

  it('issues JWTs naming tenant, client and audience (client secret, basic auth, assertion, v1)', async () => {
    const response = await call(
      emulator,
      'POST',
      `${tokenPath}?client-request-id=abc`,
      form(secretForm({ 'x-client-SKU': 'msal.js.node' })),
    );
    assert.equal(response.status, 200);
    assert.equal(response.json.token_type, 'Bearer');
    assert.equal(response.json.expires_in, 3599);
    const claims = decode(response.json.access_token);
    assert.equal(claims.tid, emulator.tenantId);
    assert.equal(claims.appid, clientId);
    assert.equal(claims.aud, 'https://management.azure.com');
    const basic = await call(emulator, 'POST', tokenPath, {
      ...form({ grant_type: 'client_credentials', scope: 'api://x/.default' }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:pw`).toString('base64')}`,
      },
    });
    assert.equal(decode(basic.json.access_token).aud, 'api://x');
    const now = Math.floor(Date.now() / 1000);
    const certificateAssertion = unsignedJwt({
      iss: clientId,
      sub: clientId,
      aud: `${emulator.url}${tokenPath}`,
      exp: now + 600,
      nbf: now,
    });
    const viaCert = await call(
      emulator,
      'POST',
      tokenPath,
      form({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: certificateAssertion,
      }),
    );
    assert.equal(viaCert.status, 200);
    const v1 = await call(
      emulator,
      'POST',
      `/${emulator.tenantId}/oauth2/token`,
      form({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: 's',
        resource: 'https://management.core.windows.net/',
      }),
    );
    assert.equal(decode(v1.json.access_token).aud, 'https://management.core.windows.net/');
  });

  it('answers bad token requests with Entra error JSON', async () => {
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form({ client_id: clientId }))) as never,
      400,
      'invalid_request',
      900144,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ grant_type: 'password' })))) as never,
      400,
      'unsupported_grant_type',
      70003,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ client_id: '' })))) as never,
      400,
      'invalid_request',
      900144,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ client_id: 'my-app' })))) as never,
      400,
      'unauthorized_client',
      700016,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ scope: '' })))) as never,
      400,
      'invalid_request',
      900144,
    );
    assertEntraError(
      (await call(
        emulator,
        'POST',
        tokenPath,
        form(secretForm({ scope: 'https://management.azure.com/user_impersonation' })),
      )) as never,
      400,
      'invalid_scope',
      70011,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ client_secret: '' })))) as never,
      401,
      'invalid_client',
      7000216,
    );
    assertEntraError(
      (await call(emulator, 'POST', '/bad_tenant!/oauth2/v2.0/token', form(secretForm()))) as never,
      400,
      'invalid_request',
      90002,
    );
    const now = Math.floor(Date.now() / 1000);
    const expired = unsignedJwt({
      iss: 'https://oidc',
      sub: 'system:serviceaccount:ns:sa',
      aud: 'api://AzureADTokenExchange',
      exp: now - 10,
    });
    const assertion = (token: string) =>
      form({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: token,
      });
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, assertion(expired))) as never,
      401,
      'invalid_client',
      700024,
    );
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, assertion('garbage'))) as never,
      400,
      'invalid_client',
      50027,
    );
    assertEntraError(
      (await call(
        emulator,
        'POST',
        tokenPath,
        assertion(unsignedJwt({ iss: 'someone', sub: 'else', aud: 'x', exp: now + 60 })),
      )) as never,
      401,
      'invalid_client',
      700023,
    );
  });

  it('checks registered clients: secrets and federated credentials (admin API)', async () => {
    const registered = '33333333-3333-3333-3333-333333333333';
    const put = await call(emulator, 'PUT', `/_emulator/clients/${registered}`, {
      body: {
        secret: 'right',
        federated: [{ issuer: 'https://oidc.example', subject: 'system:serviceaccount:azo:op' }],
      },
    });
    assert.equal(put.status, 200);
    assertEntraError(
      (await call(
        emulator,
        'POST',
        tokenPath,
        form(secretForm({ client_id: registered, client_secret: 'wrong' })),
      )) as never,
      401,
      'invalid_client',
      7000215,
    );
    assert.equal(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ client_id: registered, client_secret: 'right' }))))
        .status,
      200,
    );
    const now = Math.floor(Date.now() / 1000);
    const federated = (subject: string) =>
      form({
        grant_type: 'client_credentials',
        client_id: registered,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: unsignedJwt({
          iss: 'https://oidc.example',
          sub: subject,
          aud: 'api://AzureADTokenExchange',
          exp: now + 600,
        }),
      });
    assert.equal((await call(emulator, 'POST', tokenPath, federated('system:serviceaccount:azo:op'))).status, 200);
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, federated('system:serviceaccount:other:sa'))) as never,
      400,
      'invalid_client',
      70021,
    );
    assert.equal((await call(emulator, 'DELETE', `/_emulator/clients/${registered}`)).status, 204);
  });

  it('checks certificate assertions of clients registered with certificates (RS256 and PS256)', async () => {
    const app = '77777777-7777-7777-7777-777777777777';
    const [registered, other] = await Promise.all([createClientCertificate('app'), createClientCertificate('other')]);
    assert.equal(
      (await call(emulator, 'PUT', `/_emulator/clients/${app}`, { body: { certificates: [registered.certPem] } }))
        .status,
      200,
    );
    const der = new X509Certificate(registered.certPem).raw;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: app, sub: app, aud: `${emulator.url}${tokenPath}`, exp: now + 600, nbf: now, jti: 'j1' };
    const signed = (alg: 'RS256' | 'PS256', keyPem: string, header: Record<string, string>) => {
      const input = `${encode({ alg, typ: 'JWT', ...header })}.${encode(claims)}`;
      const key =
        alg === 'PS256'
          ? {
              key: createPrivateKey(keyPem),
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            }
          : createPrivateKey(keyPem);
      return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    };
    const x5t = createHash('sha1').update(der).digest('base64url');
    const x5tS256 = createHash('sha256').update(der).digest('base64url');
    const exchange = (assertion: string) =>
      call(
        emulator,
        'POST',
        tokenPath,
        form({
          grant_type: 'client_credentials',
          client_id: app,
          scope: 'https://management.azure.com/.default',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      );
    assert.equal((await exchange(signed('RS256', registered.keyPem, { x5t }))).status, 200);
    assert.equal((await exchange(signed('PS256', registered.keyPem, { 'x5t#S256': x5tS256 }))).status, 200);
    const forged = signed('PS256', other.keyPem, { 'x5t#S256': x5tS256 });
    assertEntraError((await exchange(forged)) as never, 401, 'invalid_client', 700027);
    const unknown = await exchange(signed('PS256', other.keyPem, { 'x5t#S256': 'unknown-thumbprint' }));
    assertEntraError(unknown as never, 401, 'invalid_client', 700027);
    assert.match(String(unknown.json.error_description), /unknown-thumbprint.*not registered/);
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, form(secretForm({ client_id: app })))) as never,
      401,
      'invalid_client',
      7000215,
    );
  });

  it('validates workload-identity assertions against federated credentials created through ARM', async () => {
    const token = await armToken(emulator);
    const group = `/subscriptions/${subscriptionId}/resourceGroups/wi`;
    await call(emulator, 'PUT', `${group}?api-version=2021-04-01`, { token, body: { location: 'westus' } });
    const identity = `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`;
    const created = await call(emulator, 'PUT', `${identity}?api-version=2023-01-31`, {
      token,
      body: { location: 'westus' },
    });
    const identityClientId = String(created.json.properties.clientId);
    await call(emulator, 'PUT', `${identity}/federatedIdentityCredentials/fic1?api-version=2023-01-31`, {
      token,
      body: {
        properties: {
          issuer: 'https://oidc.cluster',
          subject: 'system:serviceaccount:apps:web',
          audiences: ['api://AzureADTokenExchange'],
        },
      },
    });
    const now = Math.floor(Date.now() / 1000);
    const exchange = (subject: string) =>
      form({
        grant_type: 'client_credentials',
        client_id: identityClientId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: unsignedJwt({
          iss: 'https://oidc.cluster',
          sub: subject,
          aud: 'api://AzureADTokenExchange',
          exp: now + 600,
        }),
      });
    const accepted = await call(emulator, 'POST', tokenPath, exchange('system:serviceaccount:apps:web'));
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(decode(accepted.json.access_token).appid, identityClientId);
    assertEntraError(
      (await call(emulator, 'POST', tokenPath, exchange('system:serviceaccount:apps:other'))) as never,
      400,
      'invalid_client',
      70021,
    );
  });
});
