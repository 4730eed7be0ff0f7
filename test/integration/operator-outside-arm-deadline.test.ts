// The reconcile deadline (AZO_RECONCILE_TIMEOUT) also bounds the kinds that talk to something other than ARM: an
// Entra SecurityGroup whose Microsoft Graph never answers, and PostgreSQL, MySQL and Azure SQL Users whose server
// accepts the connection and then says nothing. Each request or connection is cut when the deadline passes (the
// silent server sees it closed), Ready says ReconcileTimeout, and the object is tried again with the queue's growing
// backoff: no worker is held until a 30 s connect timeout or a 60 s request timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Server, type Socket, createServer } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { eventually, readCrds, startEnvironment, waitForReady } from './operator-helpers.js';

/** A TCP server that accepts connections and never sends a byte; counts the connections the client closed. */
async function startSilentServer(): Promise<{
  port: number;
  opened: () => number;
  closed: () => number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let opened = 0;
  let closed = 0;
  const server: Server = createServer((socket) => {
    opened += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume(); // read (and drop) what the client sends, so its closing the connection is seen
    socket.on('close', () => {
      closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    opened: () => opened,
    closed: () => closed,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('the reconcile deadline cuts a silent Graph endpoint and a silent database server', async (t) => {
  const silent = await startSilentServer();
  t.after(() => silent.stop());
  const environment = await startEnvironment(
    {
      AZO_RECONCILE_TIMEOUT: '2s',
      AZO_ARM_REQUEST_TIMEOUT: '60s',
      AZURE_GRAPH_ENDPOINT: `https://127.0.0.1:${silent.port}`,
      AZO_DATABASE_HOSTS:
        `*.postgres.database.azure.com=127.0.0.1:${silent.port},` +
        `*.mysql.database.azure.com=127.0.0.1:${silent.port},` +
        `*.database.windows.net=127.0.0.1:${silent.port}`,
    },
    {
      installCrds: readCrds([
        'securitygroups.entra.azure.com',
        'resourcegroups.resources.azure.com',
        'flexibleservers.dbforpostgresql.azure.com',
        'users.dbforpostgresql.azure.com',
        'flexibleservers.dbformysql.azure.com',
        'users.dbformysql.azure.com',
        'servers.sql.azure.com',
        'serversdatabases.sql.azure.com',
        'users.sql.azure.com',
      ]),
    },
  );
  t.after(() => environment.close());
  const { custom } = environment;
  const core = environment.kubeConfig.makeApiClient(CoreV1Api);

  await t.test(
    'Entra: a Graph that never answers → ReconcileTimeout within the deadline, the request cut',
    async () => {
      const sg = { group: 'entra.azure.com', version: 'v1', plural: 'securitygroups', namespace: 'default' };
      const started = Date.now();
      const closedBefore = silent.closed();
      await custom.createNamespacedCustomObject({
        ...sg,
        body: {
          apiVersion: 'entra.azure.com/v1',
          kind: 'SecurityGroup',
          metadata: { name: 'hung' },
          spec: { displayName: 'Hung', mailNickname: 'hung' },
        },
      });
      const object = await waitForReady(environment, { ...sg, name: 'hung' }, 'False', 'ReconcileTimeout');
      assert.ok(Date.now() - started < 30_000, 'well before the 60 s request timeout');
      const ready = (object as { status?: { conditions?: Array<Record<string, string>> } }).status?.conditions?.[0];
      assert.match(ready?.message ?? '', /within 2 s \(AZO_RECONCILE_TIMEOUT\)/);
      assert.equal(ready?.severity, 'Warning');
      await eventually(
        async () => (silent.closed() > closedBefore ? true : undefined),
        'the operator closed its connection to the silent Graph',
        20, // within a second of the condition
      );
    },
  );

  await core.createNamespacedSecret({
    namespace: 'default',
    body: { metadata: { name: 'pw' }, stringData: { password: 'Passw0rd-1' } },
  });
  await custom.createNamespacedCustomObject({
    group: 'resources.azure.com',
    version: 'v1api20200601',
    plural: 'resourcegroups',
    namespace: 'default',
    body: {
      apiVersion: 'resources.azure.com/v1api20200601',
      kind: 'ResourceGroup',
      metadata: { name: 'rg' },
      spec: { location: 'westus' },
    },
  });
  const engines = [
    { title: 'PostgreSQL', group: 'dbforpostgresql.azure.com', version: 'v20250801', serverVersion: '16' },
    { title: 'MySQL', group: 'dbformysql.azure.com', version: 'v20231230', serverVersion: '8.0.21' },
    { title: 'Azure SQL', group: 'sql.azure.com', version: 'v20211101', serverVersion: '12.0' },
  ];
  /** The owner of each engine's User: a flexible server, or for Azure SQL a database on a server. */
  const createOwner = async (engine: (typeof engines)[number]): Promise<string> => {
    const create = async (plural: string, kind: string, name: string, spec: Record<string, unknown>) => {
      const ref = { group: engine.group, version: engine.version, plural, namespace: 'default' };
      await custom.createNamespacedCustomObject({
        ...ref,
        body: { apiVersion: `${ref.group}/${ref.version}`, kind, metadata: { name }, spec },
      });
      await waitForReady(environment, { ...ref, name });
    };
    const admin = { administratorLogin: 'azoadmin', administratorLoginPassword: { name: 'pw', key: 'password' } };
    const serverName = `hung${engine.title.toLowerCase().replace(/\W/g, '')}`;
    if (engine.title === 'Azure SQL') {
      await create('servers', 'Server', serverName, { location: 'westus', owner: { name: 'rg' }, ...admin });
      await create('serversdatabases', 'ServersDatabase', 'hungdb', {
        location: 'westus',
        owner: { name: serverName },
      });
      return 'hungdb';
    }
    await create('flexibleservers', 'FlexibleServer', serverName, {
      location: 'westus',
      owner: { name: 'rg' },
      version: engine.serverVersion,
      ...admin,
      sku: { name: 'Standard_B1ms', tier: 'Burstable' },
    });
    return serverName;
  };
  for (const engine of engines) {
    await t.test(`${engine.title} User: a server that never answers → ReconcileTimeout, the connect cut`, async () => {
      const ownerName = await createOwner(engine);
      const user = { group: engine.group, version: 'v1', plural: 'users', namespace: 'default' };
      const openedBefore = silent.opened();
      const closedBefore = silent.closed();
      const started = Date.now();
      await custom.createNamespacedCustomObject({
        ...user,
        body: {
          apiVersion: `${user.group}/v1`,
          kind: 'User',
          metadata: { name: 'app' },
          spec: {
            owner: { name: ownerName },
            localUser: {
              serverAdminUsername: 'azoadmin',
              serverAdminPassword: { name: 'pw', key: 'password' },
              password: { name: 'pw', key: 'password' },
            },
          },
        },
      });
      const object = await waitForReady(environment, { ...user, name: 'app' }, 'False', 'ReconcileTimeout');
      assert.ok(Date.now() - started < 25_000, 'before the 30 s connect timeout');
      const ready = (object as { status?: { conditions?: Array<Record<string, string>> } }).status?.conditions?.[0];
      assert.match(ready?.message ?? '', /within 2 s/);
      assert.ok(silent.opened() > openedBefore, 'the operator connected to the (silent) server');
      await eventually(
        async () => (silent.closed() > closedBefore ? true : undefined),
        'and cut the connection at the deadline',
        20, // within a second of the condition
      );
    });
  }
});
