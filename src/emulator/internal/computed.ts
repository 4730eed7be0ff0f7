/**
 * Read-only values real Azure computes for common resource types (endpoints, host names, identity IDs), so that
 * operators can export them. Values derive from the resource ID, so they are stable across PUTs and restarts.
 * Also the child resources Azure creates implicitly (a messaging namespace's `RootManageSharedAccessKey` rule).
 */
import { isObject } from './http.js';
import { stableUuid } from './jwt.js';
import type { StoredResource } from './state.js';

type Filler = (resource: StoredResource, properties: Record<string, unknown>, tenantId: string) => void;

const fillers: Record<string, Filler> = {
  'microsoft.storage/storageaccounts': (resource, properties) => {
    const name = resource.name.toLowerCase();
    properties.primaryEndpoints = Object.fromEntries(
      ['blob', 'queue', 'table', 'file', 'web', 'dfs'].map((service) => [
        service,
        `https://${name}.${service === 'web' ? 'z13.web' : service}.core.windows.net/`,
      ]),
    );
    properties.primaryLocation = resource.body.location;
    properties.statusOfPrimary = 'available';
    const systemData = isObject(resource.body.systemData) ? resource.body.systemData : {};
    properties.creationTime = systemData.createdAt;
  },
  'microsoft.managedidentity/userassignedidentities': (resource, properties, tenantId) => {
    properties.tenantId = tenantId;
    properties.principalId = stableUuid(`principal:${resource.key}`);
    properties.clientId = stableUuid(`client:${resource.key}`);
  },
  'microsoft.cache/redis': (resource, properties) => {
    properties.hostName = `${resource.name.toLowerCase()}.redis.cache.windows.net`;
    properties.port = 6379;
    properties.sslPort = 6380;
  },
  'microsoft.documentdb/databaseaccounts': (resource, properties) => {
    properties.documentEndpoint = `https://${resource.name.toLowerCase()}.documents.azure.com:443/`;
  },
  'microsoft.servicebus/namespaces': (resource, properties) => {
    properties.serviceBusEndpoint = `https://${resource.name.toLowerCase()}.servicebus.windows.net:443/`;
  },
  'microsoft.eventhub/namespaces': (resource, properties) => {
    properties.serviceBusEndpoint = `https://${resource.name.toLowerCase()}.servicebus.windows.net:443/`;
  },
  'microsoft.insights/components': (resource, properties) => {
    const key = stableUuid(`ikey:${resource.key}`);
    properties.InstrumentationKey = key;
    properties.AppId = stableUuid(`appid:${resource.key}`);
    properties.ConnectionString =
      `InstrumentationKey=${key};IngestionEndpoint=https://${String(resource.body.location ?? 'westus')}` +
      `-0.in.applicationinsights.azure.com/`;
  },
  'microsoft.operationalinsights/workspaces': (resource, properties) => {
    properties.customerId = stableUuid(`workspace:${resource.key}`);
  },
  'microsoft.dbforpostgresql/flexibleservers': (resource, properties) => {
    properties.fullyQualifiedDomainName = `${resource.name.toLowerCase()}.postgres.database.azure.com`;
  },
  'microsoft.dbformysql/flexibleservers': (resource, properties) => {
    properties.fullyQualifiedDomainName = `${resource.name.toLowerCase()}.mysql.database.azure.com`;
  },
  'microsoft.sql/servers': (resource, properties) => {
    properties.fullyQualifiedDomainName = `${resource.name.toLowerCase()}.database.windows.net`;
  },
  'microsoft.keyvault/vaults': (resource, properties) => {
    properties.vaultUri = `https://${resource.name.toLowerCase()}.vault.azure.net/`;
  },
  'microsoft.containerregistry/registries': (resource, properties) => {
    properties.loginServer = `${resource.name.toLowerCase()}.azurecr.io`;
  },
  'microsoft.containerservice/managedclusters': (resource, properties, tenantId) => {
    const prefix = typeof properties.dnsPrefix === 'string' ? properties.dnsPrefix : resource.name;
    properties.fqdn =
      `${prefix.toLowerCase()}-${stableUuid(resource.key).slice(0, 8)}.hcp.` +
      `${String(resource.body.location ?? 'westus')}.azmk8s.io`;
    const oidc = isObject(properties.oidcIssuerProfile) ? properties.oidcIssuerProfile : undefined;
    if (oidc?.enabled === true) {
      const region = String(resource.body.location ?? 'westus');
      oidc.issuerURL = `https://${region}.oic.prod-aks.azure.com/${tenantId}/${stableUuid(`oidc:${resource.key}`)}/`;
    }
  },
};

/** Fills the computed read-only values of `resource` (and of its `identity`). */
export function fillComputed(resource: StoredResource, tenantId: string): void {
  const properties = isObject(resource.body.properties) ? resource.body.properties : {};
  resource.body.properties = properties;
  fillers[resource.fullType.toLowerCase()]?.(resource, properties, tenantId);
  const identity = resource.body.identity;
  if (isObject(identity) && typeof identity.type === 'string') {
    if (/systemassigned/i.test(identity.type)) {
      identity.principalId = stableUuid(`system-principal:${resource.key}`);
      identity.tenantId = tenantId;
    }
    if (isObject(identity.userAssignedIdentities)) {
      for (const [id, value] of Object.entries(identity.userAssignedIdentities)) {
        const key = id.toLowerCase();
        identity.userAssignedIdentities[id] = {
          ...(isObject(value) ? value : {}),
          principalId: stableUuid(`principal:${key}`),
          clientId: stableUuid(`client:${key}`),
        };
      }
    }
  }
}

/** Children Azure creates with a resource: `[childIdSuffix, body]` pairs. */
export function implicitChildren(
  resource: StoredResource,
): Array<{ types: string[]; names: string[]; body: Record<string, unknown> }> {
  const type = resource.fullType.toLowerCase();
  const allRights = { properties: { rights: ['Listen', 'Manage', 'Send'] } };
  if (/^microsoft\.(servicebus|eventhub|relay|notificationhubs)\/namespaces$/.test(type)) {
    return [{ types: ['authorizationRules'], names: ['RootManageSharedAccessKey'], body: allRights }];
  }
  if (type === 'microsoft.notificationhubs/namespaces/notificationhubs') {
    return [
      { types: ['authorizationRules'], names: ['DefaultFullSharedAccessSignature'], body: allRights },
      {
        types: ['authorizationRules'],
        names: ['DefaultListenSharedAccessSignature'],
        body: { properties: { rights: ['Listen'] } },
      },
    ];
  }
  return [];
}
