/**
 * The fidelity table of docs/emulator.md, row by row, against an emulator at default flags (the generated models and
 * catalog) over raw HTTPS: what it says matches Azure does, and the table still has each row.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { armToken, call, startTestEmulator, subscriptionId } from './emulator-helpers.js';

const rg = (name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const otherSubscription = '00000000-1111-2222-3333-555555555555';
const v = '?api-version=2021-04-01';
const storage = (group: string, name: string, version = '2023-01-01') =>
  `${rg(group)}/providers/Microsoft.Storage/storageAccounts/${name}?api-version=${version}`;
const account = { location: 'westus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' };
const docs = readFileSync(new URL('../../docs/emulator.md', import.meta.url), 'utf8');

describe('docs/emulator.md fidelity table', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;
  const arm = (method: string, path: string, body?: unknown) =>
    call(emulator, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const code = async (method: string, path: string, body?: unknown) => {
    const response = await arm(method, path, body);
    return `${response.status} ${response.json?.error?.code ?? ''}`.trim();
  };

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator({ models: await listKindModels() }));
    token = await armToken(emulator);
    for (const group of ['fid1', 'fid2'])
      assert.equal((await arm('PUT', rg(group) + v, { location: 'westus' })).status, 201);
  });
  after(async () => cleanup());

  const row = (area: string) =>
    assert.match(docs, new RegExp(`^\\| ${area} \\|`, 'm'), `the table has its ${area} row`);

  it('api-versions: published ones answered, others refused with the list', async () => {
    row('api-versions');
    assert.equal(await code('PUT', storage('fid1', 'fidv1', '2022-09-01'), account), '200');
    const refused = await arm('PUT', storage('fid1', 'fidv2', '2022-09-02'), account);
    assert.equal(refused.json.error.code, 'NoRegisteredProviderFound');
    assert.match(refused.json.error.message, /'2015-06-15, .*2023-01-01, .*2026-09-01'/);
  });

  it('body validation: strict at a modelled version, lenient at another published one', async () => {
    row('body validation');
    const bad = { ...account, properties: { allowBlobPublicAccess: 'yes' } };
    // The emulator models each kind at its hub version (StorageAccount: 2025-06-01); 2023-01-01 is published only.
    assert.equal(await code('PUT', storage('fid1', 'fidb1', '2025-06-01'), bad), '400 InvalidRequestContent');
    assert.equal(await code('PUT', storage('fid1', 'fidb3', '2023-01-01'), bad), '200');
    assert.equal(await code('PUT', storage('fid1', 'fidb2', '2024-01-01'), bad), '200');
  });

  it('names: provider rules, type definitions, fixed names of singletons', async () => {
    row('names');
    assert.equal(await code('PUT', storage('fid1', 'Bad_Name'), account), '400 AccountNameInvalid');
    const vault = `${rg('fid1')}/providers/Microsoft.KeyVault/vaults/1vault?api-version=2023-07-01`;
    assert.equal(
      await code('PUT', vault, {
        location: 'westus',
        properties: { tenantId: emulator.tenantId, sku: { family: 'A', name: 'standard' } },
      }),
      '400 VaultNameNotValid',
    );
    const cluster = `${rg('fid1')}/providers/Microsoft.ContainerService/managedClusters/-bad-?api-version=2026-05-01`;
    assert.equal(await code('PUT', cluster, { location: 'westus' }), '400 InvalidResourceName');
    assert.equal(await code('PUT', storage('fid1', 'fidn1'), account), '200');
    const policy = (name: string) =>
      `${rg('fid1')}/providers/Microsoft.Storage/storageAccounts/fidn1/managementPolicies/${name}` +
      `?api-version=2023-01-01`;
    const body = { properties: { policy: { rules: [] } } };
    assert.equal(await code('PUT', policy('mypolicy'), body), '400 InvalidResourceName');
    assert.equal(await code('PUT', policy('default'), body), '201');
  });

  it("global names: unique across subscriptions, with the providers' codes; checkNameAvailability agrees", async () => {
    row('global names');
    assert.equal(await code('PUT', storage('fid1', 'fidglobal1'), account), '200');
    assert.equal(await code('PUT', storage('fid2', 'fidglobal1'), account), '409 StorageAccountInAnotherResourceGroup');
    const elsewhere = `/subscriptions/${otherSubscription}/resourceGroups/fid3`;
    assert.equal((await arm('PUT', elsewhere + v, { location: 'westus' })).status, 201);
    assert.equal(
      await code(
        'PUT',
        `${elsewhere}/providers/Microsoft.Storage/storageAccounts/fidglobal1?api-version=2023-01-01`,
        account,
      ),
      '409 StorageAccountAlreadyTaken',
    );
    const check = (name: string) =>
      arm(
        'POST',
        `/subscriptions/${otherSubscription}/providers/Microsoft.Storage/checkNameAvailability?api-version=2023-01-01`,
        { name, type: 'Microsoft.Storage/storageAccounts' },
      );
    assert.deepEqual((await check('fidglobal1')).json, {
      nameAvailable: false,
      reason: 'AlreadyExists',
      message: 'The storage account named fidglobal1 is already taken.',
    });
    assert.equal((await check('Not-Valid')).json.reason, 'AccountNameInvalid');
    assert.deepEqual((await check('fidfree1')).json, { nameAvailable: true });
    const namespace = (group: string) =>
      `${group}/providers/Microsoft.ServiceBus/namespaces/fid-bus-1?api-version=2024-01-01`;
    assert.equal(await code('PUT', namespace(rg('fid1')), { location: 'westus', sku: { name: 'Standard' } }), '201');
    assert.equal(
      await code('PUT', namespace(elsewhere), { location: 'westus', sku: { name: 'Standard' } }),
      '400 BadRequest',
    );
  });

  it('locations: the public regions, global only for global types', async () => {
    row('locations');
    const regions = await arm('GET', `/subscriptions/${subscriptionId}/locations${v}`);
    assert.ok(
      regions.json.value.length >= 50 &&
        regions.json.value.some((region: { name: string }) => region.name === 'swedencentral'),
    );
    assert.equal(
      await code('PUT', rg('fidmars') + v, { location: 'marsnorth' }),
      '400 LocationNotAvailableForResourceGroup',
    );
    assert.equal(
      await code('PUT', storage('fid1', 'fidloc1'), { ...account, location: 'global' }),
      '400 LocationNotAvailableForResourceType',
    );
    assert.equal(
      await code(
        'PUT',
        `${rg('fid1')}/providers/Microsoft.Network/privateDnsZones/fid.internal?api-version=2018-09-01`,
        { location: 'global' },
      ),
      '201',
    );
    // `<Provider>/locations/<region>` is an address, not a resource: types under it need only a real region.
    const failoverGroups = (region: string) =>
      `${rg('fid1')}/providers/Microsoft.Sql/locations/${region}/instanceFailoverGroups`;
    const group = {
      properties: { readWriteEndpoint: { failoverPolicy: 'Manual' }, partnerRegions: [], managedInstancePairs: [] },
    };
    assert.match(await code('PUT', `${failoverGroups('westeurope')}/fidfog?api-version=2025-01-01`, group), /^20[01]$/);
    assert.equal(
      (await arm('GET', `${failoverGroups('westeurope')}?api-version=2025-01-01`)).json.value.length,
      1,
      'listed under its location',
    );
    assert.equal(
      await code('PUT', `${failoverGroups('marsnorth')}/fidfog?api-version=2025-01-01`, group),
      '400 LocationNotAvailableForResourceType',
    );
  });

  it('implicit children: the singletons exist with their parent, the on-PUT ones do not', async () => {
    row('implicit children');
    assert.equal(await code('PUT', storage('fid1', 'fidkids1'), account), '200');
    const child = (path: string) =>
      `${rg('fid1')}/providers/Microsoft.Storage/storageAccounts/fidkids1/${path}?api-version=2023-01-01`;
    for (const service of ['blobServices', 'fileServices', 'queueServices', 'tableServices'])
      assert.equal(await code('GET', child(`${service}/default`)), '200', service);
    assert.equal(
      await code('PUT', child('blobServices/default/containers/c1'), {}),
      '400 InvalidResourceName',
      '3-63 characters',
    );
    assert.equal(await code('PUT', child('blobServices/default/containers/reports'), {}), '201');
    assert.equal(await code('GET', child('managementPolicies/default')), '404 ResourceNotFound');
  });

  it('inline children: stored as children, a child PUT shows in the parent, listed ones replace the set, delete cascades', async () => {
    row('inline children');
    const vnet = `${rg('fid1')}/providers/Microsoft.Network/virtualNetworks/fidvnet`;
    const at = (path: string) => `${vnet}${path}?api-version=2024-03-01`;
    const space = { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } };
    assert.equal(
      await code('PUT', at(''), {
        location: 'westus',
        properties: { ...space, subnets: [{ name: 'a', properties: { addressPrefix: '10.0.1.0/24' } }] },
      }),
      '201',
    );
    assert.equal((await arm('GET', at('/subnets/a'))).json.properties.addressPrefix, '10.0.1.0/24');
    assert.equal(await code('PUT', at('/subnets/b'), { properties: { addressPrefix: '10.0.2.0/24' } }), '201');
    const names = async () =>
      (await arm('GET', at(''))).json.properties.subnets.map((subnet: { name: string }) => subnet.name);
    assert.deepEqual(await names(), ['a', 'b']);
    assert.equal(await code('PUT', at(''), { location: 'westus', properties: space }), '200');
    assert.deepEqual(await names(), ['a', 'b'], 'a PUT without subnets keeps them');
    assert.equal(
      await code('PUT', at(''), {
        location: 'westus',
        properties: { ...space, subnets: [{ name: 'b', properties: { addressPrefix: '10.0.2.0/24' } }] },
      }),
      '200',
    );
    assert.deepEqual(await names(), ['b'], 'listed subnets replace the set');
    assert.equal(await code('DELETE', at('')), '200');
    assert.equal(await code('GET', at('/subnets/b')), '404 ParentResourceNotFound');
  });

  it('long-running PUT: per-provider shapes, Retry-After on polls; realistic durations', async () => {
    row('long-running PUT');
    row('durations');
    emulator.setLatency(60_000);
    try {
      const created = await arm('PUT', storage('fid1', 'fidlro1'), account);
      assert.equal(created.status, 202);
      assert.equal(created.text, '');
      assert.match(
        String(created.headers.location),
        /\/providers\/Microsoft\.Storage\/locations\/westus\/operationResults\//,
      );
      assert.equal(created.headers['azure-asyncoperation'], undefined);
      const poll = await call(emulator, 'GET', String(created.headers.location), { token });
      assert.equal(poll.status, 202);
      assert.ok(Number(poll.headers['retry-after']) >= 1);
      const vnet = await arm(
        'PUT',
        `${rg('fid1')}/providers/Microsoft.Network/virtualNetworks/fidlro2?api-version=2024-03-01`,
        { location: 'westus', properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } } },
      );
      assert.equal(vnet.status, 201);
      const status = await call(emulator, 'GET', String(vnet.headers['azure-asyncoperation']), { token });
      assert.equal(status.json.status, 'InProgress');
      assert.ok(Number(status.headers['retry-after']) >= 1, 'Retry-After on the status poll');
    } finally {
      emulator.setLatency(0);
    }
    const realistic = await startTestEmulator({ models: await listKindModels(), latencyFactor: 0.001 });
    try {
      const realToken = await armToken(realistic.emulator);
      const put = (path: string, body: unknown) => call(realistic.emulator, 'PUT', path, { token: realToken, body });
      await put(rg('real1') + v, { location: 'westus' });
      const server = await put(
        `${rg('real1')}/providers/Microsoft.DBforPostgreSQL/flexibleServers/fid-pg-1?api-version=2025-08-01`,
        { location: 'westus' },
      );
      assert.equal(server.status, 202);
      assert.equal(server.headers['retry-after'], '1', '8 minutes × 0.001 ≈ 0.5 s');
    } finally {
      await realistic.cleanup();
    }
  });
});
