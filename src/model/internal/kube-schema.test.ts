import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KindModel } from '../types.js';
import { specSchemaOf, statusSchemaOf } from './kube-schema.js';
import { widgetModel } from './testing.js';

test('spec: azureName, owner, flattened properties, no read-only fields, operatorSpec', () => {
  const spec = specSchemaOf(widgetModel());
  assert.deepEqual(Object.keys(spec.properties ?? {}), [
    'azureName',
    'owner',
    'location',
    'tags',
    'identity',
    'size',
    'mode',
    'subnetReference',
    'scopesReferences',
    'roleDefinitionReference',
    'password',
    'tenantId',
    'tenantIdFromConfig',
    'network',
    'rules',
    'policy',
    'labels',
    'extra',
    'operatorSpec',
  ]);
  assert.deepEqual(spec.required, ['owner', 'location', 'size']);
  assert.equal(spec.properties?.azureName?.pattern, '^[a-z]+$');
  assert.deepEqual(Object.keys(spec.properties?.owner?.properties ?? {}), ['armId', 'name']);
  assert.deepEqual(spec.properties?.size, { type: 'integer', minimum: 1, maximum: 10 });
  assert.deepEqual(spec.properties?.mode?.enum, ['A', 'B']);
  assert.deepEqual(Object.keys(spec.properties?.identity?.properties ?? {}), ['type', 'userAssignedIdentities']);
});

test('spec: references, secrets, configmap inputs, unions, maps, nested envelopes', () => {
  const spec = specSchemaOf(widgetModel()).properties ?? {};
  assert.deepEqual(Object.keys(spec.subnetReference?.properties ?? {}), ['armId', 'group', 'kind', 'name']);
  assert.deepEqual(Object.keys(spec.roleDefinitionReference?.properties ?? {}), [
    'armId',
    'group',
    'kind',
    'name',
    'wellKnownName',
  ]);
  assert.equal(spec.scopesReferences?.type, 'array');
  assert.ok(spec.scopesReferences?.items?.properties?.armId);
  assert.deepEqual(Object.keys(spec.network?.properties ?? {}), ['reference']);
  assert.deepEqual(spec.password?.required, ['name', 'key']);
  assert.equal(spec.tenantId?.type, 'string');
  assert.deepEqual(Object.keys(spec.tenantIdFromConfig?.properties ?? {}), ['name', 'key']);
  assert.deepEqual(Object.keys(spec.policy?.properties ?? {}), ['periodic', 'continuous']);
  assert.deepEqual(spec.policy?.properties?.periodic?.properties?.kind?.enum, ['Periodic']);
  assert.deepEqual(spec.labels, { type: 'object', additionalProperties: { type: 'string' } });
  assert.deepEqual(Object.keys(spec.rules?.items?.properties ?? {}), ['name', 'priority']);
  assert.deepEqual(spec.extra, { type: 'any' });
  assert.equal(spec.identity?.properties?.userAssignedIdentities?.type, 'array');
  const operatorSpec = spec.operatorSpec?.properties ?? {};
  assert.deepEqual(Object.keys(operatorSpec), ['configMapExpressions', 'secretExpressions', 'configMaps', 'secrets']);
  assert.deepEqual(Object.keys(operatorSpec.secrets?.properties ?? {}), ['primaryKey']);
  assert.deepEqual(Object.keys(operatorSpec.configMaps?.properties ?? {}), ['endpoint']);
});

test('owner shapes by scope; fixed names have no azureName; kept envelope', () => {
  const extension: KindModel = { ...widgetModel(), scope: 'extension', owners: ['*'] };
  assert.deepEqual(Object.keys(specSchemaOf(extension).properties?.owner?.properties ?? {}), [
    'armId',
    'group',
    'kind',
    'name',
  ]);
  const subscription: KindModel = { ...widgetModel(), scope: 'subscription', owners: [] };
  assert.equal(specSchemaOf(subscription).properties?.owner, undefined);
  assert.equal(specSchemaOf({ ...widgetModel(), fixedName: 'default' }).properties?.azureName, undefined);
  const kept = specSchemaOf({ ...widgetModel(), flatten: false }).properties ?? {};
  assert.equal(kept.size, undefined);
  assert.ok(kept.properties?.properties?.size);
});

test('status: everything Azure returns, no write-only or secret fields, no validation, plus conditions', () => {
  const status = statusSchemaOf(widgetModel()).properties ?? {};
  assert.ok(status.conditions?.items?.properties?.severity);
  for (const name of ['id', 'name', 'type', 'endpoint', 'stats', 'subnetId', 'tenantId', 'size'])
    assert.ok(status[name], name);
  assert.equal(status.password, undefined);
  assert.equal(status.tenantIdFromConfig, undefined);
  assert.equal(status.subnetReference, undefined);
  assert.deepEqual(status.size, { type: 'integer' });
  assert.deepEqual(status.mode, { type: 'string' });
  assert.deepEqual(Object.keys(status.rules?.items?.properties ?? {}), ['name', 'priority', 'state']);
  assert.deepEqual(Object.keys(status.policy?.properties ?? {}), ['periodic', 'continuous']);
});

test('user-assigned identities are a list of references whatever the map values declare (ASO matches the name)', () => {
  const model = widgetModel();
  const identity = model.body.properties?.identity;
  assert.ok(identity?.properties);
  identity.properties.userAssignedIdentities = {
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { principalId: { type: 'string' }, clientId: { type: 'string' } },
    },
  };
  const spec = specSchemaOf(model).properties?.identity?.properties?.userAssignedIdentities;
  assert.equal(spec?.type, 'array');
  assert.deepEqual(spec?.items?.required, ['reference']);
  assert.deepEqual(Object.keys(spec?.items?.properties?.reference?.properties ?? {}), [
    'armId',
    'group',
    'kind',
    'name',
  ]);
  const status = statusSchemaOf(model).properties?.identity?.properties?.userAssignedIdentities;
  assert.deepEqual(
    Object.keys(status?.additionalProperties?.properties ?? {}),
    ['principalId', 'clientId'],
    "status keeps Azure's map",
  );
});

test('a flattened property named like id/name/type is spec `type`; status keeps the resource type and adds properties_type', () => {
  const model = widgetModel();
  const envelope = model.body.properties?.properties;
  assert.ok(envelope?.properties);
  envelope.properties.type = { type: 'string', enum: ['VirtualMachineScaleSets', 'AvailabilitySet'] };
  const spec = specSchemaOf(model).properties ?? {};
  assert.deepEqual(spec.type?.enum, ['VirtualMachineScaleSets', 'AvailabilitySet']);
  const status = statusSchemaOf(model).properties ?? {};
  assert.deepEqual(status.type, { type: 'string' });
  assert.deepEqual(status.properties_type, { type: 'string' });
});
