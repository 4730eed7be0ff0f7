/** ARM behaviour of the emulator over raw HTTPS: every error path with ARM's codes and shapes, LROs, ETags, paging. */
import { strict as assert } from 'node:assert';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';
import { storageAccountModel } from './emulator-models.js';

const rg = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const v = '?api-version=2021-04-01';
const sv = '?api-version=2024-01-01';
const account = (group: string, name: string) => `${rg(group)}/providers/Microsoft.Storage/storageAccounts/${name}`;
const validAccount = {
  location: 'westus',
  sku: { name: 'Standard_LRS' },
  kind: 'StorageV2',
  properties: { minimumTlsVersion: 'TLS1_2' },
};

function assertArmError(
  response: { status: number; json: { error?: { code?: string; message?: string; target?: string } } },
  status: number,
  code: string,
  target?: string,
): void {
  assert.equal(response.status, status, JSON.stringify(response.json));
  assert.equal(response.json.error?.code, code, JSON.stringify(response.json));
  assert.equal(typeof response.json.error?.message, 'string');
  if (target !== undefined) assert.equal(response.json.error?.target, target);
}

describe('emulator ARM', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let dataDir: string;
  let token: string;
  const arm = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

  before(async () => {
    ({ emulator, cleanup, dataDir } = await startTestEmulator({ models: [storageAccountModel], pageSize: 2 }));
    token = await armToken(emulator);
    assert.equal((await arm('PUT', rg('rg1') + v, { location: 'westus' })).status, 201);
  });
  after(async () => {
    await cleanup();
  });

  it('rejects requests without a valid token with 401 and ARM error bodies', async () => {
    const missing = await call(emulator, 'GET', rg('rg1') + v);
    assertArmError(missing, 401, 'AuthenticationFailed');
    assert.match(
      String(missing.headers['www-authenticate']),
      /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+", error="invalid_token"/,
    );
    assertArmError(
      await call(emulator, 'GET', rg('rg1') + v, { headers: { authorization: 'Basic abc' } }),
      401,
      'AuthenticationFailed',
    );
    assertArmError(
      await call(emulator, 'GET', rg('rg1') + v, { token: 'not.a.jwt' }),
      401,
      'InvalidAuthenticationToken',
    );
    const [header, payload] = token.split('.');
    assertArmError(
      await call(emulator, 'GET', rg('rg1') + v, { token: `${header}.${payload}.AAAA` }),
      401,
      'InvalidAuthenticationToken',
    );
    const graph = await armToken(emulator, { scope: 'https://graph.microsoft.com/.default' });
    assertArmError(
      await call(emulator, 'GET', rg('rg1') + v, { token: graph }),
      401,
      'InvalidAuthenticationTokenAudience',
    );
    const ownOrigin = await armToken(emulator, { scope: `${emulator.url}/.default` });
    assert.equal((await call(emulator, 'GET', rg('rg1') + v, { token: ownOrigin })).status, 200);
    const otherTenant = await armToken(emulator, { tenant: '99999999-9999-9999-9999-999999999999' });
    assertArmError(
      await call(emulator, 'GET', rg('rg1') + v, { token: otherTenant }),
      401,
      'InvalidAuthenticationTokenTenant',
    );
    // An expired token signed with the emulator's own key (kept in the data dir): only its lifetime is wrong.
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, number>;
    const expiredPayload = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })).toString(
      'base64url',
    );
    const key = createPrivateKey(readFileSync(join(dataDir, 'token-signing-key.pem'), 'utf8'));
    const signature = sign('sha256', Buffer.from(`${header}.${expiredPayload}`), key).toString('base64url');
    const expired = await call(emulator, 'GET', rg('rg1') + v, { token: `${header}.${expiredPayload}.${signature}` });
    assertArmError(expired, 401, 'ExpiredAuthenticationToken');
    assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);
  });

  it('requires and checks api-version', async () => {
    assertArmError(await arm('GET', rg('rg1')), 400, 'MissingApiVersionParameter');
    assertArmError(await arm('GET', `${rg('rg1')}?api-version=latest`), 400, 'InvalidApiVersionParameter');
    assertArmError(await arm('GET', `${rg('rg1')}?api-version=2099-01-01`), 400, 'InvalidApiVersionParameter');
    const wrong = await arm('PUT', `${account('rg1', 'sa0')}?api-version=2019-06-02`, validAccount);
    assertArmError(wrong, 400, 'NoRegisteredProviderFound');
    assert.match(
      wrong.json.error.message,
      /supported api-versions are '[^']*2019-06-01, [^']*2022-09-01, [^']*2024-01-01, /,
      'the published versions',
    );
    // A published version no model has: accepted leniently (unknown properties kept, read-only ones dropped).
    const older = await arm('PUT', `${account('rg1', 'sa0')}?api-version=2019-06-01`, {
      ...validAccount,
      sku: { name: 'Standard_LRS', tier: 'x' },
      properties: { futureFlag: true, primaryEndpoints: { blob: 'x' } },
    });
    assert.equal(older.status, 200, older.text);
    assert.equal(older.json.properties.futureFlag, true);
    assert.equal(older.json.sku.tier, undefined);
    assert.notEqual(older.json.properties.primaryEndpoints?.blob, 'x');
    assert.equal(
      (
        await arm('PUT', `${rg('rg1')}/providers/Contoso.Widgets/widgets/w1?api-version=2000-01-01-preview`, {
          anything: [1, 2],
        })
      ).status,
      201,
      'unknown types are accepted as-is',
    );
  });

  it('answers malformed paths, subscriptions and names with ARM codes', async () => {
    assertArmError(await arm('GET', `/subscriptions/not-a-guid/resourceGroups/rg1${v}`), 400, 'InvalidSubscriptionId');
    assertArmError(await arm('GET', `/resourceGroups/rg1${v}`), 400, 'MissingSubscription');
    assertArmError(await arm('PUT', rg('bad.') + v, { location: 'westus' }), 400, 'InvalidResourceGroup');
    assertArmError(
      await arm('PUT', `${rg('rg1')}/providers/Microsoft.Storage/storageAccounts/a%3Cb${sv}`, validAccount),
      400,
      'InvalidResourceName',
    );
    assertArmError(
      await arm('GET', `${rg('rg1')}/providers/Not_A_Namespace/widgets/w1${v}`),
      400,
      'InvalidResourceNamespace',
    );
    assertArmError(
      await arm('GET', `${rg('rg1')}/providers/Contoso.Widgets/bad-type/w1${v}`),
      400,
      'InvalidResourceType',
    );
    assertArmError(await arm('POST', rg('rg1') + v, {}), 405, 'MethodNotAllowed');
    assertArmError(await arm('GET', `/subscriptions/${subscriptionId}/nothingHere${v}`), 404, 'NotFound');
    const subscription = await arm('GET', `/subscriptions/${subscriptionId}${v}`);
    assert.equal(subscription.json.state, 'Enabled');
    assert.equal(subscription.json.tenantId, emulator.tenantId);
  });

  it('manages resource groups: 201/200, location rules, HEAD, PATCH, 404s', async () => {
    assertArmError(await arm('PUT', rg('rg2') + v, {}), 400, 'LocationRequired', 'location');
    assert.equal((await arm('PUT', rg('RG2') + v, { location: 'West US', tags: { a: '1' } })).status, 201);
    const again = await arm('PUT', rg('rg2') + v, { location: 'westus', tags: { b: '2' } });
    assert.equal(again.status, 200);
    assert.equal(again.json.name, 'rg2', 'the casing most recently supplied is kept');
    assert.deepEqual(again.json.tags, { b: '2' });
    assertArmError(await arm('PUT', rg('rg2') + v, { location: 'eastus' }), 409, 'InvalidResourceGroupLocation');
    assert.equal((await arm('HEAD', rg('rg2') + v)).status, 204);
    assert.equal((await arm('HEAD', rg('nope') + v)).status, 404);
    const patched = await arm('PATCH', rg('rg2') + v, { tags: { c: '3' } });
    assert.deepEqual(patched.json.tags, { c: '3' });
    assertArmError(await arm('GET', rg('nope') + v), 404, 'ResourceGroupNotFound');
    assertArmError(await arm('DELETE', rg('nope') + v), 404, 'ResourceGroupNotFound');
    assertArmError(await arm('PUT', `${account('nope', 'sa1')}${sv}`, validAccount), 404, 'ResourceGroupNotFound');
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
    assertArmError(await arm('PUT', rg('rg2') + v, { location: 'westus', tags: tooMany }), 400, 'InvalidTag', 'tags');
    assertArmError(
      await arm('PUT', rg('rg2') + v, { location: 'westus', tags: { n: 1 } }),
      400,
      'InvalidRequestContent',
      'tags.n',
    );
    assertArmError(
      await arm('PATCH', rg('rg2') + v, { tags: { long: 'x'.repeat(257) } }),
      400,
      'InvalidTagNameCharacters',
      'tags.long',
    );
    assert.deepEqual((await arm('GET', rg('rg2') + v)).json.tags, { c: '3' }, 'rejected tag changes change nothing');
  });

  it('validates bodies against the model with the property path as target', async () => {
    const lower = await arm('PUT', account('rg1', 'valid1') + sv, {
      ...validAccount,
      sku: { name: 'standard_lrs', tier: 'ignored-read-only' },
      kind: 'storagev2',
      properties: { minimumTlsVersion: 'tls1_2', largeFileSharesState: 'SomethingNew', adminPassword: 'p@ss' },
    });
    assert.equal(lower.status, 200, 'the Storage RP answers a synchronous create with 200 (its spec: 200 or 202)');
    assert.equal(lower.json.sku.tier, undefined, 'read-only input is dropped');
    assert.equal(lower.json.properties.adminPassword, undefined, 'write-only values are never returned');
    assert.equal(lower.json.properties.largeFileSharesState, 'SomethingNew', 'extensible enums accept other values');
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, { ...validAccount, sku: { name: 'Gold' } }),
      400,
      'InvalidParameter',
      'sku.name',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, { sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }),
      400,
      'LocationRequired',
      'location',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, { location: 'westus', kind: 'StorageV2' }),
      400,
      'InvalidParameter',
      'sku',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, { ...validAccount, properties: { allowBlobPublicAccess: 'yes' } }),
      400,
      'InvalidRequestContent',
      'properties.allowBlobPublicAccess',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, {
        ...validAccount,
        properties: { keyPolicy: { keyExpirationPeriodInDays: 0 } },
      }),
      400,
      'InvalidParameter',
      'properties.keyPolicy.keyExpirationPeriodInDays',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, { ...validAccount, properties: { customDomain: { name: 'ab' } } }),
      400,
      'InvalidParameter',
      'properties.customDomain.name',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, {
        ...validAccount,
        properties: { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: 'x' }] } },
      }),
      400,
      'InvalidParameter',
      'properties.networkAcls.ipRules[0].value',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'bad1') + sv, {
        ...validAccount,
        properties: {
          networkAcls: {
            defaultAction: 'Deny',
            ipRules: [{ value: '1.1.1.1' }, { value: '1.1.1.2' }, { value: '1.1.1.3' }],
          },
        },
      }),
      400,
      'InvalidParameter',
      'properties.networkAcls.ipRules',
    );
    const several = await arm('PUT', account('rg1', 'bad1') + sv, {
      location: 'westus',
      sku: { name: 'Gold' },
      kind: 'Tape',
    });
    assertArmError(several, 400, 'BadRequest');
    assert.deepEqual(several.json.error.details.map((detail: { target: string }) => detail.target).sort(), [
      'kind',
      'sku.name',
    ]);
    assertArmError(
      await arm('PATCH', account('rg1', 'valid1') + sv, { properties: { minimumTlsVersion: 'TLS9' } }),
      400,
      'InvalidParameter',
      'properties.minimumTlsVersion',
    );
    assertArmError(await arm('GET', account('rg1', 'bad1') + sv), 404, 'ResourceNotFound');
  });

  it('rejects bad JSON and oversized bodies with 400/413 and changes nothing', async () => {
    assertArmError(await arm('PUT', account('rg1', 'json1') + sv, '{"location": '), 400, 'InvalidRequestContent');
    assertArmError(await arm('PUT', account('rg1', 'json1') + sv, '[1,2]'), 400, 'InvalidRequestContent');
    assertArmError(await arm('PUT', account('rg1', 'json1') + sv), 400, 'InvalidRequestContent');
    const big = JSON.stringify({ ...validAccount, tags: { big: 'x'.repeat(5 * 1024 * 1024) } });
    assertArmError(await arm('PUT', account('rg1', 'json1') + sv, big), 413, 'RequestEntityTooLarge');
    assertArmError(
      await arm('PUT', account('rg1', 'json1') + sv, big, { 'transfer-encoding': 'chunked' }),
      413,
      'RequestEntityTooLarge',
    );
    assertArmError(await arm('GET', account('rg1', 'json1') + sv), 404, 'ResourceNotFound');
    // The same failures on an existing resource leave it exactly as it was.
    assert.equal(
      (await arm('PUT', account('rg1', 'json2') + sv, { ...validAccount, tags: { keep: 'me' } })).status,
      200,
    );
    const before = (await arm('GET', account('rg1', 'json2') + sv)).json;
    assert.equal(
      (await arm('PUT', account('rg1', 'json2') + sv, { ...validAccount, sku: { name: 'Gold' } })).status,
      400,
    );
    assert.equal(
      (
        await arm('PATCH', account('rg1', 'json2') + sv, {
          tags: { changed: 'yes' },
          properties: { minimumTlsVersion: 'TLS9' },
        })
      ).status,
      400,
    );
    assert.equal((await arm('PATCH', account('rg1', 'json2') + sv, '{"tags": ')).status, 400);
    assert.equal((await arm('PUT', account('rg1', 'json2') + sv, big)).status, 413);
    assert.equal(
      (await arm('PUT', account('rg1', 'json2') + sv, validAccount, { 'if-match': 'W/"stale"' })).status,
      412,
    );
    assert.deepEqual((await arm('GET', account('rg1', 'json2') + sv)).json, before);
  });

  it('keeps casing, matches IDs case-insensitively, fills read-only fields and ETags', async () => {
    // Storage account names are lower case in Azure; the keywords, group, namespace and type keep the caller's casing.
    const created = await arm(
      'PUT',
      `/SUBSCRIPTIONS/${subscriptionId}/RESOURCEGROUPS/RG1/PROVIDERS/microsoft.storage/STORAGEACCOUNTS/casesa${sv}`,
      { ...validAccount, location: 'West US', id: 'ignored', name: 'ignored' },
    );
    assert.equal(created.status, 200);
    assert.equal(
      created.json.id,
      `/subscriptions/${subscriptionId}/resourceGroups/RG1/providers/microsoft.storage/STORAGEACCOUNTS/casesa`,
    );
    assert.equal(created.json.name, 'casesa');
    assert.equal(created.json.type, 'Microsoft.Storage/storageAccounts');
    assert.equal(created.json.location, 'westus');
    assert.equal(created.json.properties.provisioningState, 'Succeeded');
    assert.equal(created.json.systemData.createdByType, 'Application');
    assert.match(created.json.etag, /^W\/"[0-9a-f]+"$/);
    assert.equal(created.headers.etag, created.json.etag);
    const got = await arm('GET', account('rg1', 'CaseSa') + sv);
    assert.equal(got.json.name, 'casesa', 'found case-insensitively');
    const widget = `${rg('rg1')}/providers/Contoso.Widgets/widgets`;
    assert.equal(
      (await arm('PUT', `${widget}/CaseW?api-version=2024-01-01`, { location: 'westus' })).json.name,
      'CaseW',
    );
    assert.equal((await arm('GET', `${widget}/casew?api-version=2024-01-01`)).json.name, 'CaseW');
    assert.equal(
      (await arm('PUT', `${widget}/casew?api-version=2024-01-01`, { location: 'westus' })).json.name,
      'casew',
      'the most recent casing wins',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'casesa') + sv, validAccount, { 'if-match': 'W/"nope"' }),
      412,
      'PreconditionFailed',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'casesa') + sv, validAccount, { 'if-none-match': '*' }),
      412,
      'PreconditionFailed',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'absent') + sv, validAccount, { 'if-match': '*' }),
      412,
      'PreconditionFailed',
    );
    assert.equal(
      (await arm('PUT', account('rg1', 'absent2') + sv, validAccount, { 'if-none-match': '*' })).status,
      200,
    );
    const replaced = await arm('PUT', account('rg1', 'casesa') + sv, validAccount, { 'if-match': got.json.etag });
    assert.equal(replaced.status, 200);
    assert.notEqual(replaced.json.etag, got.json.etag);
    assert.equal(replaced.json.systemData.createdAt, created.json.systemData.createdAt);
    assertArmError(
      await arm('DELETE', account('rg1', 'casesa') + sv, undefined, { 'if-match': got.json.etag }),
      412,
      'PreconditionFailed',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'casesa') + sv, { ...validAccount, location: 'eastus' }),
      409,
      'InvalidResourceLocation',
    );
    assertArmError(
      await arm('PUT', account('rg1', 'casesa') + sv, { ...validAccount, properties: { provisioningState: 'Failed' } }),
      400,
      'InvalidParameter',
      'properties.provisioningState',
    );
  });

  it('PATCH replaces tags and merges properties', async () => {
    await arm('PUT', account('rg1', 'patch1') + sv, {
      ...validAccount,
      tags: { a: '1', b: '2' },
      properties: { minimumTlsVersion: 'TLS1_2', accessTier: 'Hot', allowBlobPublicAccess: false },
    });
    const patched = await arm('PATCH', account('rg1', 'patch1') + sv, {
      tags: { c: '3' },
      properties: { accessTier: 'Cool', allowBlobPublicAccess: null },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json.tags, { c: '3' });
    const { minimumTlsVersion, accessTier, allowBlobPublicAccess, provisioningState } = patched.json.properties;
    assert.deepEqual(
      { minimumTlsVersion, accessTier, allowBlobPublicAccess, provisioningState },
      {
        minimumTlsVersion: 'TLS1_2',
        accessTier: 'Cool',
        allowBlobPublicAccess: undefined,
        provisioningState: 'Succeeded',
      },
    );
    assertArmError(
      await arm('PATCH', account('rg1', 'patch1') + sv, { location: 'eastus' }),
      400,
      'InvalidParameter',
      'location',
    );
    assertArmError(await arm('PATCH', account('rg1', 'nothere') + sv, { tags: {} }), 404, 'ResourceNotFound');
    assert.equal((await arm('DELETE', account('rg1', 'nothere') + sv)).status, 204);
  });

  it('handles children, extension, subscription- and tenant-level resources', async () => {
    const parent = `${rg('rg1')}/providers/Contoso.Sql/servers/srv1`;
    const child = `${parent}/databases/db1`;
    assertArmError(
      await arm('PUT', `${child}?api-version=2023-01-01`, { properties: {} }),
      404,
      'ParentResourceNotFound',
    );
    assertArmError(await arm('GET', `${child}?api-version=2023-01-01`), 404, 'ParentResourceNotFound');
    assert.equal((await arm('PUT', `${parent}?api-version=2023-01-01`, { location: 'westus' })).status, 201);
    const db = await arm('PUT', `${child}?api-version=2023-01-01`, { properties: { collation: 'x' } });
    assert.equal(db.status, 201);
    assert.equal(db.json.type, 'Contoso.Sql/servers/databases');
    const children = await arm('GET', `${parent}/databases?api-version=2023-01-01`);
    assert.deepEqual(
      children.json.value.map((item: { name: string }) => item.name),
      ['db1'],
    );
    const assignment = `${parent}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-0000-0000-000000000001`;
    const ra = await arm('PUT', `${assignment}?api-version=2022-04-01`, {
      properties: { roleDefinitionId: '/x', principalId: 'p' },
    });
    assert.equal(ra.status, 201);
    assert.equal(ra.json.id, assignment);
    assert.equal(ra.json.type, 'Microsoft.Authorization/roleAssignments');
    assertArmError(
      await arm(
        'PUT',
        `${rg('rg1')}/providers/Contoso.Sql/servers/ghost/providers/Microsoft.Authorization/roleAssignments/x?api-version=2022-04-01`,
        { properties: {} },
      ),
      404,
      'ResourceNotFound',
    );
    const listed = await arm(
      'GET',
      `${parent}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`,
    );
    assert.equal(listed.json.value.length, 1);
    assert.equal((await arm('DELETE', `${parent}?api-version=2023-01-01`)).status, 200);
    assert.equal(
      (await arm('GET', `${assignment}?api-version=2022-04-01`)).status,
      404,
      'extension resources go with their scope',
    );
    assert.equal((await arm('GET', `${child}?api-version=2023-01-01`)).status, 404, 'children go with their parent');
    const subLevel = await arm(
      'PUT',
      `/subscriptions/${subscriptionId}` +
        `/providers/Microsoft.Authorization/roleAssignments/sub-ra?api-version=2022-04-01`,
      { properties: {} },
    );
    assert.equal(subLevel.status, 201);
    const tenantLevel = await arm(
      'PUT',
      `/providers/Microsoft.Management/managementGroups/mg1?api-version=2021-04-01`,
      { properties: { displayName: 'MG' } },
    );
    assert.equal(tenantLevel.status, 201);
    assert.equal(tenantLevel.json.id, '/providers/Microsoft.Management/managementGroups/mg1');
    const onMg = await arm(
      'PUT',
      `/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleAssignments/r1?api-version=2022-04-01`,
      { properties: {} },
    );
    assert.equal(onMg.status, 201);
  });

  it('pages lists with absolute nextLinks and $top', async () => {
    for (const name of ['p1', 'p2', 'p3'])
      await arm('PUT', `${rg('pages')}${v}`.replace('pages', `pages-${name}`), { location: 'westus' });
    const first = await arm('GET', `/subscriptions/${subscriptionId}/resourcegroups${v}`);
    assert.equal(first.json.value.length, 2);
    assert.match(
      first.json.nextLink,
      new RegExp(`^${emulator.url.replace(/[.]/g, '\\.')}/subscriptions/.*\\$skipToken=`),
    );
    const names: string[] = first.json.value.map((item: { name: string }) => item.name);
    let next: string | undefined = first.json.nextLink;
    while (next) {
      const page = await arm('GET', next.slice(emulator.url.length));
      names.push(...page.json.value.map((item: { name: string }) => item.name));
      next = page.json.nextLink;
    }
    assert.ok(names.includes('pages-p3') && names.includes('rg1'));
    assert.equal(new Set(names).size, names.length);
    const top = await arm('GET', `/subscriptions/${subscriptionId}/resourcegroups${v}&$top=1`);
    assert.equal(top.json.value.length, 1);
    assertArmError(
      await arm('GET', `/subscriptions/${subscriptionId}/resourcegroups${v}&$top=zero`),
      400,
      'InvalidParameter',
    );
    const tagged = await arm(
      'GET',
      `/subscriptions/${subscriptionId}/resourcegroups${v}&$filter=` +
        `${encodeURIComponent("tagName eq 'c' and tagValue eq '3'")}`,
    );
    assert.deepEqual(
      tagged.json.value.map((item: { name: string }) => item.name),
      ['rg2'],
    );
    const byType = await arm(
      'GET',
      `${rg('rg1')}/resources${v}&$filter=` +
        `${encodeURIComponent("resourceType eq 'Microsoft.Storage/storageAccounts' and name eq 'valid1'")}`,
    );
    assert.deepEqual(
      byType.json.value.map((item: { name: string }) => item.name),
      ['valid1'],
    );
    const empty = await arm('GET', `${rg('rg2')}/providers/Contoso.Widgets/widgets?api-version=2020-01-01`);
    assert.deepEqual(empty.json, { value: [] });
  });

  it('runs POST actions: keys are stable until regenerated; unknown actions are 400', async () => {
    await arm('PUT', account('rg1', 'keys1') + sv, validAccount);
    const first = await arm('POST', `${account('rg1', 'keys1')}/listKeys${sv}`);
    const second = await arm('POST', `${account('rg1', 'KEYS1')}/listKeys${sv}`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.json.keys.map((key: { keyName: string }) => key.keyName),
      ['key1', 'key2'],
    );
    assert.deepEqual(second.json, first.json);
    assertArmError(
      await arm('POST', `${account('rg1', 'keys1')}/regenerateKey${sv}`, { keyName: 'key3' }),
      400,
      'InvalidParameter',
      'keyName',
    );
    assertArmError(await arm('POST', `${account('rg1', 'keys1')}/launchRockets${sv}`), 400, 'InvalidAction');
    assertArmError(await arm('POST', `${account('rg1', 'nokeys')}/listKeys${sv}`), 404, 'ResourceNotFound');
    const redis = `${rg('rg1')}/providers/Microsoft.Cache/redis/cache1`;
    await arm('PUT', `${redis}?api-version=2023-08-01`, {
      location: 'westus',
      properties: { sku: { name: 'Basic', family: 'C', capacity: 0 } },
    });
    const redisKeys = await arm('POST', `${redis}/listKeys?api-version=2023-08-01`);
    assert.equal(typeof redisKeys.json.primaryKey, 'string');
    const regenerated = await arm('POST', `${redis}/regenerateKey?api-version=2023-08-01`, { keyType: 'Secondary' });
    assert.equal(regenerated.json.primaryKey, redisKeys.json.primaryKey);
    assert.notEqual(regenerated.json.secondaryKey, redisKeys.json.secondaryKey);
    const namespace = `${rg('rg1')}/providers/Microsoft.ServiceBus/namespaces/sbkeys1`;
    await arm('PUT', `${namespace}?api-version=2022-10-01-preview`, { location: 'westus' });
    await arm('PUT', `${namespace}/authorizationRules/RootManageSharedAccessKey?api-version=2022-10-01-preview`, {
      properties: { rights: ['Listen'] },
    });
    const rule = await arm(
      'POST',
      `${namespace}/authorizationRules/RootManageSharedAccessKey/listKeys?api-version=2022-10-01-preview`,
    );
    assert.match(
      rule.json.primaryConnectionString,
      /^Endpoint=sb:\/\/sbkeys1\.servicebus\.windows\.net\/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=/,
    );
    const available = await arm(
      'POST',
      `/subscriptions/${subscriptionId}/providers/Microsoft.Storage/checkNameAvailability${sv}`,
      { name: 'keys1', type: 'Microsoft.Storage/storageAccounts' },
    );
    assert.deepEqual(available.json.nameAvailable, false);
  });

  it('sends tracing and rate-limit headers on every ARM response', async () => {
    const response = await arm('GET', rg('rg1') + v, undefined, {
      'x-ms-client-request-id': 'client-1',
      'x-ms-correlation-request-id': 'corr-1',
    });
    assert.equal(response.headers['x-ms-client-request-id'], 'client-1');
    assert.equal(response.headers['x-ms-correlation-request-id'], 'corr-1');
    assert.match(String(response.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(response.headers['x-ms-ratelimit-remaining-subscription-reads']), /^\d+$/);
    const write = await arm('PUT', rg('rg1') + v, { location: 'westus' });
    assert.match(String(write.headers['x-ms-ratelimit-remaining-subscription-writes']), /^\d+$/);
    const error = await arm('GET', rg('missing') + v);
    assert.match(String(error.headers['x-ms-ratelimit-remaining-subscription-reads']), /^\d+$/);
  });
});

