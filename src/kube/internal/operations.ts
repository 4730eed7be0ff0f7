/**
 * The REST verbs on stored objects: get, list, create, update, patch (merge, JSON, strategic, apply), delete and
 * deletecollection, with the write pipeline (unknown fields → defaults → server-owned metadata → status rules →
 * validation → store). Everything is checked before anything is stored.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { computeCrdStatus, crdBucket } from './crd.js';
import type { StatusCause } from './errors.js';
import {
  ApiError,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  notFound,
  staleMessage,
  unsupportedMediaType,
} from './errors.js';
import { ListSnapshots } from './list-snapshots.js';
import { validateObjectMeta } from './meta-validation.js';
import { deepEqual, desiredState, randomSuffix, schemaHasDefaults } from './objects.js';
import type { Registry } from './registry.js';
import type { JSONSchemaProps } from './schema-api.js';
import {
  applyDefaults,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  listStrategiesOf,
  builtinSchemas,
  schemaValidatedBuiltins,
  celNotEvaluatedWarning,
  conflictCause,
  findCelValidations,
  formatConflictMessage,
  objectMetaSchema,
  PatchError,
  pruneUnknownFields,
  pruneValue,
  recordUpdate,
  serverSideApply,
  validateValue,
} from './schema-api.js';
import type { ObjectPredicate } from './selectors.js';
import type { Store } from './store.js';
import { objectKey } from './store.js';
import type { KubeObject, ResourceType, VersionSpec } from './types.js';
import {
  apiVersionOf,
  finalizersOf,
  isObject,
  metadataOf,
  nameOf,
  resourceVersionOf,
  storageVersion,
  stringField,
  timestamp,
} from './types.js';

/** Which type, version and namespace a request addresses. */
export interface Target {
  type: ResourceType;
  version: VersionSpec;
  /** "" for cluster-scoped types and all-namespaces requests. */
  namespace: string;
}

/** Per-request options of writes. */
export interface WriteContext {
  dryRun: boolean;
  fieldManager?: string;
  /** Manager name used when fieldManager is absent (from the User-Agent). */
  defaultManager: string;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** Warnings to send back as `Warning` headers. */
  warnings: string[];
}

/** A request body after parsing: the value and the duplicate keys found. */
export interface ParsedBody {
  value: unknown;
  duplicateFields: string[];
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** DeleteOptions (from the body and/or query). */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** A page of a list. */
export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

const namespacesBucket = '/namespaces';
const statusIgnoredFinalizers = ['orphan', 'foregroundDeletion'];

/**
 * Converts a custom object to another served version of its type (`toSchema` is that version's openAPIV3Schema):
 * the conversion the API server would ask a conversion webhook for. Absent → only apiVersion changes (`None`).
 */
export type VersionConverter = (object: KubeObject, toApiVersion: string, toSchema: JSONSchemaProps) => KubeObject;

export class Operations {
  private readonly convertedCache = new WeakMap<VersionSpec, WeakMap<KubeObject, KubeObject>>();
  private readonly defaultsCache = new WeakMap<VersionSpec, boolean>();
  private readonly defaultedCache = new WeakMap<VersionSpec, WeakMap<KubeObject, KubeObject>>();
  private readonly listSnapshots = new ListSnapshots();

  constructor(
    readonly store: Store,
    readonly registry: Registry,
    readonly logger: Logger,
    private readonly converter?: VersionConverter,
  ) {}

  // ---------------------------------------------------------------- conversions

  /** A stored object in the served form of `version`. */
  toServed(type: ResourceType, version: VersionSpec, stored: KubeObject): KubeObject {
    if (type.builtin?.toExternal) return type.builtin.toExternal(stored);
    const apiVersion = apiVersionOf(type.group, version.name);
    let served = this.converted(type, version, apiVersion, stored);
    if (!type.builtin && version.schema && this.hasDefaults(version))
      served = this.defaulted(version, version.schema, served);
    return served.apiVersion === apiVersion ? served : { ...served, apiVersion };
  }

