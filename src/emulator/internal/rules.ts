/**
 * Azure's rules for names and locations, as ARM and the resource providers check them: the public-cloud regions
 * (`global` only for global types), per-type name rules (ARM's documented rules for the common types, with the
 * providers' own error codes; elsewhere the type definition's pattern and lengths, or the fixed name of a singleton),
 * and the names that are global in Azure (a storage account name is taken for every subscription), with the
 * conflict each provider answers.
 */
import type { SchemaNode } from '../../model/index.js';
import { ArmError } from './errors.js';

/** The public cloud's physical regions (`GET /subscriptions/{id}/locations`): name → display name. */
export const regions: Record<string, string> = {
  eastus: 'East US',
  eastus2: 'East US 2',
  southcentralus: 'South Central US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  australiaeast: 'Australia East',
  southeastasia: 'Southeast Asia',
  northeurope: 'North Europe',
  swedencentral: 'Sweden Central',
  uksouth: 'UK South',
  westeurope: 'West Europe',
  centralus: 'Central US',
  southafricanorth: 'South Africa North',
  centralindia: 'Central India',
  eastasia: 'East Asia',
  japaneast: 'Japan East',
  koreacentral: 'Korea Central',
  newzealandnorth: 'New Zealand North',
  canadacentral: 'Canada Central',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  italynorth: 'Italy North',
  norwayeast: 'Norway East',
  polandcentral: 'Poland Central',
  spaincentral: 'Spain Central',
  switzerlandnorth: 'Switzerland North',
  mexicocentral: 'Mexico Central',
  uaenorth: 'UAE North',
  brazilsouth: 'Brazil South',
  israelcentral: 'Israel Central',
  qatarcentral: 'Qatar Central',
  centraluseuap: 'Central US EUAP',
  eastus2euap: 'East US 2 EUAP',
  northcentralus: 'North Central US',
  westus: 'West US',
  japanwest: 'Japan West',
  austriaeast: 'Austria East',
  chilecentral: 'Chile Central',
  indonesiacentral: 'Indonesia Central',
  malaysiawest: 'Malaysia West',
  westcentralus: 'West Central US',
  southafricawest: 'South Africa West',
  australiacentral: 'Australia Central',
  australiacentral2: 'Australia Central 2',
  australiasoutheast: 'Australia Southeast',
  jioindiacentral: 'Jio India Central',
  koreasouth: 'Korea South',
  southindia: 'South India',
  westindia: 'West India',
  canadaeast: 'Canada East',
  francesouth: 'France South',
  germanynorth: 'Germany North',
  jioindiawest: 'Jio India West',
  norwaywest: 'Norway West',
  switzerlandwest: 'Switzerland West',
  ukwest: 'UK West',
  uaecentral: 'UAE Central',
  brazilsoutheast: 'Brazil Southeast',
};

/** Types whose resources live in `global` (and only there), as Azure's DNS, Front Door and alerting types do. */
const globalTypes = new Set([
  'microsoft.network/privatednszones',
  'microsoft.network/privatednszones/virtualnetworklinks',
  'microsoft.network/dnszones',
  'microsoft.network/frontdoors',
  'microsoft.network/frontdoorwebapplicationfirewallpolicies',
  'microsoft.network/trafficmanagerprofiles',
  'microsoft.cdn/profiles',
  'microsoft.insights/actiongroups',
  'microsoft.insights/activitylogalerts',
  'microsoft.insights/metricalerts',
]);

/** `West US`, `westus` and `WestUS` are the same location: ARM returns `westus`. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/** Checks a resource group's location (400 `LocationNotAvailableForResourceGroup`). */
export function checkGroupLocation(location: string): void {
  if (regions[normalizeLocation(location)] !== undefined) return;
  throw new ArmError(
    400,
    'LocationNotAvailableForResourceGroup',
    `The provided location '${location}' is not available for resource group. List of available regions ` +
      `is '${Object.keys(regions).join(',')}'.`,
    { target: 'location' },
  );
}

