/**
 * Conversion of a Kubernetes object between the served versions of its kind: the one place where an object at
 * one apiVersion becomes the same object at another. Both the conversion webhook and any in-process converter go
 * through a `VersionConverter`, so generated per-version conversions plug in here without changing their callers.
 */
import type { KindModel } from '../types.js';

import type { ConvertibleObject } from './versions.js';

export type { ConvertibleObject };

/** Converts `object` to `desiredApiVersion` (`group/version`), or throws a `ConversionError` saying why not. */
export type VersionConverter = (object: ConvertibleObject, desiredApiVersion: string) => Promise<ConvertibleObject>;

/** A conversion that cannot be made (unknown kind, version not served, malformed object). */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

/** Every served version of a kind (its hub and the others); [] when azo has no such kind. */
export type KindVersionsLookup = (group: string, kind: string) => Promise<KindModel[]>;

/** Rewrites `object` into the shape of the `target` kind-version (the model's generated conversion). */
export type ToVersion = (object: ConvertibleObject, desiredApiVersion: string, target: KindModel) => ConvertibleObject;

/**
 * A converter over the generated models: refuses an object without apiVersion or kind, a change of group, a kind
 * azo does not serve and a version the kind does not serve (each a `ConversionError` that says which); converts
 * everything else with `toVersion`. An object already at the desired version is returned as it is.
 */
export function modelVersionConverter(lookup: KindVersionsLookup, toVersion: ToVersion): VersionConverter {
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
    const models = await lookup(group, kind);
    if (models.length === 0) throw new ConversionError(`${group}/${kind} is not a kind azo serves`);
    const served = models.flatMap((model) => model.versions);
    const at = (wanted: string) => {
      const model = models.find((candidate) => candidate.versions.includes(wanted));
      if (model === undefined) {
        throw new ConversionError(`${group}/${kind} has no version ${wanted} (served: ${served.join(', ')})`);
      }
      return model;
    };
    at(version);
    const target = at(desiredVersion);
    return apiVersion === desiredApiVersion ? object : toVersion(object, desiredApiVersion, target);
  };
}
