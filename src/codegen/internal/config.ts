/** Parsing of codegen.config.yaml (pure: takes the text). */
import { parse } from 'yaml';
import type { CodegenConfig, KindOverride, KindRequest } from './state.js';

interface RawGroupVersion {
  apiVersion?: unknown;
  kinds?: Record<string, unknown>;
}

/** Parses the config text; throws with the offending entry on a malformed file. */
export function parseCodegenConfig(text: string): CodegenConfig {
  const raw = parse(text) as {
    asoKinds?: unknown;
    inputs?: Record<string, unknown>;
    groups?: Record<string, unknown>;
    overrides?: Record<string, unknown>;
    publishedApiVersions?: Record<string, unknown>;
  } | null;
  if (!raw || typeof raw !== 'object') throw new Error('codegen config: empty file');
  const inputs = {
    azureTypes: String(raw.inputs?.azureTypes ?? '../shared/azure-types'),
    asoConfig: String(raw.inputs?.asoConfig ?? '../shared/aso-config/azure-arm.yaml'),
  };
  const overrides = (raw.overrides ?? {}) as Record<string, KindOverride>;
  for (const [key, override] of Object.entries(overrides)) {
    if (typeof override?.reason !== 'string' || override.reason.trim() === '')
      throw new Error(`codegen config: override ${key} needs a one-line reason`);
    const from = override.propertiesFrom as { apiVersion: unknown; paths: string[] } | undefined;
    if (from?.apiVersion instanceof Date) {
      override.propertiesFrom = { ...from, apiVersion: from.apiVersion.toISOString().slice(0, 10) };
    }
  }
  const kinds: KindRequest[] = [];
  for (const [group, value] of Object.entries(raw.groups ?? {})) {
    const entries = (Array.isArray(value) ? value : [value]) as RawGroupVersion[];
    for (const entry of entries) {
      // YAML may read an unquoted 2020-06-01 as a date.
      const apiVersion =
        entry.apiVersion instanceof Date ? entry.apiVersion.toISOString().slice(0, 10) : String(entry.apiVersion ?? '');
      if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion))
        throw new Error(`codegen config: group ${group} has a bad apiVersion ${apiVersion}`);
      for (const [kind, armType] of Object.entries(entry.kinds ?? {})) {
        if (typeof armType !== 'string' || !armType.includes('/'))
          throw new Error(`codegen config: ${group}/${kind} needs an ARM type`);
        const override = overrides[`${group}/${kind}`];
        kinds.push({ group, kind, armType, apiVersion, ...(override ? { override } : {}) });
      }
    }
  }
  const asoKinds = raw.asoKinds === 'all';
  if (raw.asoKinds !== undefined && !asoKinds) throw new Error(`codegen config: asoKinds must be 'all' or absent`);
  if (!asoKinds) checkOverrideKeys(overrides, kinds);
  return {
    inputs,
    kinds,
    asoKinds,
    overrides,
    publishedApiVersions: parsePublishedApiVersions(raw.publishedApiVersions ?? {}),
  };
}

/** `publishedApiVersions`: provider namespace → `{reason, versions}`; each version `YYYY-MM-DD[-preview]`. */
function parsePublishedApiVersions(raw: Record<string, unknown>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [namespace, value] of Object.entries(raw)) {
    const entry = value as { reason?: unknown; versions?: unknown } | null;
    if (typeof entry?.reason !== 'string' || entry.reason.trim() === '') {
      throw new Error(`codegen config: publishedApiVersions.${namespace} needs a one-line reason`);
    }
    const versions = (Array.isArray(entry.versions) ? entry.versions : []).map((version: unknown) =>
      version instanceof Date ? version.toISOString().slice(0, 10) : String(version),
    );
    const bad = versions.find((version) => !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version));
    if (bad !== undefined || versions.length === 0) {
      throw new Error(`codegen config: publishedApiVersions.${namespace} has a bad version ${bad ?? '(none)'}`);
    }
    result[namespace] = versions;
  }
  return result;
}

/** Every override names a configured kind (`group/Kind`). */
export function checkOverrideKeys(overrides: Record<string, KindOverride>, kinds: readonly KindRequest[]): void {
  for (const key of Object.keys(overrides)) {
    if (!kinds.some((kind) => `${kind.group}/${kind.kind}` === key))
      throw new Error(`codegen config: override for unknown kind ${key}`);
  }
}
