/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): validation and defaulting of the CRD itself, its status
 * (acceptedNames, storedVersions, NamesAccepted/Established/Terminating conditions) and the resource type it serves.
 */
import type { StatusCause } from './errors.js';
import { invalidValue, required } from './errors.js';
import { dns1123LabelErrors, dns1123SubdomainErrors } from './meta-validation.js';
import type { JSONSchemaProps } from './schema-api.js';
import { checkStructuralSchema } from './schema-api.js';
import { webhookClientConfigOf } from './conversion-webhook.js';
import type { BuiltinBehavior, KubeObject, PrinterColumn, ResourceType, VersionSpec } from './types.js';
import { isObject, metadataOf, stringField, timestamp } from './types.js';

export const crdGroup = 'apiextensions.k8s.io';
export const crdBucket = `${crdGroup}/customresourcedefinitions`;
export const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

function record(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function specOf(crd: KubeObject): Record<string, unknown> {
  return record(crd.spec);
}

function namesOf(crd: KubeObject): Record<string, unknown> {
  return record(specOf(crd).names);
}

function versionsOf(crd: KubeObject): Record<string, unknown>[] {
  const versions = specOf(crd).versions;
  return Array.isArray(versions) ? versions.map(record) : [];
}

const printerColumnTypes = ['integer', 'number', 'string', 'boolean', 'date'];

/** Fills CRD defaults: listKind, singular, conversion, printer column priorities. */
export function defaultCrd(crd: KubeObject): void {
  const spec = specOf(crd);
  const names = namesOf(crd);
  if (typeof names.kind === 'string') {
    if (names.listKind === undefined) names.listKind = `${names.kind}List`;
    if (names.singular === undefined) names.singular = names.kind.toLowerCase();
  }
  if (spec.conversion === undefined) spec.conversion = { strategy: 'None' };
  for (const version of versionsOf(crd)) {
    if (Array.isArray(version.additionalPrinterColumns)) {
      for (const column of version.additionalPrinterColumns)
        if (isObject(column) && column.priority === undefined) column.priority = 0;
    }
  }
}

/** Validates a CRD (after defaulting). */
export function validateCrd(crd: KubeObject, previous: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = specOf(crd);
  const names = namesOf(crd);
  const group = spec.group;
  if (typeof group !== 'string' || group === '') causes.push(required('spec.group'));
  else {
    for (const error of dns1123SubdomainErrors(group)) causes.push(invalidValue('spec.group', group, error));
    if (!group.includes('.'))
      causes.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  }
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    const value = names[field];
    if (typeof value !== 'string' || value === '') {
      causes.push(required(`spec.names.${field}`));
      continue;
    }
    if (field === 'plural' || field === 'singular')
      for (const error of dns1123LabelErrors(value)) causes.push(invalidValue(`spec.names.${field}`, value, error));
    if ((field === 'kind' || field === 'listKind') && !/^[A-Za-z][A-Za-z0-9]*$/.test(value)) {
      causes.push(
        invalidValue(
          `spec.names.${field}`,
          value,
          'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
        ),
      );
    }
  }
  for (const field of ['shortNames', 'categories'] as const) {
    const list = names[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) causes.push(invalidValue(`spec.names.${field}`, list, 'must be a list of strings'));
    else
      list.forEach((value, index) => {
        if (typeof value !== 'string')
          causes.push(invalidValue(`spec.names.${field}[${index}]`, value, 'must be a string'));
        else
          for (const error of dns1123LabelErrors(value))
            causes.push(invalidValue(`spec.names.${field}[${index}]`, value, error));
      });
  }
  const name = stringField(metadataOf(crd), 'name');
  if (typeof names.plural === 'string' && typeof group === 'string' && name !== `${names.plural}.${group}`) {
    causes.push(invalidValue('metadata.name', name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push(
      spec.scope === undefined
        ? required('spec.scope')
        : {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
            field: 'spec.scope',
          },
    );
  }
  if (spec.preserveUnknownFields === true) {
    causes.push(
      invalidValue('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'),
    );
  }
  const versions = versionsOf(crd);
  if (versions.length === 0) causes.push(required('spec.versions'));
  let storageCount = 0;
  let servedCount = 0;
  const seen = new Set<string>();
  versions.forEach((version, index) => {
    const field = `spec.versions[${index}]`;
    const versionName = version.name;
    if (typeof versionName !== 'string' || versionName === '') causes.push(required(`${field}.name`));
    else {
      for (const error of dns1123LabelErrors(versionName))
        causes.push(invalidValue(`${field}.name`, versionName, error));
      if (seen.has(versionName))
        causes.push({
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: ${JSON.stringify(versionName)}`,
          field: `${field}.name`,
        });
      seen.add(versionName);
    }
    if (version.storage === true) storageCount += 1;
    if (version.served === true) servedCount += 1;
    if (typeof version.served !== 'boolean') causes.push(required(`${field}.served`));
    if (typeof version.storage !== 'boolean') causes.push(required(`${field}.storage`));
    const schema = record(version.schema).openAPIV3Schema;
    if (!isObject(schema)) causes.push(required(`${field}.schema.openAPIV3Schema`));
    else {
      if (schema.type !== 'object')
        causes.push(
          invalidValue(`${field}.schema.openAPIV3Schema.type`, schema.type ?? '', 'must be object at the root'),
        );
      for (const cause of checkStructuralSchema(schema as JSONSchemaProps, `${field}.schema.openAPIV3Schema`))
        causes.push(cause);
    }
    const columns = version.additionalPrinterColumns;
    if (Array.isArray(columns)) {
      columns.forEach((column, columnIndex) => {
        const columnField = `${field}.additionalPrinterColumns[${columnIndex}]`;
        const entry = record(column);
        if (typeof entry.name !== 'string' || entry.name === '') causes.push(required(`${columnField}.name`));
        if (typeof entry.jsonPath !== 'string' || entry.jsonPath === '')
          causes.push(required(`${columnField}.jsonPath`));
        if (typeof entry.type !== 'string' || !printerColumnTypes.includes(entry.type)) {
          causes.push({
            reason: 'FieldValueNotSupported',
            message:
              `Unsupported value: ${JSON.stringify(entry.type ?? '')}: supported values: ` +
              `${printerColumnTypes.map((type) => JSON.stringify(type)).join(', ')}`,
            field: `${columnField}.type`,
          });
        }
      });
    }
  });
  if (versions.length > 0 && storageCount !== 1)
    causes.push(
      invalidValue(
        'spec.versions',
        versions.map((version) => version.name),
        'must have exactly one version marked as storage version',
      ),
    );
  if (versions.length > 0 && servedCount === 0)
    causes.push(
      invalidValue(
        'spec.versions',
        versions.map((version) => version.name),
        'must have at least one version marked as served',
      ),
    );
  const strategy = record(spec.conversion).strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(strategy)}: supported values: "None", "Webhook"`,
      field: 'spec.conversion.strategy',
    });
  }
  if (strategy === 'Webhook') causes.push(...webhookConversionErrors(record(spec.conversion).webhook));
  if (previous) {
    const previousSpec = specOf(previous);
    if (previousSpec.scope !== spec.scope)
      causes.push(invalidValue('spec.scope', spec.scope ?? '', 'field is immutable'));
    const storedVersions = record(previous.status).storedVersions;
    if (Array.isArray(storedVersions)) {
      storedVersions.forEach((stored) => {
        if (!seen.has(String(stored)))
          causes.push(invalidValue('status.storedVersions', storedVersions, `must appear in spec.versions`));
      });
    }
  }
  return causes;
}

/** What is wrong with `spec.conversion.webhook` when the strategy is Webhook. */
function webhookConversionErrors(webhook: unknown): StatusCause[] {
  if (!isObject(webhook)) return [required('spec.conversion.webhook')];
  const causes: StatusCause[] = [];
  const reviewVersions = webhook.conversionReviewVersions;
  if (!Array.isArray(reviewVersions) || !reviewVersions.some((version) => version === 'v1' || version === 'v1beta1')) {
    causes.push(
      invalidValue(
        'spec.conversion.webhook.conversionReviewVersions',
        reviewVersions ?? [],
        'must include at least one of v1, v1beta1',
      ),
    );
  }
  const config = record(webhook.clientConfig);
  const hasUrl = typeof config.url === 'string' && config.url !== '';
  const hasService = isObject(config.service);
  if (hasUrl === hasService)
    causes.push(required('spec.conversion.webhook.clientConfig: exactly one of url or service'));
  if (hasUrl && !String(config.url).startsWith('https://'))
    causes.push(
      invalidValue('spec.conversion.webhook.clientConfig.url', config.url, "'https' is the only allowed URL scheme"),
    );
  if (hasService) {
    const service = record(config.service);
    if (typeof service.name !== 'string' || service.name === '')
      causes.push(required('spec.conversion.webhook.clientConfig.service.name'));
    if (typeof service.namespace !== 'string' || service.namespace === '')
      causes.push(required('spec.conversion.webhook.clientConfig.service.namespace'));
  }
  return causes;
}

/** Whether a CRD's names clash with another CRD of the same group (kind, singular, plural or short names). */
function nameConflict(crd: KubeObject, others: KubeObject[]): string | undefined {
  const spec = specOf(crd);
  const names = namesOf(crd);
  const mine = new Set(
    [names.plural, names.singular, ...(Array.isArray(names.shortNames) ? names.shortNames : [])].filter(
      (value) => typeof value === 'string',
    ),
  );
  for (const other of others) {
    if (stringField(metadataOf(other), 'name') === stringField(metadataOf(crd), 'name')) continue;
    if (specOf(other).group !== spec.group) continue;
    const accepted = record(record(other.status).acceptedNames);
    if (accepted.kind === names.kind) return `"${String(names.kind)}" is already in use`;
    const theirs = [
      accepted.plural,
      accepted.singular,
      ...(Array.isArray(accepted.shortNames) ? accepted.shortNames : []),
    ];
    for (const value of theirs) if (mine.has(value)) return `"${String(value)}" is already in use`;
  }
  return undefined;
}

/** Computes the CRD's status: accepted names, stored versions and conditions. */
export function computeCrdStatus(
  crd: KubeObject,
  previous: KubeObject | undefined,
  others: KubeObject[],
): Record<string, unknown> {
  const names = namesOf(crd);
  const previousStatus = record(previous?.status);
  const conflict = nameConflict(crd, others);
  const now = timestamp();
  const previousConditions = Array.isArray(previousStatus.conditions) ? previousStatus.conditions.map(record) : [];
  const condition = (type: string, status: string, reason: string, message: string) => {
    const old = previousConditions.find((candidate) => candidate.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastTransitionTime:
        old && old.status === status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now,
    };
  };
  const storage = versionsOf(crd).find((version) => version.storage === true);
  const storedVersions = Array.isArray(previousStatus.storedVersions)
    ? previousStatus.storedVersions.filter((value): value is string => typeof value === 'string')
    : [];
  if (storage && typeof storage.name === 'string' && !storedVersions.includes(storage.name))
    storedVersions.push(storage.name);
  const acceptedNames: Record<string, unknown> = conflict
    ? record(previousStatus.acceptedNames)
    : Object.fromEntries(
        ['plural', 'singular', 'shortNames', 'kind', 'listKind', 'categories']
          .filter((key) => names[key] !== undefined)
          .map((key) => [key, names[key]]),
      );
  const conditions = [
    conflict
      ? condition('NamesAccepted', 'False', 'NameConflict', conflict)
      : condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
    conflict && !previous
      ? condition('Established', 'False', 'NotAccepted', 'not all names are accepted')
      : condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
  ];
  if (metadataOf(crd).deletionTimestamp) {
    conditions.push(
      condition('Terminating', 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress'),
    );
  }
  return { ...previousStatus, acceptedNames, storedVersions, conditions };
}

/** Whether the CRD's status says its endpoints are served. */
export function isEstablished(crd: KubeObject): boolean {
  const conditions = record(crd.status).conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some(
      (condition) => isObject(condition) && condition.type === 'Established' && condition.status === 'True',
    )
  );
}

/** The resource type a CRD serves. */
export function typeFromCrd(crd: KubeObject): ResourceType {
  const spec = specOf(crd);
  const names = record(record(crd.status).acceptedNames);
  const specNames = namesOf(crd);
  const group = String(spec.group);
  const plural = String(names.plural ?? specNames.plural);
  const kind = String(names.kind ?? specNames.kind);
  const webhook = webhookClientConfigOf(spec.conversion);
  const versions: VersionSpec[] = versionsOf(crd).map((version) => {
    const columns = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns.map(record) : [];
    const printerColumns: PrinterColumn[] = columns.map((column) => ({
      name: String(column.name),
      type: String(column.type),
      format: typeof column.format === 'string' ? column.format : '',
      description: typeof column.description === 'string' ? column.description : '',
      priority: typeof column.priority === 'number' ? column.priority : 0,
      jsonPath: String(column.jsonPath),
    }));
    const schema = record(version.schema).openAPIV3Schema;
    return {
      name: String(version.name),
      served: version.served === true,
      storage: version.storage === true,
      ...(isObject(schema) ? { schema: schema as JSONSchemaProps } : {}),
      printerColumns,
      statusSubresource: isObject(record(version.subresources).status),
      ...(version.deprecated === true ? { deprecated: true } : {}),
      ...(typeof version.deprecationWarning === 'string' ? { deprecationWarning: version.deprecationWarning } : {}),
    };
  });
  const stringList = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return {
    group,
    plural,
    singular: String(names.singular ?? specNames.singular ?? kind.toLowerCase()),
    kind,
    listKind: String(names.listKind ?? specNames.listKind ?? `${kind}List`),
    namespaced: spec.scope === 'Namespaced',
    shortNames: stringList(names.shortNames ?? specNames.shortNames),
    categories: stringList(names.categories ?? specNames.categories),
    versions,
    bucket: `${group}/${plural}`,
    generation: true,
    strategicMerge: false,
    crdName: stringField(metadataOf(crd), 'name') ?? '',
    ...(webhook !== undefined ? { conversionWebhook: webhook } : {}),
  };
}

/** The built-in type serving CRDs themselves; `others` lists the existing CRDs (for name conflicts). */
export function crdResourceType(others: () => KubeObject[]): ResourceType {
  const behavior: BuiltinBehavior = {
    prepare(object, previous) {
      defaultCrd(object);
      if (!previous) {
        const metadata = metadataOf(object);
        const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
        if (!finalizers.includes(crdCleanupFinalizer))
          object.metadata = { ...metadata, finalizers: [...finalizers, crdCleanupFinalizer] };
      }
    },
    validate: validateCrd,
    columns: [
      {
        name: 'Created At',
        type: 'date',
        description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
        priority: 0,
      },
    ],
    cells: (object) => [metadataOf(object).creationTimestamp ?? null],
  };
  void others;
  return {
    group: crdGroup,
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    listKind: 'CustomResourceDefinitionList',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    versions: [{ name: 'v1', served: true, storage: true, printerColumns: [], statusSubresource: true }],
    bucket: crdBucket,
    generation: true,
    strategicMerge: true,
    builtin: behavior,
  };
}