describe('emulator long-running operations', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;
  const arm = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (await check()) return;
      await new Promise((done) => setTimeout(done, 25));
    }
    throw new Error('condition not reached');
  };

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator({ latencyMs: 400 }));
    token = await armToken(emulator);
    await arm('PUT', rg('lro') + v, { location: 'westus' });
  });
  after(async () => {
    await cleanup();
  });

  it('PUT: 201 + Azure-AsyncOperation, provisioningState moves to Succeeded, status resource always 200', async () => {
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w1?api-version=2024-01-01`;
    const created = await arm('PUT', widget, { location: 'westus', properties: { size: 1 } });
    assert.equal(created.status, 201);
    assert.equal(created.json.properties.provisioningState, 'Accepted');
    assert.equal(created.headers['retry-after'], '1');
    const statusUrl = String(created.headers['azure-asyncoperation']);
    assert.match(
      statusUrl,
      new RegExp(
        `^${emulator.url.replace(/[.]/g, '\\.')}/subscriptions/${subscriptionId}` +
          `/providers/Contoso.Widgets/locations/westus/operationStatuses/[0-9a-f-]+\\?api-version=2024-01-01$`,
      ),
    );
    const running = await arm('GET', statusUrl.slice(emulator.url.length));
    assert.equal(running.status, 200);
    assert.equal(running.json.status, 'InProgress');
    assertArmError(await arm('PUT', widget, { location: 'westus' }), 409, 'AnotherOperationInProgress');
    assertArmError(await arm('PATCH', widget, { tags: {} }), 409, 'AnotherOperationInProgress');
    assertArmError(await arm('DELETE', widget), 409, 'AnotherOperationInProgress');
    assertArmError(await arm('POST', widget.replace('?', '/restart?')), 409, 'AnotherOperationInProgress');
    const states = new Set<string>();
    await waitFor(async () => {
      const got = await arm('GET', widget);
      states.add(got.json.properties.provisioningState);
      return got.json.properties.provisioningState === 'Succeeded';
    });
    assert.ok(states.has('Creating') || states.has('Accepted'));
    const done = await arm('GET', statusUrl.slice(emulator.url.length));
    assert.equal(done.json.status, 'Succeeded');
    assert.ok(done.json.endTime);
  });

  it('DELETE: 202 + Location, GET shows Deleting, Location poll 202 then 204, then 404', async () => {
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w2?api-version=2024-01-01`;
    await arm('PUT', widget, { location: 'westus' });
    await waitFor(async () => (await arm('GET', widget)).json.properties.provisioningState === 'Succeeded');
    const deleting = await arm('DELETE', widget);
    assert.equal(deleting.status, 202);
    assert.equal(deleting.text, '');
    const location = String(deleting.headers.location).slice(emulator.url.length);
    assert.match(location, /operationResults/);
    assert.equal((await arm('GET', widget)).json.properties.provisioningState, 'Deleting');
    const polled = await arm('GET', location);
    assert.equal(polled.status, 202);
    await waitFor(async () => (await arm('GET', location)).status === 204);
    assertArmError(await arm('GET', widget), 404, 'ResourceNotFound');
    assertArmError(
      await arm(
        'GET',
        `/subscriptions/00000000-0000-0000-0000-000000000009/providers/Contoso.Widgets/locations/westus/operationStatuses/` +
          `${location.split('/').pop()}`,
      ),
      404,
      'OperationNotFound',
    );
  });

  it('resource group DELETE is async, blocks writes, and cascades', async () => {
    await arm('PUT', rg('doomed') + v, { location: 'westus' });
    const widget = `${rg('doomed')}/providers/Contoso.Widgets/widgets/w3?api-version=2024-01-01`;
    await arm('PUT', widget, { location: 'westus' });
    const deleting = await arm('DELETE', rg('doomed') + v);
    assert.equal(deleting.status, 202);
    const location = String(deleting.headers.location).slice(emulator.url.length);
    assert.match(location, new RegExp(`^/subscriptions/${subscriptionId}/operationresults/`));
    assert.equal((await arm('GET', rg('doomed') + v)).json.properties.provisioningState, 'Deleting');
    assertArmError(
      await arm('PUT', `${rg('doomed')}/providers/Contoso.Widgets/widgets/w4?api-version=2024-01-01`, {
        location: 'westus',
      }),
      409,
      'ResourceGroupBeingDeleted',
    );
    assertArmError(await arm('PUT', rg('doomed') + v, { location: 'westus' }), 409, 'ResourceGroupBeingDeleted');
    await waitFor(async () => (await arm('GET', location)).status === 200);
    assertArmError(await arm('GET', rg('doomed') + v), 404, 'ResourceGroupNotFound');
    await arm('PUT', rg('doomed') + v, { location: 'westus' });
    assertArmError(await arm('GET', widget), 404, 'ResourceNotFound');
  });

  it('a fault can make an operation fail: status Failed with the error, resource Failed, Location poll returns the error', async () => {
    emulator.addFault({
      method: 'PATCH',
      path: 'widgets/w5$',
      provisioningState: 'Failed',
      status: 409,
      code: 'QuotaExceeded',
      message: 'No quota.',
    });
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w5?api-version=2024-01-01`;
    await arm('PUT', widget, { location: 'westus' });
    await waitFor(async () => (await arm('GET', widget)).json.properties.provisioningState === 'Succeeded');
    const patched = await arm('PATCH', widget, { tags: { a: 'b' } });
    assert.equal(patched.status, 202);
    const statusUrl = String(patched.headers['azure-asyncoperation']).slice(emulator.url.length);
    const location = String(patched.headers.location).slice(emulator.url.length);
    await waitFor(async () => (await arm('GET', statusUrl)).json.status === 'Failed');
    const status = await arm('GET', statusUrl);
    assert.deepEqual(status.json.error, { code: 'QuotaExceeded', message: 'No quota.', details: [] });
    assertArmError(await arm('GET', location), 409, 'QuotaExceeded');
    assert.equal((await arm('GET', widget)).json.properties.provisioningState, 'Failed');
  });

  it('a fault can cancel an operation: status Canceled with an error, resource Canceled', async () => {
    emulator.addFault({ method: 'PUT', path: 'widgets/w6$', provisioningState: 'Canceled' });
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w6?api-version=2024-01-01`;
    const created = await arm('PUT', widget, { location: 'westus' });
    assert.equal(created.status, 201);
    const statusUrl = String(created.headers['azure-asyncoperation']).slice(emulator.url.length);
    await waitFor(async () => (await arm('GET', statusUrl)).json.status !== 'InProgress');
    const status = await arm('GET', statusUrl);
    assert.equal(status.status, 200, 'the status resource answers 200 even for a canceled operation');
    assert.equal(status.json.status, 'Canceled');
    assert.equal(status.json.error.code, 'OperationCanceled');
    assert.equal((await arm('GET', widget)).json.properties.provisioningState, 'Canceled');
  });

  it('POST actions: lifecycle actions are async (202 + Location → final 200), listKeys stays synchronous', async () => {
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w7`;
    await arm('PUT', `${widget}?api-version=2024-01-01`, { location: 'westus' });
    await waitFor(
      async () =>
        (await arm('GET', `${widget}?api-version=2024-01-01`)).json.properties.provisioningState === 'Succeeded',
    );
    const restart = await arm('POST', `${widget}/restart?api-version=2024-01-01`);
    assert.equal(restart.status, 202);
    assert.equal(restart.text, '');
    assert.match(String(restart.headers['retry-after']), /^\d+$/);
    const location = String(restart.headers.location).slice(emulator.url.length);
    const statusUrl = String(restart.headers['azure-asyncoperation']).slice(emulator.url.length);
    assert.match(location, /\/operationResults\//);
    assert.equal((await arm('GET', location)).status, 202);
    await waitFor(async () => (await arm('GET', location)).status !== 202);
    assert.equal((await arm('GET', location)).status, 200);
    assert.equal((await arm('GET', statusUrl)).json.status, 'Succeeded');
    const keys = await arm('POST', `${widget}/listKeys?api-version=2024-01-01`);
    assert.equal(keys.status, 200);
    assert.equal(keys.json.keys.length, 2);
    emulator.addFault({
      method: 'POST',
      path: 'w7/listKeys$',
      provisioningState: 'Failed',
      status: 409,
      code: 'KeysLocked',
      message: 'Locked.',
    });
    const failing = await arm('POST', `${widget}/listKeys?api-version=2024-01-01`);
    assert.equal(failing.status, 202, 'a fault makes even a synchronous action long-running');
    const failingLocation = String(failing.headers.location).slice(emulator.url.length);
    await waitFor(async () => (await arm('GET', failingLocation)).status !== 202);
    assertArmError(await arm('GET', failingLocation), 409, 'KeysLocked');
  });

  it("keeps the starting request's correlation ID on the operation's polls", async () => {
    const widget = `${rg('lro')}/providers/Contoso.Widgets/widgets/w8?api-version=2024-01-01`;
    const created = await arm('PUT', widget, { location: 'westus' }, { 'x-ms-correlation-request-id': 'corr-lro-1' });
    assert.equal(created.headers['x-ms-correlation-request-id'], 'corr-lro-1');
    const statusUrl = String(created.headers['azure-asyncoperation']).slice(emulator.url.length);
    assert.equal((await arm('GET', statusUrl)).headers['x-ms-correlation-request-id'], 'corr-lro-1');
    assert.equal(
      (await arm('GET', statusUrl, undefined, { 'x-ms-correlation-request-id': 'mine' })).headers[
        'x-ms-correlation-request-id'
      ],
      'mine',
    );
    await arm('PUT', rg('lro-doomed') + v, { location: 'westus' });
    const groupDelete = await arm('DELETE', rg('lro-doomed') + v);
    const generated = String(groupDelete.headers['x-ms-correlation-request-id']);
    assert.match(generated, /^[0-9a-f-]{36}$/);
    const poll = await arm('GET', String(groupDelete.headers.location).slice(emulator.url.length));
    assert.equal(poll.headers['x-ms-correlation-request-id'], generated);
  });
});
