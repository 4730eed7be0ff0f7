/**
 * Reads Kubernetes manifests as `kubectl -f` does: files, directories (their .yaml/.yml/.json files), `-` for stdin.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UserError } from './user-error.js';

/** One object of a manifest, loosely typed. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Every object of the given paths, in order (a `List`'s items included); `namespace` fills in a missing one. */
export function readManifests(paths: string[], namespace: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const path of paths) {
    for (const file of filesOf(path)) {
      const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
      for (const document of parseAllDocuments(text)) {
        if (document.errors.length > 0) {
          throw new UserError(`${file}: not valid YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}`);
        }
        const value = document.toJS() as unknown;
        if (value === null || value === undefined) continue;
        for (const object of isList(value) ? value.items : [value]) objects.push(checked(object, file, namespace));
      }
    }
  }
  return objects;
}

function filesOf(path: string): string[] {
  if (path === '-') return ['-'];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => join(path, name));
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { items?: unknown }).items);
}

function checked(value: unknown, file: string, namespace: string): ManifestObject {
  const object = value as Partial<ManifestObject> | null;
  if (
    typeof object !== 'object' ||
    object === null ||
    typeof object.apiVersion !== 'string' ||
    typeof object.kind !== 'string' ||
    typeof object.metadata?.name !== 'string'
  ) {
    throw new UserError(`${file}: every object needs apiVersion, kind and metadata.name`);
  }
  return {
    ...object,
    metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespace },
  } as ManifestObject;
}
