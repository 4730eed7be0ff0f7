/** Look-ups in the azure-types INDEX.json (ARM type → api-version → types file). */

export type TypeIndex = Record<string, Record<string, string>>;

/**
 * The versions of an ARM type, case-insensitively (ARM types are). The index spells some types two ways
 * (`Microsoft.DBForMySql/flexibleServers` and `Microsoft.DBforMySQL/flexibleServers`) with different versions under
 * each; they are merged.
 */
export function lookupIndex(index: TypeIndex, armType: string): Record<string, string> | undefined {
  const wanted = armType.toLowerCase();
  let merged: Record<string, string> | undefined;
  for (const [candidate, versions] of Object.entries(index)) {
    if (candidate.toLowerCase() === wanted) merged = { ...merged, ...versions };
  }
  return merged;
}

/** The index version to read when the index lacks `wanted`: the nearest date, older winning a tie. */
export function nearestVersion(wanted: string, available: readonly string[]): string | undefined {
  const day = (version: string) => Date.parse(version.slice(0, 10));
  const sorted = [...available].sort();
  let best: string | undefined;
  for (const candidate of sorted) {
    if (best === undefined || Math.abs(day(candidate) - day(wanted)) < Math.abs(day(best) - day(wanted)))
      best = candidate;
  }
  return best;
}

/** The schema version serving `apiVersion` of `armType`: undefined when the index has it, else the nearest. */
export function schemaVersionFor(index: TypeIndex, armType: string, apiVersion: string): string | undefined {
  const available = Object.keys(lookupIndex(index, armType) ?? {});
  return available.includes(apiVersion) ? undefined : nearestVersion(apiVersion, available);
}
