/**
 * Conversion of a Kubernetes object between the served versions of its kind: the one place where an object at
 * one apiVersion becomes the same object at another. Both the conversion webhook and any in-process converter go
 * through a `VersionConverter`, so generated per-version conversions plug in here without changing their callers.
 */
import type { KindModel } from '../types.js';

/** A Kubernetes object as JSON. */
export type ConvertibleObject = Record<string, unknown>;

/** Converts `object` to `desiredApiVersion` (`group/version`), or throws a `ConversionError` saying why not. */
export type VersionConverter = (object: ConvertibleObject, desiredApiVersion: string) => Promise<ConvertibleObject>;

/** A conversion that cannot be made (unknown kind, version not served, malformed object). */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

/** Finds the model of a kind by group and kind (e.g. `loadKindModel`). */
export type KindModelLookup = (group: string, kind: string) => Promise<KindModel | undefined>;

/**
 * Today's conversion: every served version of a kind (`vYYYYMMDD` and its legacy `v1apiYYYYMMDD` spelling) has the
 * same schema, so converting sets `apiVersion` and leaves every other field as it is. Refuses a kind azo does not
 * serve, a change of group, and a version the kind does not serve.
 */
export function apiVersionConverter(lookup: KindModelLookup): VersionConverter {
  return async (object, desiredApiVersion) => {
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || kind === '') {
      throw new ConversionError('the object has no apiVersion or kind');
    }
    const [group = '', version = ''] = apiVersion.split('/');
    const [desiredGroup = '', desiredVersion = ''] = desiredApiVersion.split('/');
    if (group !== desiredGroup || desiredVersion === '') {
      throw new ConversionError(`cannot convert ${apiVersion} ${kind} to ${desiredApiVersion}: another group`);
    }
    const model = await lookup(group, kind);
    if (model === undefined) throw new ConversionError(`${group}/${kind} is not a kind azo serves`);
    for (const wanted of [version, desiredVersion]) {
      if (!model.versions.includes(wanted)) {
        throw new ConversionError(`${group}/${kind} has no version ${wanted} (served: ${model.versions.join(', ')})`);
      }
    }
    return apiVersion === desiredApiVersion ? object : { ...object, apiVersion: desiredApiVersion };
  };
}