  /**
   * `stored` with the version's defaults applied (objects stored before a default existed get it on reads).
   * Stored objects are immutable, so the result is remembered per object; when defaulting changes nothing (the
   * usual case: writes are defaulted) the stored object itself is served and nothing is copied.
   */
  private defaulted(version: VersionSpec, schema: JSONSchemaProps, stored: KubeObject): KubeObject {
    let cache = this.defaultedCache.get(version);
    if (!cache) {
      cache = new WeakMap();
      this.defaultedCache.set(version, cache);
    }
    let served = cache.get(stored);
    if (!served) {
      const withDefaults = applyDefaults(stored, schema) as KubeObject;
      served = deepEqual(withDefaults, stored) ? stored : withDefaults;
      cache.set(stored, served);
    }
    return served;
  }

  /** `object` in `version` by the converter (remembered per stored object), when the type has several versions. */
  private converted(type: ResourceType, version: VersionSpec, apiVersion: string, object: KubeObject): KubeObject {
    if (
      !this.converter ||
      type.builtin ||
      !version.schema ||
      object.apiVersion === apiVersion ||
      type.versions.length < 2
    )
      return object;
    let cache = this.convertedCache.get(version);
    if (!cache) {
      cache = new WeakMap();
      this.convertedCache.set(version, cache);
    }
    let result = cache.get(object);
    if (!result) {
      result = this.converter(object, apiVersion, version.schema);
      cache.set(object, result);
    }
    return result;
  }

  private hasDefaults(version: VersionSpec): boolean {
    let cached = this.defaultsCache.get(version);
    if (cached === undefined) {
      cached = schemaHasDefaults(version.schema);
      this.defaultsCache.set(version, cached);
    }
    return cached;
  }

  private toStorage(type: ResourceType, served: KubeObject): KubeObject {
    if (type.builtin?.toStorage) return type.builtin.toStorage(served);
    const storage = storageVersion(type);
    const apiVersion = apiVersionOf(type.group, storage.name);
    const converted = this.converted(type, storage, apiVersion, served);
    return converted.apiVersion === apiVersion ? converted : { ...converted, apiVersion };
  }

  private schemaFor(type: ResourceType, version: VersionSpec): JSONSchemaProps | undefined {
    if (!type.builtin) return version.schema;
    return builtinSchemas[`${type.group}/${version.name}/${type.kind}`];
  }

  // ---------------------------------------------------------------- reads

  /** The stored object or 404. */
  getStored(target: Target, name: string): KubeObject {
    const stored = this.store.get(target.type.bucket, target.type.namespaced ? target.namespace : '', name);
    if (!stored) throw notFound(target.type.plural, target.type.group, name);
    return stored;
  }

  get(target: Target, name: string): KubeObject {
    return this.toServed(target.type, target.version, this.getStored(target, name));
  }