/** Checks a resource's location: a region, or `global` for global types (400 `LocationNotAvailableForResourceType`). */
export function checkResourceLocation(fullType: string, location: string): void {
  const normalized = normalizeLocation(location);
  const global = globalTypes.has(fullType.toLowerCase());
  if (global ? normalized === 'global' || regions[normalized] !== undefined : regions[normalized] !== undefined) return;
  const available = global ? ['global', ...Object.keys(regions)] : Object.keys(regions);
  throw new ArmError(
    400,
    'LocationNotAvailableForResourceType',
    `The provided location '${location}' is not available for resource type '${fullType}'. List of ` +
      `available regions for the resource type is '${available.join(',')}'.`,
    { target: 'location' },
  );
}

/** A provider's own name rule (ARM's documented naming rules) and the error it answers. */
interface NameRule {
  valid: (name: string) => boolean;
  code: string;
  message: (name: string) => string;
  /** `reason` of checkNameAvailability for an invalid name. */
  reason: string;
}

const nameRules: Record<string, NameRule> = {
  'microsoft.storage/storageaccounts': {
    valid: (name) => /^[a-z0-9]{3,24}$/.test(name),
    code: 'AccountNameInvalid',
    reason: 'AccountNameInvalid',
    message: (name) =>
      `${name} is not a valid storage account name. Storage account name must be between 3 and 24 ` +
      `characters in length and use numbers and lower-case letters only.`,
  },
  'microsoft.keyvault/vaults': {
    valid: (name) => /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name) && !name.includes('--'),
    code: 'VaultNameNotValid',
    reason: 'AccountNameInvalid',
    message: (name) =>
      `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. ` +
      `The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.`,
  },
  'microsoft.containerregistry/registries': {
    valid: (name) => /^[a-zA-Z0-9]{5,50}$/.test(name),
    code: 'RegistryNameInvalid',
    reason: 'Invalid',
    message: (name) =>
      `The registry name '${name}' is invalid: registry names may contain only alpha numeric characters ` +
      `and must be between 5 and 50 characters.`,
  },
  'microsoft.cache/redis': {
    valid: (name) => /^[a-zA-Z0-9](?!.*--)[a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$/.test(name),
    code: 'InvalidResourceName',
    reason: 'Invalid',
    message: (name) =>
      `The cache name '${name}' is invalid: it must be 1-63 letters, digits and hyphens, start and end ` +
      `with a letter or digit, and have no consecutive hyphens.`,
  },
  'microsoft.documentdb/databaseaccounts': {
    valid: (name) => /^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$/.test(name),
    code: 'InvalidResourceName',
    reason: 'Invalid',
    message: (name) =>
      `The database account name '${name}' is invalid: it must be 3-44 lower-case letters, digits and ` +
      `hyphens, and start and end with a letter or digit.`,
  },
  'microsoft.dbforpostgresql/flexibleservers': {
    valid: (name) => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name),
    code: 'InvalidServerName',
    reason: 'Invalid',
    message: (name) =>
      `The server name '${name}' is invalid: it must be 3-63 lower-case letters, digits and hyphens, and ` +
      `start and end with a letter or digit.`,
  },
  ...Object.fromEntries(
    ['microsoft.servicebus/namespaces', 'microsoft.eventhub/namespaces'].map((type) => [
      type,
      {
        valid: (name: string) => /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/.test(name) && !/-(sb|mgmt)$/i.test(name),
        code: 'BadRequest',
        reason: 'InvalidName',
        message: () =>
          'The specified service namespace is invalid. The name must be 6-50 letters, digits and hyphens, start ' +
          'with a letter and end with a letter or digit.',
      },
    ]),
  ),
};

/** How a provider answers a name taken in Azure (by anyone, in any subscription). */
interface GlobalName {
  status: number;
  code: string;
  message: (name: string) => string;
  /** `reason` of checkNameAvailability for a taken name. */
  reason: string;
}

