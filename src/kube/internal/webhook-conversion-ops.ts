/**
 * The REST verbs on a version of a CRD whose conversion strategy is Webhook, when that version is not the storage
 * version: objects are stored at the storage version, and converted by the webhook on the way in (request bodies)
 * and on the way out (responses, lists, watch events), as kube-apiserver does. Patches are applied to the object
 * at the requested version, then converted back and written with the read's resourceVersion (retried on conflict).
 */
import { ApiError, badRequest, conflict, invalid } from './errors.js';
import type { ServiceResolver } from './conversion-webhook.js';
import { convertThroughWebhook } from './conversion-webhook.js';
import type { DeleteOptions, Operations, ParsedBody, PatchType, Target, WriteContext } from './operations.js';
import { applyJsonPatch, applyMergePatch, PatchError } from './schema-api.js';
import type { KubeObject, ResourceType } from './types.js';
import { apiVersionOf, isObject, metadataOf, resourceVersionOf, storageVersion } from './types.js';

const maxPatchAttempts = 5;

export class WebhookConversionOps {
  constructor(
    private readonly operations: Operations,
    private readonly resolveService: ServiceResolver | undefined,
  ) {}

  /** Converts objects of `type` to `version` through the type's webhook. */
  async convert(type: ResourceType, objects: KubeObject[], version: string): Promise<KubeObject[]> {
    const config = type.conversionWebhook;
    if (config === undefined) return objects;
    return convertThroughWebhook({
      config,
      resolveService: this.resolveService,
      groupKind: `${type.plural}.${type.group}`,
      objects,
      desiredApiVersion: apiVersionOf(type.group, version),
    });
  }

  private async convertOne(type: ResourceType, object: KubeObject, version: string): Promise<KubeObject> {
    const [converted] = await this.convert(type, [object], version);
    if (converted === undefined) throw new ApiError(500, 'InternalError', 'conversion returned no object', {});
    return converted;
  }

  /** The same target at the storage version. */
  storageTarget(target: Target): Target {
    return { ...target, version: storageVersion(target.type) };
  }

  /** The stored form of a stored object, converted to the requested version. */
  async present(target: Target, stored: KubeObject): Promise<KubeObject> {
    const storage = this.storageTarget(target);
    return this.convertOne(
      target.type,
      this.operations.toServed(target.type, storage.version, stored),
      target.version.name,
    );
  }

  async presentAll(target: Target, objects: KubeObject[]): Promise<KubeObject[]> {
    return this.convert(target.type, objects, target.version.name);
  }

  /** A request body at the requested version, converted to the storage version. */
  private async incoming(target: Target, body: ParsedBody): Promise<ParsedBody> {
    const { type, version } = target;
    if (!isObject(body.value)) throw badRequest('the request body must be a JSON object');
    const expected = apiVersionOf(type.group, version.name);
    const object = body.value;
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (` +
          `${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
    }
    const converted = await this.convertOne(
      type,
      { ...object, apiVersion: expected, kind: type.kind },
      storageVersion(type).name,
    );
    return { value: converted, duplicateFields: body.duplicateFields };
  }

  async get(target: Target, name: string): Promise<KubeObject> {
    return this.present(target, this.operations.getStored(target, name));
  }

  async create(target: Target, body: ParsedBody, context: WriteContext): Promise<KubeObject> {
    const created = await this.operations.create(
      this.storageTarget(target),
      await this.incoming(target, body),
      context,
    );
    return this.convertOne(target.type, created, target.version.name);
  }

  async update(
    target: Target,
    name: string,
    body: ParsedBody,
    context: WriteContext,
    subresource?: string,
  ): Promise<KubeObject> {
    const updated = await this.operations.update(
      this.storageTarget(target),
      name,
      await this.incoming(target, body),
      context,
      subresource,
    );
    return this.convertOne(target.type, updated, target.version.name);
  }

  async delete(target: Target, name: string, options: DeleteOptions, context: WriteContext): Promise<KubeObject> {
    const deleted = await this.operations.delete(this.storageTarget(target), name, options, context);
    return this.convertOne(target.type, deleted, target.version.name);
  }

  async patch(
    target: Target,
    name: string,
    patchType: PatchType,
    body: ParsedBody,
    context: WriteContext,
    options: { subresource?: string; force: boolean },
  ): Promise<{ object: KubeObject; created: boolean }> {
    const { type } = target;
    const storage = this.storageTarget(target);
    if (patchType === 'apply' || patchType === 'strategic') {
      // An applied configuration is converted whole; strategic merge is refused for custom resources either way.
      const value = patchType === 'apply' ? (await this.incoming(target, body)).value : body.value;
      const result = await this.operations.patch(storage, name, patchType, { ...body, value }, context, options);
      return { object: await this.convertOne(type, result.object, target.version.name), created: result.created };
    }
    for (let attempt = 0; ; attempt++) {
      const stored = this.operations.getStored(target, name);
      const live = await this.present(target, stored);
      let patched: unknown;
      try {
        if (patchType === 'merge') {
          if (!isObject(body.value)) throw badRequest('patch body must be a JSON object');
          patched = applyMergePatch(live, body.value);
        } else patched = applyJsonPatch(live, body.value);
      } catch (error) {
        if (!(error instanceof PatchError)) throw error;
        if (error.httpStatus === 422)
          throw invalid(type.kind, type.group, name, [{ reason: 'FieldValueInvalid', message: error.message }]);
        if (error.httpStatus === 409) throw conflict(type.plural, type.group, name, error.message);
        throw badRequest(error.message);
      }
      if (!isObject(patched)) throw badRequest('the patched object is not a JSON object');
      const requestRv = metadataOf(patched).resourceVersion;
      const pinned = {
        ...patched,
        metadata: { ...metadataOf(patched), resourceVersion: requestRv ?? resourceVersionOf(stored) },
      };
      try {
        const object = await this.update(
          target,
          name,
          { value: pinned, duplicateFields: body.duplicateFields },
          context,
          options.subresource,
        );
        return { object, created: false };
      } catch (error) {
        // The object changed between the read and the write: patch the new state (as kube-apiserver retries).
        const stale = error instanceof ApiError && error.code === 409 && requestRv === undefined;
        if (!stale || attempt + 1 >= maxPatchAttempts) throw error;
      }
    }
  }
}
