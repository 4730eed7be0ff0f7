/**
 * POST actions that operators use for secrets: `listKeys`/`regenerateKey` on storage accounts, Redis caches,
 * Cosmos DB accounts, Service Bus / Event Hubs / Relay / Notification Hubs authorization rules, App Configuration
 * stores, IoT hubs, Event Grid topics, SignalR, API Management subscriptions, Cognitive Search, Cognitive Services and
 * Machine Learning workspaces; cluster credentials (AKS, fleets, OpenShift). Each answer has the shape of the type's
 * own action (`test/integration/emulator-export-actions.test.ts` checks every export the model reads from one). Keys
 * are generated on first use and
 * kept on the resource until regenerated. Also lifecycle actions (`start`, `stop`, `restart`, `failover`, …), which
 * ARM runs as long-running operations.
 */
import { randomBytes } from 'node:crypto';
import { ArmError } from './errors.js';
import { isObject } from './http.js';
import type { StoredResource } from './state.js';

/** The result of an action: status and JSON body. */
export interface ActionResult {
  status: number;
  body?: unknown;
  /** true: ARM runs this action asynchronously (202 + Location when the emulator has a latency). */
  longRunning?: boolean;
}

type ActionHandler = (resource: StoredResource, body?: unknown) => ActionResult;

function newKey(bytes = 64): string {
  return randomBytes(bytes).toString('base64');
}

function secretsOf(resource: StoredResource, names: string[], bytes?: number): Record<string, string> {
  const secrets = resource.secrets ?? {};
  for (const name of names) secrets[name] ??= newKey(bytes);
  resource.secrets = secrets;
  return secrets;
}

function storageKeys(resource: StoredResource): ActionResult {
  const secrets = secretsOf(resource, ['key1', 'key2']);
  const created =
    typeof resource.body.systemData === 'object' && resource.body.systemData !== null
      ? (resource.body.systemData as Record<string, unknown>).createdAt
      : undefined;
  return {
    status: 200,
    body: {
      keys: ['key1', 'key2'].map((keyName) => ({
        keyName,
        value: secrets[keyName],
        permissions: 'FULL',
        ...(created ? { creationTime: created } : {}),
      })),
    },
  };
}

function regenerateStorageKey(resource: StoredResource, body: unknown): ActionResult {
  const keyName = isObject(body) && typeof body.keyName === 'string' ? body.keyName.toLowerCase() : undefined;
  if (keyName !== 'key1' && keyName !== 'key2')
    throw new ArmError(400, 'InvalidParameter', "The value of 'keyName' must be 'key1' or 'key2'.", {
      target: 'keyName',
    });
  secretsOf(resource, ['key1', 'key2'])[keyName] = newKey();
  return storageKeys(resource);
}

const redisKeys = twoKeys(['primaryKey', 'secondaryKey']);

function regenerateRedisKey(resource: StoredResource, body: unknown): ActionResult {
  const keyType = isObject(body) && typeof body.keyType === 'string' ? body.keyType.toLowerCase() : undefined;
  if (keyType !== 'primary' && keyType !== 'secondary')
    throw new ArmError(400, 'InvalidParameter', "The value of 'keyType' must be 'Primary' or 'Secondary'.", {
      target: 'keyType',
    });
  secretsOf(resource, ['primaryKey', 'secondaryKey'], 32)[`${keyType}Key`] = newKey(32);
  return redisKeys(resource);
}

function cosmosKeys(resource: StoredResource): ActionResult {
  const names = ['primaryMasterKey', 'secondaryMasterKey', 'primaryReadonlyMasterKey', 'secondaryReadonlyMasterKey'];
  const secrets = secretsOf(resource, names);
  return { status: 200, body: Object.fromEntries(names.map((name) => [name, secrets[name]])) };
}

function regenerateCosmosKey(resource: StoredResource, body: unknown): ActionResult {
  const kind = isObject(body) && typeof body.keyKind === 'string' ? body.keyKind.toLowerCase() : undefined;
  const map: Record<string, string> = {
    primary: 'primaryMasterKey',
    secondary: 'secondaryMasterKey',
    primaryreadonly: 'primaryReadonlyMasterKey',
    secondaryreadonly: 'secondaryReadonlyMasterKey',
  };
  const name = kind === undefined ? undefined : map[kind];
  if (name === undefined)
    throw new ArmError(
      400,
      'InvalidParameter',
      "The value of 'keyKind' must be 'primary', 'secondary', 'primaryReadonly' or 'secondaryReadonly'.",
      { target: 'keyKind' },
    );
  secretsOf(resource, [name])[name] = newKey();
  return { status: 200 };
}