const globalNames: Record<string, GlobalName> = {
  'microsoft.storage/storageaccounts': {
    status: 409,
    code: 'StorageAccountAlreadyTaken',
    reason: 'AlreadyExists',
    message: (name) => `The storage account named ${name} is already taken.`,
  },
  'microsoft.keyvault/vaults': {
    status: 409,
    code: 'VaultAlreadyExists',
    reason: 'AlreadyExists',
    message: (name) =>
      `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that ` +
      `the name is already taken. If you are sure that the vault name was not taken then it is possible ` +
      `that a vault with the same name was recently deleted but not purged after being placed in a ` +
      `recoverable state.`,
  },
  'microsoft.containerregistry/registries': {
    status: 400,
    code: 'AlreadyInUse',
    reason: 'AlreadyExists',
    message: (name) => `The registry DNS name ${name.toLowerCase()}.azurecr.io is already in use.`,
  },
  'microsoft.cache/redis': {
    status: 409,
    code: 'NameNotAvailable',
    reason: 'AlreadyExists',
    message: (name) =>
      `The name '${name}' is already in use: Redis cache names are global (${name.toLowerCase()}` +
      `.redis.cache.windows.net).`,
  },
  'microsoft.dbforpostgresql/flexibleservers': {
    status: 409,
    code: 'ServerNameAlreadyExists',
    reason: 'AlreadyExists',
    message: (name) => `Specified server name '${name}' is already used.`,
  },
  'microsoft.documentdb/databaseaccounts': {
    status: 400,
    code: 'BadRequest',
    reason: 'AlreadyExists',
    message: (name) =>
      `Dns record for ${name.toLowerCase()} under zone Document is already taken. Please use a different ` +
      `name for the account.`,
  },
  'microsoft.servicebus/namespaces': {
    status: 400,
    code: 'BadRequest',
    reason: 'NameInUse',
    message: () =>
      'The specified name is not available. For more information visit https://aka.ms/eventhubsarmexceptions.',
  },
  'microsoft.eventhub/namespaces': {
    status: 400,
    code: 'BadRequest',
    reason: 'NameInUse',
    message: () =>
      'The specified name is not available. For more information visit https://aka.ms/eventhubsarmexceptions.',
  },
};

/** true when names of `fullType` are unique across Azure (every subscription). */
export function isGloballyNamed(fullType: string): boolean {
  return globalNames[fullType.toLowerCase()] !== undefined;
}

/** The error for a name of `fullType` that another resource anywhere in Azure already has. */
export function nameTaken(fullType: string, name: string): ArmError {
  const rule = globalNames[fullType.toLowerCase()];
  if (rule === undefined) return new ArmError(409, 'Conflict', `The name '${name}' is already in use.`);
  return new ArmError(rule.status, rule.code, rule.message(name));
}

/**
 * The problem with `name` as a name of `fullType`, or undefined: the provider's documented rule, else the fixed
 * name of a singleton type, else the type definition's pattern and lengths (`nameSchema`).
 */
export function nameProblem(
  fullType: string,
  name: string,
  options: { fixedName?: string; nameSchema?: SchemaNode },
): ArmError | undefined {
  const rule = nameRules[fullType.toLowerCase()];
  if (rule !== undefined)
    return rule.valid(name) ? undefined : new ArmError(400, rule.code, rule.message(name), { target: 'name' });
  if (options.fixedName !== undefined) {
    if (name.toLowerCase() === options.fixedName.toLowerCase()) return undefined;
    return new ArmError(
      400,
      'InvalidResourceName',
      `The resource name '${name}' is invalid for type '${fullType}': its only allowed name is '${options.fixedName}'.`,
      { target: 'name' },
    );
  }
  const schema = options.nameSchema;
  if (schema === undefined || schema.type !== 'string') return undefined;
  const tooShort = schema.minLength !== undefined && name.length < schema.minLength;
  const tooLong = schema.maxLength !== undefined && name.length > schema.maxLength;
  if (!tooShort && !tooLong && (schema.pattern === undefined || matches(schema.pattern, name))) return undefined;
  const bounds =
    schema.minLength !== undefined || schema.maxLength !== undefined
      ? ` ${schema.minLength ?? 1}-${schema.maxLength ?? 260} characters`
      : '';
  const pattern = schema.pattern !== undefined ? ` matching '${schema.pattern}'` : '';
  return new ArmError(
    400,
    'InvalidResourceName',
    `The resource name '${name}' is invalid for type '${fullType}': it must be${bounds}${pattern}.`,
    { target: 'name' },
  );
}

