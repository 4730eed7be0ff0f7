/** Validation of ObjectMeta (names, labels, annotations, finalizers, ownerReferences) as Kubernetes words it. */
import type { StatusCause } from './errors.js';
import { invalidValue, required } from './errors.js';
import { isObject } from './types.js';

const dns1123LabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!dns1123LabelPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and " +
        "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errors;
}

export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push('must be no more than 253 characters');
  if (!dns1123SubdomainPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " +
        "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errors;
}

/** Label/annotation key: optional DNS subdomain prefix + "/" + qualified name. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const errors: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. " +
        "'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNamePattern.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errors;
}

export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!labelValuePattern.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must " +
        "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " +
        "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errors;
}

/** Options for {@link validateObjectMeta}. */
export interface MetaValidationOptions {
  /** "label" for namespaces (DNS-1123 label), "subdomain" otherwise; "path" only forbids / and %. */
  nameRule: 'label' | 'subdomain' | 'path';
  namespaced: boolean;
}

/** Checks metadata fields of an object about to be written. */
export function validateObjectMeta(metadata: unknown, options: MetaValidationOptions): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isObject(metadata)) return [required('metadata')];
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') {
    causes.push({ ...required('metadata.name'), message: 'Required value: name or generateName is required' });
  } else {
    const errors =
      options.nameRule === 'label'
        ? dns1123LabelErrors(name)
        : options.nameRule === 'subdomain'
          ? dns1123SubdomainErrors(name)
          : pathSegmentErrors(name);
    for (const error of errors) causes.push(invalidValue('metadata.name', name, error));
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) {
      causes.push(invalidValue(`metadata.${field}`, map, 'must be a map of strings'));
      continue;
    }
    let total = 0;
    for (const [key, value] of Object.entries(map)) {
      for (const error of qualifiedNameErrors(key)) causes.push(invalidValue(`metadata.${field}`, key, error));
      if (typeof value !== 'string') {
        causes.push(invalidValue(`metadata.${field}.${key}`, value, 'must be a string'));
        continue;
      }
      total += key.length + value.length;
      if (field === 'labels')
        for (const error of labelValueErrors(value)) causes.push(invalidValue(`metadata.labels`, value, error));
    }
    if (field === 'annotations' && total > 256 * 1024) {
      causes.push({
        reason: 'FieldValueTooLong',
        message: `Too long: must have at most ${256 * 1024} bytes`,
        field: 'metadata.annotations',
      });
    }
  }
  const finalizers = metadata.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers))
      causes.push(invalidValue('metadata.finalizers', finalizers, 'must be a list of strings'));
    else {
      finalizers.forEach((finalizer, index) => {
        if (typeof finalizer !== 'string')
          causes.push(invalidValue(`metadata.finalizers[${index}]`, finalizer, 'must be a string'));
        else
          for (const error of qualifiedNameErrors(finalizer))
            causes.push(invalidValue(`metadata.finalizers[${index}]`, finalizer, error));
      });
    }
  }
  const owners = metadata.ownerReferences;
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners)) causes.push(invalidValue('metadata.ownerReferences', owners, 'must be a list'));
    else {
      let controllers = 0;
      owners.forEach((owner, index) => {
        const field = `metadata.ownerReferences[${index}]`;
        if (!isObject(owner)) {
          causes.push(invalidValue(field, owner, 'must be an object'));
          return;
        }
        for (const key of ['apiVersion', 'kind', 'name', 'uid']) {
          if (typeof owner[key] !== 'string' || owner[key] === '') causes.push(required(`${field}.${key}`));
        }
        if (owner.controller === true) controllers += 1;
      });
      if (controllers > 1)
        causes.push(
          invalidValue('metadata.ownerReferences', owners, 'Only one reference can have Controller set to true'),
        );
    }
  }
  return causes;
}

function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  if (name.includes('/')) return [`may not contain '/'`];
  if (name.includes('%')) return [`may not contain '%'`];
  return [];
}