/** Service Bus / Event Hubs / Relay / Notification Hubs: the namespace host name for connection strings. */
function messagingHost(resource: StoredResource): string {
  const match = /\/providers\/Microsoft\.(?:ServiceBus|EventHub|Relay|NotificationHubs)\/namespaces\/([^/]+)/i.exec(
    resource.id,
  );
  return `${match?.[1] ?? 'namespace'}.servicebus.windows.net`;
}

function entityPathOf(resource: StoredResource): string | undefined {
  const match = /\/(queues|topics|eventhubs|hybridConnections|wcfRelays)\/([^/]+)\/authorizationRules\//i.exec(
    resource.id,
  );
  return match?.[2];
}

function ruleKeys(resource: StoredResource): ActionResult {
  const secrets = secretsOf(resource, ['primaryKey', 'secondaryKey'], 32);
  const host = messagingHost(resource);
  const entityPath = entityPathOf(resource);
  const entity = entityPath ? `;EntityPath=${entityPath}` : '';
  const connection = (key: string | undefined) =>
    `Endpoint=sb://${host}/;SharedAccessKeyName=${resource.name};SharedAccessKey=${key ?? ''}${entity}`;
  return {
    status: 200,
    body: {
      primaryConnectionString: connection(secrets.primaryKey),
      secondaryConnectionString: connection(secrets.secondaryKey),
      primaryKey: secrets.primaryKey,
      secondaryKey: secrets.secondaryKey,
      keyName: resource.name,
    },
  };
}

function regenerateRuleKeys(resource: StoredResource, body: unknown): ActionResult {
  const keyType = isObject(body) && typeof body.keyType === 'string' ? body.keyType.toLowerCase() : undefined;
  if (keyType !== 'primarykey' && keyType !== 'secondarykey')
    throw new ArmError(400, 'InvalidParameter', "The value of 'keyType' must be 'PrimaryKey' or 'SecondaryKey'.", {
      target: 'keyType',
    });
  const name = keyType === 'primarykey' ? 'primaryKey' : 'secondaryKey';
  const key = isObject(body) && typeof body.key === 'string' && body.key !== '' ? body.key : newKey(32);
  secretsOf(resource, ['primaryKey', 'secondaryKey'], 32)[name] = key;
  return ruleKeys(resource);
}

/** App Configuration: four named access keys (read-write and read-only, primary and secondary). */
function appConfigurationKeys(resource: StoredResource): ActionResult {
  const names = ['Primary', 'Secondary', 'Primary Read Only', 'Secondary Read Only'];
  const secrets = secretsOf(resource, names.map((name) => `${name}:id`).concat(names), 32);
  const endpoint = `https://${resource.name.toLowerCase()}.azconfig.io`;
  const keys = names.map((name) => {
    const id = (secrets[`${name}:id`] ?? '').replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
    const value = secrets[name] ?? '';
    return {
      id,
      name,
      value,
      connectionString: `Endpoint=${endpoint};Id=${id};Secret=${value}`,
      readOnly: name.includes('Read Only'),
    };
  });
  return { status: 200, body: { value: keys } };
}

/** IoT Hub: the shared access policies a hub is created with, each with two keys. */
function iotHubKeys(resource: StoredResource): ActionResult {
  const policies: Array<[string, string]> = [
    ['iothubowner', 'RegistryWrite, ServiceConnect, DeviceConnect'],
    ['service', 'ServiceConnect'],
    ['device', 'DeviceConnect'],
    ['registryRead', 'RegistryRead'],
    ['registryReadWrite', 'RegistryWrite'],
  ];
  const secrets = secretsOf(
    resource,
    policies.flatMap(([name]) => [`${name}:primary`, `${name}:secondary`]),
    32,
  );
  return {
    status: 200,
    body: {
      value: policies.map(([keyName, rights]) => ({
        keyName,
        primaryKey: secrets[`${keyName}:primary`],
        secondaryKey: secrets[`${keyName}:secondary`],
        rights,
      })),
    },
  };
}

function signalRKeys(resource: StoredResource): ActionResult {
  const secrets = secretsOf(resource, ['primaryKey', 'secondaryKey'], 32);
  const connection = (key: string | undefined) =>
    `Endpoint=https://${resource.name.toLowerCase()}.service.signalr.net;AccessKey=${key ?? ''};Version=1.0;`;
  return {
    status: 200,
    body: {
      primaryKey: secrets.primaryKey,
      secondaryKey: secrets.secondaryKey,
      primaryConnectionString: connection(secrets.primaryKey),
      secondaryConnectionString: connection(secrets.secondaryKey),
    },
  };
}

