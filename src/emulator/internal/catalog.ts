/**
 * The emulator's view of the generated type catalog (`generated/catalog.ts`): the published api-versions of every
 * type of the modelled providers, and the fixed names of singleton types, some of which Azure creates with their
 * parent (a storage account's `blobServices/default`).
 */
import type { ArmCatalog } from '../../model/index.js';

/**
 * Singleton child types that Azure creates only on a PUT (a GET before answers 404), by last type segment; every
 * other singleton child of the catalog exists as soon as its parent does.
 */
const createdOnPut = new Set([
  'managementpolicies', // Storage: ManagementPolicyNotFound until one is set
  'inventorypolicies', // Storage: likewise
  'accountmigrations', // Storage: a migration request
  'patchschedules', // Redis: none until scheduled
  'notebookworkspaces', // Cosmos DB: created on request
  'throughputsettings', // Cosmos DB: only with provisioned throughput
  'settings', // Cosmos DB (legacy throughput settings)
  'migrations', // Redis Enterprise: a migration request
  'firewallpolicydrafts', // Network: drafts are created on request
  'rulecollectiongroupdrafts',
  'dnssecconfigs', // DNS: DNSSEC is off until signed
  'administrators', // PostgreSQL single server: no administrator until set
]);

/** Lookups over the catalog (case-insensitive types). */
export class TypeCatalog {
  private readonly types = new Map<string, { versions: string[]; fixedName?: string }>();
  private readonly children = new Map<string, Array<{ type: string; name: string }>>();

  constructor(catalog: ArmCatalog | undefined) {
    for (const [armType, entry] of Object.entries(catalog?.types ?? {})) {
      const key = armType.toLowerCase();
      const versions = catalog?.versionLists[entry.versions] ?? [];
      this.types.set(key, { versions, ...(entry.fixedName !== undefined ? { fixedName: entry.fixedName } : {}) });
      const segments = armType.split('/');
      const last = segments[segments.length - 1] ?? '';
      if (entry.fixedName === undefined || segments.length < 3 || createdOnPut.has(last.toLowerCase())) continue;
      const parent = segments.slice(0, -1).join('/').toLowerCase();
      this.children.set(parent, [...(this.children.get(parent) ?? []), { type: last, name: entry.fixedName }]);
    }
  }

  /** The published api-versions of `fullType`, or undefined when the catalog does not know the type. */
  versionsOf(fullType: string): string[] | undefined {
    return this.types.get(fullType.toLowerCase())?.versions;
  }

  /** The only name Azure allows for `fullType`, if it is a singleton. */
  fixedNameOf(fullType: string): string | undefined {
    return this.types.get(fullType.toLowerCase())?.fixedName;
  }

  /** The singleton children Azure creates with a resource of `fullType`: last type segment and name. */
  implicitChildrenOf(fullType: string): Array<{ type: string; name: string }> {
    return this.children.get(fullType.toLowerCase()) ?? [];
  }
}