  /**
   * One page of matching objects (served form). A list that does not fit in `limit` is snapshotted, and its
   * continue token names the snapshot and the last key served, so later pages show the state of the first one.
   */
  list(target: Target, options: { predicate?: ObjectPredicate; limit?: number; continueToken?: string }): ListPage {
    const { type } = target;
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    let rv: number;
    let matching: KubeObject[];
    let offset = 0;
    let snapshotId: string | undefined;
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      const snapshot = this.listSnapshots.find(token.snapshot);
      if (!snapshot) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new ' +
            'list without the continue parameter.',
        );
      }
      ({ rv, items: matching } = snapshot);
      snapshotId = token.snapshot;
      offset = firstAfter(matching, token.start);
    } else {
      rv = this.store.currentRv();
      const all = this.store.list(type.bucket, type.namespaced && target.namespace ? target.namespace : undefined);
      matching = options.predicate ? all.filter(options.predicate) : all;
    }
    const page = matching.slice(offset, offset + limit);
    const remaining = matching.length - offset - page.length;
    let continueToken: string | undefined;
    const last = page[page.length - 1];
    if (remaining > 0 && last) {
      snapshotId ??= this.listSnapshots.remember({ rv, items: matching });
      continueToken = encodeContinue({ rv, start: keyOf(last), snapshot: snapshotId });
    }
    return {
      items: page.map((object) => this.toServed(type, target.version, object)),
      resourceVersion: String(rv),
      ...(continueToken ? { continueToken, remainingItemCount: remaining } : {}),
    };
  }

  // ---------------------------------------------------------------- writes

  async create(target: Target, body: ParsedBody, context: WriteContext): Promise<KubeObject> {
    const incoming = this.requireObject(body.value);
    const object = this.admit(target, incoming, undefined, context, {
      subresource: undefined,
      duplicateFields: body.duplicateFields,
      manager: context.fieldManager ?? context.defaultManager,
      applied: false,
    });
    return this.commit(target, object, undefined, context);
  }

  async update(
    target: Target,
    name: string,
    body: ParsedBody,
    context: WriteContext,
    subresource?: string,
  ): Promise<KubeObject> {
    const incoming = this.requireObject(body.value);
    const bodyName = stringField(metadataOf(incoming), 'name');
    if (bodyName !== undefined && bodyName !== name)
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    const previous = this.getStored(target, name);
    const object = this.admit(target, withName(incoming, name), previous, context, {
      subresource,
      duplicateFields: body.duplicateFields,
      manager: context.fieldManager ?? context.defaultManager,
      applied: false,
    });
    return this.commit(target, object, previous, context);
  }

  async patch(
    target: Target,
    name: string,
    patchType: PatchType,
    body: ParsedBody,
    context: WriteContext,
    options: { subresource?: string; force: boolean },
  ): Promise<{ object: KubeObject; created: boolean }> {
    const { type, version } = target;
    if (patchType === 'strategic' && !type.strategicMerge) {
      throw unsupportedMediaType(
        'the body of the request was in an unknown format - accepted media types include: ' +
          'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    const namespace = type.namespaced ? target.namespace : '';
    const previous = this.store.get(type.bucket, namespace, name);
    const now = timestamp();
    if (patchType === 'apply') {
      const manager = context.fieldManager;
      if (!manager)
        throw badRequest(
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      const applied = this.requireObject(body.value);
      const appliedName = stringField(metadataOf(applied), 'name');
      if (appliedName !== undefined && appliedName !== name)
        throw badRequest(`the name of the object (${appliedName}) does not match the name on the URL (${name})`);
      if (typeof applied.apiVersion !== 'string' || typeof applied.kind !== 'string')
        throw badRequest('apiVersion and kind must be set in an applied configuration');
      const live = previous ? this.toServed(type, version, previous) : undefined;
      const schema = this.schemaFor(type, version);
      const result = serverSideApply({
        live,
        applied: withName(applied, name),
        manager,
        force: options.force,
        apiVersion: apiVersionOf(type.group, version.name),
        ...(schema ? { schema } : {}),
        now,
        ...(options.subresource ? { subresource: options.subresource } : {}),
      });
      if (result.conflicts.length > 0 && !options.force) {
        throw new ApiError(409, 'Conflict', formatConflictMessage(result.conflicts), {
          name,
          ...(type.group ? { group: type.group } : {}),
          kind: type.plural,
          causes: result.conflicts.map(conflictCause),
        });
      }
      if (!previous && options.subresource) throw notFound(type.plural, type.group, name);
      const object = this.admit(target, result.object, previous, context, {
        subresource: options.subresource,
        duplicateFields: body.duplicateFields,
        manager,
        applied: true,
      });
      return { object: await this.commit(target, object, previous, context), created: !previous };
    }
    if (!previous) throw notFound(type.plural, type.group, name);
    const current = this.toServed(type, version, previous);
    let patched: unknown;
    try {
      if (patchType === 'merge') {
        if (!isObject(body.value)) throw badRequest('patch body must be a JSON object');
        patched = applyMergePatch(current, body.value);
      } else if (patchType === 'json') patched = applyJsonPatch(current, body.value);
      else {
        if (!isObject(body.value)) throw badRequest('patch body must be a JSON object');
        patched = applyStrategicMergePatch(current, body.value, {
          listStrategies: listStrategiesOf(this.schemaFor(type, version)),
        });
      }
    } catch (error) {
      if (error instanceof PatchError) {
        if (error.httpStatus === 422)
          throw invalid(type.kind, type.group, name, [{ reason: 'FieldValueInvalid', message: error.message }]);
        if (error.httpStatus === 409) throw conflict(type.plural, type.group, name, error.message);
        throw badRequest(error.message);
      }
      throw error;
    }
    const object = this.requireObject(patched);
    const patchedName = stringField(metadataOf(object), 'name');
    if (patchedName !== name)
      throw badRequest(`the name of the object (${patchedName ?? ''}) does not match the name on the URL (${name})`);
    const admitted = this.admit(target, object, previous, context, {
      subresource: options.subresource,
      duplicateFields: body.duplicateFields,
      manager: context.fieldManager ?? context.defaultManager,
      applied: false,
    });
    return { object: await this.commit(target, admitted, previous, context), created: false };
  }

  private requireObject(value: unknown): KubeObject {
    if (!isObject(value)) throw badRequest('the request body must be a JSON object');
    return value;
  }

  /**
   * The write pipeline: returns the object to store (storage form) or throws. `previous` is the stored object on
   * updates. Nothing here touches the store.
   */
  private admit(
    target: Target,
    incoming: KubeObject,
    previous: KubeObject | undefined,
    context: WriteContext,
    options: { subresource: string | undefined; duplicateFields: string[]; manager: string; applied: boolean },
  ): KubeObject {
    const { type, version } = target;
    const expectedApiVersion = apiVersionOf(type.group, version.name);
    if (incoming.apiVersion !== undefined && incoming.apiVersion !== expectedApiVersion) {
      throw badRequest(
        `the API version in the data (${String(incoming.apiVersion)}) does not match the expected API ` +
          `version (${expectedApiVersion})`,
      );
    }
    if (incoming.kind !== undefined && incoming.kind !== type.kind) {
      throw badRequest(
        `the kind in the data (${String(incoming.kind)}) does not match the expected kind (${type.kind})`,
      );
    }
    if (!isObject(incoming.metadata) && incoming.metadata !== undefined) throw badRequest('metadata must be an object');
    let object: KubeObject = {
      ...incoming,
      apiVersion: expectedApiVersion,
      kind: type.kind,
      metadata: { ...metadataOf(incoming) },
    };
    let metadata = metadataOf(object);
    const requestNamespace = stringField(metadata, 'namespace');
    if (type.namespaced) {
      if (requestNamespace !== undefined && requestNamespace !== '' && requestNamespace !== target.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata.namespace = target.namespace;
    } else delete metadata.namespace;

    // Unknown and duplicate fields.
    const unknown: string[] = [];
    const schema = this.schemaFor(type, version);
    if (schema) {
      const pruned = pruneUnknownFields(object, schema);
      object = pruned.value as KubeObject;
      unknown.push(...pruned.pruned);
    }
    if (!schema) {
      const prunedMeta = pruneValue(metadataOf(object), objectMetaSchema);
      object = { ...object, metadata: prunedMeta.value };
      unknown.push(...prunedMeta.pruned.map((path) => `metadata.${path}`));
    }
    metadata = metadataOf(object);
    const problems = [
      ...unknown.map((path) => `unknown field "${path}"`),
      ...options.duplicateFields.map((path) => `duplicate field "${path}"`),
    ];
    if (problems.length > 0) {
      if (context.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
      if (context.fieldValidation === 'Warn') context.warnings.push(...problems);
    }

    if (type.builtin && schema) rejectWrongTypes(type, version, object, schema);
    if (!type.builtin && version.schema) object = applyDefaults(object, version.schema) as KubeObject;

    const previousServed = previous ? this.toServed(type, version, previous) : undefined;
    const statusIsSubresource = version.statusSubresource;
    if (options.subresource === 'status') {
      if (!previousServed) throw notFound(type.plural, type.group, nameOf(object));
      const requestRv = stringField(metadata, 'resourceVersion');
      object = { ...previousServed, status: object.status };
      if (object.status === undefined) delete object.status;
      const appliedManagedFields = options.applied ? metadata.managedFields : undefined;
      object.metadata = {
        ...metadataOf(previousServed),
        ...(requestRv ? { resourceVersion: requestRv } : { resourceVersion: '' }),
        // Server-side apply to /status computed the new ownership (its status manager entry) on the whole object.
        ...(appliedManagedFields !== undefined ? { managedFields: appliedManagedFields } : {}),
      };
      metadata = metadataOf(object);
    } else if (statusIsSubresource) {
      if (previousServed && previousServed.status !== undefined) object.status = previousServed.status;
      else delete object.status;
    }

    // Server-owned metadata.
    const now = timestamp();
    if (!previous) {
      if (stringField(metadata, 'resourceVersion'))
        throw badRequest('resourceVersion should not be set on objects to be created');
      if (!stringField(metadata, 'name') && typeof metadata.generateName === 'string' && metadata.generateName !== '') {
        metadata.name = `${metadata.generateName}${randomSuffix()}`;
      }
      metadata.uid = randomUUID();
      metadata.creationTimestamp = now;
      if (type.generation) metadata.generation = 1;
      else delete metadata.generation;
      delete metadata.deletionTimestamp;
      delete metadata.deletionGracePeriodSeconds;
    } else {
      const old = metadataOf(previous);
      const requestRv = stringField(metadata, 'resourceVersion');
      if (requestRv && requestRv !== resourceVersionOf(previous))
        throw conflict(type.plural, type.group, nameOf(previous), staleMessage);
      for (const key of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'name',
        'namespace',
      ]) {
        if (old[key] === undefined) delete metadata[key];
        else metadata[key] = old[key];
      }
      if (metadata.managedFields === undefined && old.managedFields !== undefined)
        metadata.managedFields = old.managedFields;
      if (old.deletionTimestamp) {
        const added = finalizersOf(object).filter((finalizer) => !finalizersOf(previous).includes(finalizer));
        if (added.length > 0) {
          throw invalid(type.kind, type.group, nameOf(previous), [
            {
              reason: 'FieldValueForbidden',
              message:
                `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ` +
                `[]string{${added.map((value) => JSON.stringify(value)).join(', ')}}`,
              field: 'metadata.finalizers',
            },
          ]);
        }
      }
      if (
        type.generation &&
        previousServed &&
        !deepEqual(desiredState(object, statusIsSubresource), desiredState(previousServed, statusIsSubresource))
      ) {
        metadata.generation = (typeof old.generation === 'number' ? old.generation : 0) + 1;
      }
    }
    delete metadata.resourceVersion;
    delete metadata.selfLink;
    // ObjectMeta's lists and maps are omitempty: an emptied one is not written (nor shown) at all.
    for (const key of ['finalizers', 'ownerReferences', 'labels', 'annotations']) {
      const value = metadata[key];
      if ((Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0))
        delete metadata[key];
    }
    object.metadata = metadata;

    if (options.subresource !== 'status') type.builtin?.prepare?.(object, previousServed);

    // Validation.
    const causes: StatusCause[] = [];
    if (options.subresource !== 'status') {
      causes.push(
        ...validateObjectMeta(metadataOf(object), {
          nameRule: type.bucket === namespacesBucket ? 'label' : 'subdomain',
          namespaced: type.namespaced,
        }),
      );
      causes.push(...(type.builtin?.validate?.(object, previousServed) ?? []));
      if (!type.builtin && version.schema) causes.push(...validateValue(object, version.schema));
      if (type.builtin && schema && schemaValidatedBuiltins.has(`${type.group}/${version.name}/${type.kind}`)) {
        causes.push(
          ...validateValue(withoutNullFields(object), schema).filter((cause) => cause.reason === 'FieldValueRequired'),
        );
      }
    } else if (!type.builtin && version.schema) {
      const statusSchema = version.schema.properties?.status;
      if (statusSchema && object.status !== undefined)
        causes.push(...validateValue(object.status, statusSchema, 'status'));
    }
    if (causes.length > 0)
      throw invalid(
        type.kind,
        type.group,
        nameOf(object) || stringField(metadataOf(object), 'generateName') || '',
        causes,
      );

    if (type.bucket === crdBucket && options.subresource !== 'status') {
      const versions = isObject(object.spec) && Array.isArray(object.spec.versions) ? object.spec.versions : [];
      const withCel = versions.some(
        (entry) =>
          isObject(entry) &&
          isObject(entry.schema) &&
          isObject(entry.schema.openAPIV3Schema) &&
          findCelValidations(entry.schema.openAPIV3Schema as JSONSchemaProps).length > 0,
      );
      if (withCel) context.warnings.push(celNotEvaluatedWarning);
      const others = this.store.list(crdBucket).filter((other) => nameOf(other) !== nameOf(object));
      object.status = computeCrdStatus(object, previousServed, others);
    }

    if (!options.applied) {
      object = recordUpdate({
        previous: previousServed,
        next: object,
        manager: options.manager,
        apiVersion: apiVersionOf(type.group, version.name),
        now,
        ...(options.subresource ? { subresource: options.subresource } : {}),
        ...(schema ? { schema } : {}),
      });
    }
    return this.toStorage(type, object);
  }

  /** Stores an admitted object (or returns it as it would be for dryRun); removes it when deletion completes. */
  private async commit(
    target: Target,
    object: KubeObject,
    previous: KubeObject | undefined,
    context: WriteContext,
  ): Promise<KubeObject> {
    const { type } = target;
    const namespace = stringField(metadataOf(object), 'namespace') ?? '';
    if (!previous) {
      if (type.namespaced) this.checkNamespaceAccepts(namespace);
      if (this.store.get(type.bucket, namespace, nameOf(object))) throw alreadyExistsError(type, nameOf(object));
    } else if (this.store.get(type.bucket, namespace, nameOf(object)) !== previous) {
      throw conflict(type.plural, type.group, nameOf(object), staleMessage);
    }
    if (context.dryRun) {
      const preview = {
        ...object,
        metadata: { ...metadataOf(object), resourceVersion: previous ? resourceVersionOf(previous) : '' },
      };
      return this.toServed(type, target.version, preview);
    }
    const finished =
      previous &&
      metadataOf(object).deletionTimestamp &&
      finalizersOf(object).length === 0 &&
      !namespaceFinalizersPending(type, object);
    const result = finished
      ? this.store.remove(type.bucket, namespace, nameOf(object))
      : this.store.put(type.bucket, object);
    if (!result) throw notFound(type.plural, type.group, nameOf(object));
    await result.durable;
    return this.toServed(type, target.version, result.object);
  }

  private checkNamespaceAccepts(namespace: string): void {
    const stored = this.store.get(namespacesBucket, '', namespace);
    if (!stored) throw notFound('namespaces', '', namespace);
    if (metadataOf(stored).deletionTimestamp) {
      throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`, [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ]);
    }
  }

  // ---------------------------------------------------------------- deletes

  async delete(target: Target, name: string, options: DeleteOptions, context: WriteContext): Promise<KubeObject> {
    const stored = this.getStored(target, name);
    const metadata = metadataOf(stored);
    const preconditions = options.preconditions;
    if (preconditions?.uid && preconditions.uid !== metadata.uid) {
      throw conflict(
        target.type.plural,
        target.type.group,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(metadata.uid)}`,
      );
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== metadata.resourceVersion) {
      throw conflict(
        target.type.plural,
        target.type.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ` +
          `ResourceVersion in object meta: ${String(metadata.resourceVersion)}`,
      );
    }
    const result = await this.deleteStored(target.type, stored, options.propagationPolicy, context.dryRun);
    return this.toServed(target.type, target.version, result);
  }

  /** Deletes a stored object: marks it terminating when finalizers remain, else removes it. Returns its last state. */
  async deleteStored(
    type: ResourceType,
    stored: KubeObject,
    propagation: DeleteOptions['propagationPolicy'],
    dryRun = false,
  ): Promise<KubeObject> {
    const metadata = metadataOf(stored);
    const finalizers = finalizersOf(stored);
    const wanted = [...finalizers];
    if (!metadata.deletionTimestamp || propagation) {
      if (propagation === 'Orphan' && !wanted.includes('orphan')) wanted.push('orphan');
      if (propagation === 'Foreground' && !wanted.includes('foregroundDeletion')) wanted.push('foregroundDeletion');
      if (propagation && propagation !== 'Orphan') removeItem(wanted, 'orphan');
      if (propagation && propagation !== 'Foreground') removeItem(wanted, 'foregroundDeletion');
    }
    const namespace = stringField(metadata, 'namespace') ?? '';
    if (wanted.length > 0 || namespaceFinalizersPending(type, stored)) {
      if (metadata.deletionTimestamp && deepEqual(wanted, finalizers)) return stored;
      if (
        metadata.deletionTimestamp &&
        wanted.every((item) => statusIgnoredFinalizers.includes(item)) &&
        finalizers.length === 0
      )
        return stored;
      const next: KubeObject = {
        ...stored,
        metadata: {
          ...metadata,
          finalizers: wanted,
          deletionTimestamp: metadata.deletionTimestamp ?? timestamp(),
          deletionGracePeriodSeconds: 0,
          ...(type.generation && !metadata.deletionTimestamp
            ? { generation: (typeof metadata.generation === 'number' ? metadata.generation : 0) + 1 }
            : {}),
        },
      };
      if (wanted.length === 0) delete (next.metadata as Record<string, unknown>).finalizers;
      if (type.bucket === namespacesBucket)
        next.status = { ...(isObject(stored.status) ? stored.status : {}), phase: 'Terminating' };
      if (type.bucket === crdBucket) next.status = computeCrdStatus(next, stored, []);
      if (dryRun) return next;
      const result = this.store.put(type.bucket, next);
      await result.durable;
      return result.object;
    }
    if (dryRun) return stored;
    const result = this.store.remove(type.bucket, namespace, nameOf(stored));
    if (!result) return stored;
    await result.durable;
    return result.object;
  }

  /** Writes a controller's change to a stored object (e.g. dropping a finalizer); removes it if deletion completes. */
  async writeStored(type: ResourceType, next: KubeObject): Promise<void> {
    const namespace = stringField(metadataOf(next), 'namespace') ?? '';
    const finished =
      metadataOf(next).deletionTimestamp && finalizersOf(next).length === 0 && !namespaceFinalizersPending(type, next);
    const result = finished
      ? this.store.remove(type.bucket, namespace, nameOf(next))
      : this.store.put(type.bucket, next);
    await result?.durable;
  }
}

/**
 * Built-in kinds are typed: a value of the wrong JSON type cannot be decoded, which Kubernetes answers with 400
 * "cannot be handled as a <Kind>". Nulls decode as absent fields there, so they are not type errors.
 */
function rejectWrongTypes(type: ResourceType, version: VersionSpec, object: KubeObject, schema: JSONSchemaProps): void {
  const causes = validateValue(withoutNullFields(object), schema).filter(
    // Secret values are checked (with their contents redacted) by the Secret's own validation.
    (cause) =>
      cause.reason === 'FieldValueTypeInvalid' && !(type.kind === 'Secret' && /^(data|stringData)\./.test(cause.field)),
  );
  if (causes.length === 0) return;
  const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
  throw badRequest(`${type.kind} in version "${version.name}" cannot be handled as a ${type.kind}: ${summary}`, {
    name: nameOf(object),
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
    causes: causes.map((cause) => ({ reason: 'FieldValueInvalid', message: cause.message, field: cause.field })),
  });
}

function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) result[key] = withoutNullFields(child);
  return result;
}

function namespaceFinalizersPending(type: ResourceType, object: KubeObject): boolean {
  if (type.bucket !== namespacesBucket) return false;
  const spec = object.spec;
  return isObject(spec) && Array.isArray(spec.finalizers) && spec.finalizers.length > 0;
}

function alreadyExistsError(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${type.group === '' ? type.plural : `${type.plural}.${type.group}`} "${name}" already exists`,
    {
      name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
    },
  );
}

function withName(object: KubeObject, name: string): KubeObject {
  return { ...object, metadata: { ...metadataOf(object), name } };
}

function removeItem(list: string[], item: string): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

function keyOf(object: KubeObject): string {
  return objectKey(stringField(metadataOf(object), 'namespace') ?? '', nameOf(object));
}

/** Index of the first object whose key sorts after `key` in a key-sorted list. */
function firstAfter(objects: KubeObject[], key: string): number {
  let low = 0;
  let high = objects.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const candidate = objects[middle];
    if (candidate && keyOf(candidate) <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface ContinueToken {
  rv: number;
  start: string;
  snapshot: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<
      Record<keyof ContinueToken, unknown>
    >;
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string' && typeof parsed.snapshot === 'string')
      return { rv: parsed.rv, start: parsed.start, snapshot: parsed.snapshot };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: the continue token is malformed');
}