/** An action answering `{[name]: key}` for two keys of `bytes` random bytes each (generated once, as all keys are). */
function twoKeys(names: [string, string], bytes = 32): ActionHandler {
  return (resource) => {
    const secrets = secretsOf(resource, names, bytes);
    return { status: 200, body: Object.fromEntries(names.map((name) => [name, secrets[name]])) };
  };
}

/** Cognitive Search: the service's query keys; one (without a name) is created with the service. */
function searchQueryKeys(resource: StoredResource): ActionResult {
  const secrets = secretsOf(resource, ['queryKey'], 24);
  return { status: 200, body: { value: [{ name: null, key: secrets.queryKey }] } };
}

/** Machine Learning: the keys of the resources a workspace uses (storage, Application Insights, registry). */
function machineLearningWorkspaceKeys(resource: StoredResource): ActionResult {
  const names = [
    'userStorageKey',
    'appInsightsInstrumentationKey',
    'registryPassword',
    'registryPassword2',
    'notebookPrimary',
    'notebookSecondary',
  ];
  const secrets = secretsOf(resource, names, 32);
  return {
    status: 200,
    body: {
      userStorageKey: secrets.userStorageKey,
      appInsightsInstrumentationKey: secrets.appInsightsInstrumentationKey,
      containerRegistryCredentials: {
        username: resource.name.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || 'registry',
        passwords: [
          { name: 'password', value: secrets.registryPassword },
          { name: 'password2', value: secrets.registryPassword2 },
        ],
      },
      notebookAccessKeys: { primaryAccessKey: secrets.notebookPrimary, secondaryAccessKey: secrets.notebookSecondary },
    },
  };
}

/** A kubeconfig (YAML text) for a cluster the emulator runs nothing for: a server URL and a token it made up. */
function kubeconfigFor(resource: StoredResource, server: string, user: string, tokenName = `${user}Token`): string {
  const token = secretsOf(resource, [tokenName], 32)[tokenName] ?? '';
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters:\n- name: ${resource.name}\n  cluster:\n    server: ${server}`,
    `users:\n- name: ${user}\n  user:\n    token: ${token}`,
    `contexts:\n- name: ${resource.name}\n  context:\n    cluster: ${resource.name}\n    user: ${user}`,
    `current-context: ${resource.name}`,
    '',
  ].join('\n');
}

function fleetCredentials(resource: StoredResource): ActionResult {
  const kubeconfig = kubeconfigFor(resource, `https://${resource.name.toLowerCase()}.hub.azmk8s.io:443`, 'fleetUser');
  return { status: 200, body: { kubeconfigs: [{ name: 'hub', value: Buffer.from(kubeconfig).toString('base64') }] } };
}

function openShiftServer(resource: StoredResource): string {
  const properties = isObject(resource.body.properties) ? resource.body.properties : {};
  const apiserver =
    isObject(properties.apiserverProfile) && typeof properties.apiserverProfile.url === 'string'
      ? properties.apiserverProfile.url
      : undefined;
  return apiserver ?? `https://api.${resource.name.toLowerCase()}.openshift.example:6443`;
}

function openShiftAdminCredentials(resource: StoredResource): ActionResult {
  return { status: 200, body: { kubeconfig: kubeconfigFor(resource, openShiftServer(resource), 'kubeadmin') } };
}

function openShiftCredentials(resource: StoredResource): ActionResult {
  const secrets = secretsOf(resource, ['kubeadminPassword'], 18);
  return { status: 200, body: { kubeadminUsername: 'kubeadmin', kubeadminPassword: secrets.kubeadminPassword } };
}

const workspaceSharedKeys = twoKeys(['primarySharedKey', 'secondarySharedKey'], 64);

function clusterCredentials(kind: 'clusterAdmin' | 'clusterUser'): ActionHandler {
  return (resource) => {
    const properties = isObject(resource.body.properties) ? resource.body.properties : {};
    const fqdn = typeof properties.fqdn === 'string' ? properties.fqdn : `${resource.name}.hcp.azmk8s.io`;
    const server = `https://${fqdn}:443`;
    const user = `${kind}_${resource.resourceGroup ?? 'rg'}_${resource.name}`;
    const kubeconfig = kubeconfigFor(resource, server, user, `${kind}Token`);
    return { status: 200, body: { kubeconfigs: [{ name: kind, value: Buffer.from(kubeconfig).toString('base64') }] } };
  };
}