/** checkNameAvailability's answer for an invalid name, or undefined when the name is valid. */
export function invalidNameAvailability(
  fullType: string,
  name: string,
  options: { fixedName?: string; nameSchema?: SchemaNode },
): Record<string, unknown> | undefined {
  const problem = nameProblem(fullType, name, options);
  if (problem === undefined) return undefined;
  return {
    nameAvailable: false,
    reason: nameRules[fullType.toLowerCase()]?.reason ?? 'Invalid',
    message: problem.message,
  };
}

/** checkNameAvailability's answer for a name taken in Azure. */
export function takenNameAvailability(fullType: string, name: string): Record<string, unknown> {
  const rule = globalNames[fullType.toLowerCase()];
  return {
    nameAvailable: false,
    reason: rule?.reason ?? 'AlreadyExists',
    message: rule?.message(name) ?? `The name '${name}' is already in use.`,
  };
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return true;
    }
  }
}

/** Typical provisioning times in Azure (ms) by type prefix, for `--latency realistic`; others take 10 s. */
const typicalDurations: Array<[RegExp, number]> = [
  [/^microsoft\.dbforpostgresql\/flexibleservers$/, 8 * 60_000],
  [/^microsoft\.cache\/redis$/, 15 * 60_000],
  [/^microsoft\.containerservice\/managedclusters$/, 6 * 60_000],
  [/^microsoft\.containerservice\/managedclusters\/agentpools$/, 4 * 60_000],
  [/^microsoft\.documentdb\/databaseaccounts$/, 5 * 60_000],
  [/^microsoft\.(servicebus|eventhub)\/namespaces$/, 2 * 60_000],
  [/^microsoft\.storage\/storageaccounts$/, 25_000],
  [/^microsoft\.keyvault\/vaults$/, 15_000],
  [/^microsoft\.containerregistry\/registries$/, 20_000],
  [/^microsoft\.network\//, 5_000],
];

/** Azure's typical provisioning time of `fullType` in ms (`--latency realistic` scales it). */
export function typicalDurationMs(fullType: string): number {
  const type = fullType.toLowerCase();
  return typicalDurations.find(([pattern]) => pattern.test(type))?.[1] ?? 10_000;
}

/** Per-provider shape of a long-running PUT, as Azure's REST specs declare it. */
export interface PutShape {
  /** Status of a PUT that completes at once: create. */
  created: number;
  /** Status of a PUT that starts an operation (create or update). */
  accepted: number | 'createdOrOk';
  /** The polling header(s) of a long-running PUT; `location` answers 202 without a body. */
  polling: 'azure-asyncoperation' | 'location' | 'both';
}

const putShapes: Array<[RegExp, PutShape]> = [
  // Storage: 200 (done) or 202 + Location (polled to the final 200).
  [/^microsoft\.storage\/storageaccounts$/, { created: 200, accepted: 202, polling: 'location' }],
  // PostgreSQL flexible servers: 202 + Azure-AsyncOperation and Location.
  [/^microsoft\.dbforpostgresql\/flexibleservers$/, { created: 201, accepted: 202, polling: 'both' }],
  // Cosmos DB declares only 200 for its PUTs, polled through Azure-AsyncOperation.
  [/^microsoft\.documentdb\//, { created: 200, accepted: 200, polling: 'azure-asyncoperation' }],
];
const defaultPutShape: PutShape = { created: 201, accepted: 'createdOrOk', polling: 'azure-asyncoperation' };

/** The PUT answer shape of `fullType` (default: 201/200 + Azure-AsyncOperation, as Network and most providers). */
export function putShapeOf(fullType: string): PutShape {
  const type = fullType.toLowerCase();
  return putShapes.find(([pattern]) => pattern.test(type))?.[1] ?? defaultPutShape;
}

/** The type a provider's `checkNameAvailability` checks when the body names none (Service Bus: its namespaces). */
export function globalTypeOf(namespace: string): string {
  const prefix = `${namespace.toLowerCase()}/`;
  const type = Object.keys(globalNames).find((candidate) => candidate.startsWith(prefix));
  return type === undefined ? namespace : `${namespace}/${type.slice(prefix.length)}`;
}