/**
 * Actions that change a resource's run state rather than return data; ARM runs them asynchronously. They are accepted
 * on any type (the emulator has no VMs or clusters to start); `start`/`stop` also set AKS's `properties.powerState`.
 */
const lifecycleActions = new Set([
  'start',
  'stop',
  'restart',
  'reboot',
  'redeploy',
  'poweroff',
  'deallocate',
  'failover',
  'forcefailover',
  'rotateclustercertificates',
  'abortlatestoperation',
]);

/**
 * true for actions like `start`/`stop`/`failover` that change run state (and so conflict with an operation in flight).
 */
export function isLifecycleAction(action: string): boolean {
  return lifecycleActions.has(action.toLowerCase());
}

function lifecycle(resource: StoredResource, action: string): ActionResult {
  if (
    resource.fullType.toLowerCase() === 'microsoft.containerservice/managedclusters' &&
    (action === 'start' || action === 'stop')
  ) {
    const properties = isObject(resource.body.properties) ? resource.body.properties : {};
    properties.powerState = { code: action === 'start' ? 'Running' : 'Stopped' };
    resource.body.properties = properties;
  }
  return { status: 200, longRunning: true };
}

const handlers = new Map<string, ActionHandler>([
  ['microsoft.operationalinsights/workspaces/sharedkeys', workspaceSharedKeys],
  ['microsoft.containerservice/managedclusters/listclusteradmincredential', clusterCredentials('clusterAdmin')],
  ['microsoft.containerservice/managedclusters/listclusterusercredential', clusterCredentials('clusterUser')],
  ['microsoft.storage/storageaccounts/listkeys', storageKeys],
  ['microsoft.storage/storageaccounts/regeneratekey', regenerateStorageKey],
  ['microsoft.cache/redis/listkeys', redisKeys],
  ['microsoft.cache/redis/regeneratekey', regenerateRedisKey],
  ['microsoft.documentdb/databaseaccounts/listkeys', cosmosKeys],
  ['microsoft.documentdb/databaseaccounts/regeneratekey', regenerateCosmosKey],
  ['microsoft.apimanagement/service/subscriptions/listsecrets', twoKeys(['primaryKey', 'secondaryKey'])],
  ['microsoft.search/searchservices/listadminkeys', twoKeys(['primaryKey', 'secondaryKey'])],
  ['microsoft.search/searchservices/listquerykeys', searchQueryKeys],
  ['microsoft.cognitiveservices/accounts/listkeys', twoKeys(['key1', 'key2'])],
  ['microsoft.machinelearningservices/workspaces/listkeys', machineLearningWorkspaceKeys],
  ['microsoft.appconfiguration/configurationstores/listkeys', appConfigurationKeys],
  ['microsoft.devices/iothubs/listkeys', iotHubKeys],
  ['microsoft.eventgrid/topics/listkeys', twoKeys(['key1', 'key2'])],
  ['microsoft.eventgrid/namespaces/topics/listkeys', twoKeys(['key1', 'key2'])],
  ['microsoft.signalrservice/signalr/listkeys', signalRKeys],
  ['microsoft.signalrservice/webpubsub/listkeys', signalRKeys],
  ['microsoft.containerservice/fleets/listcredentials', fleetCredentials],
  ['microsoft.redhatopenshift/openshiftclusters/listadmincredentials', openShiftAdminCredentials],
  ['microsoft.redhatopenshift/openshiftclusters/listcredentials', openShiftCredentials],
]);

/** Runs `action` on `resource`; unknown actions → 400 `InvalidAction`. The resource may be changed (its secrets). */
export function runAction(resource: StoredResource, action: string, body: unknown): ActionResult {
  const type = resource.fullType.toLowerCase();
  const lowerAction = action.toLowerCase();
  const handler = handlers.get(`${type}/${lowerAction}`);
  if (handler) return handler(resource, body);
  if (
    /^microsoft\.(servicebus|eventhub|relay|notificationhubs)\/namespaces(\/[a-z]+)?\/authorizationrules$/.test(type)
  ) {
    if (lowerAction === 'listkeys') return ruleKeys(resource);
    if (lowerAction === 'regeneratekeys') return regenerateRuleKeys(resource, body);
  }
  if (lowerAction === 'listkeys') return storageKeys(resource);
  if (lowerAction === 'regeneratekey') return regenerateStorageKey(resource, body);
  if (lifecycleActions.has(lowerAction)) return lifecycle(resource, lowerAction);
  throw new ArmError(
    400,
    'InvalidAction',
    `The action '${action}' is not supported on resource type '${resource.fullType}' by the emulator.`,
  );
}
