import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyArmError } from './classify.js';
import { compareDesired } from './compare.js';
import { buildReadyCondition, readyProblem, readyReconciling, readySucceeded, setCondition } from './conditions.js';
import {
  checkSubscription,
  decodeSecretData,
  hasEnvironmentCredential,
  parseCredentialSettings,
  redactSecrets,
  secretValuesOf,
  selectCredentialSource,
} from './credentials.js';
import { resolveReconcilePolicy } from './policy.js';

test('classifyArmError: retryable codes', () => {
  for (const code of [
    'TooManyRequests',
    'ClientThrottled',
    'InternalServerError',
    'Conflict',
    'AnotherOperationInProgress',
    'ResourceGroupNotFound',
    'ParentResourceNotFound',
    'AuthorizationFailed',
    'AuthenticationFailed',
    'NetworkError',
    'ScopeLocked',
    'MissingSubscriptionRegistration',
    'OperationFailed',
  ]) {
    assert.deepEqual(
      classifyArmError({ code, statusCode: 400 }),
      { retryable: true, severity: 'Warning', reason: code },
      code,
    );
  }
});

test('classifyArmError: fatal codes', () => {
  for (const code of [
    'BadRequest',
    'InvalidParameter',
    'InvalidRequestContent',
    'InvalidTemplate',
    'InvalidResourceName',
    'LocationNotAvailableForResourceType',
    'MissingRequiredProperty',
    'AccountNameInvalid',
    'StorageAccountAlreadyTaken',
    'InvalidResourceGroupLocation',
  ]) {
    assert.deepEqual(
      classifyArmError({ code, statusCode: 409 }),
      { retryable: false, severity: 'Error', reason: code },
      code,
    );
  }
  assert.equal(classifyArmError({ code: 'invalidparameter', statusCode: 400 }).retryable, false, 'case-insensitive');
});

test('classifyArmError: unknown codes by status', () => {
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 429 }).retryable, true);
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 503 }).retryable, true);
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 409 }).retryable, true);
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 0 }).retryable, true);
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 400 }).retryable, false);
  assert.equal(classifyArmError({ code: 'Weird', statusCode: 422 }).retryable, false);
});

test('compareDesired: desired fields only, read-only ignored, enum and ID case', () => {
  const schema = {
    type: 'object' as const,
    properties: {
      sku: { type: 'object' as const, properties: { name: { type: 'string' as const, enum: ['Standard_LRS'] } } },
      properties: {
        type: 'object' as const,
        properties: {
          provisioningState: { type: 'string' as const, readOnly: true },
          subnetId: { type: 'string' as const, reference: true },
          rules: {
            type: 'array' as const,
            items: { type: 'object' as const, properties: { port: { type: 'integer' as const } } },
          },
        },
      },
      tags: { type: 'object' as const, additionalProperties: { type: 'string' as const } },
    },
  };
  const desired = {
    sku: { name: 'standard_lrs' },
    properties: { provisioningState: 'x', subnetId: '/subscriptions/A/resourceGroups/RG', rules: [{ port: 80 }] },
    tags: { a: 'b' },
  };
  const actual = {
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: {
      provisioningState: 'Succeeded',
      subnetId: '/subscriptions/a/resourcegroups/rg',
      rules: [{ port: 80, name: 'r' }],
    },
    tags: { a: 'b' },
  };
  assert.deepEqual(compareDesired(desired, actual, schema), { differences: [], writeOnly: [] });
  assert.deepEqual(compareDesired({ ...desired, properties: { rules: [{ port: 81 }] } }, actual, schema).differences, [
    'properties.rules[0].port',
  ]);
  assert.deepEqual(compareDesired({ tags: {} }, actual, schema).differences, ['tags.a']);
  assert.deepEqual(
    compareDesired({ properties: { rules: [] } }, { properties: {} }, schema).differences,
    [],
    'missing and empty are the same',
  );
  assert.deepEqual(
    compareDesired({ properties: { label: 'Abc' } }, { properties: { label: 'abc' } }, undefined).differences,
    ['properties.label'],
    'plain strings are case-sensitive',
  );
  assert.deepEqual(
    compareDesired({ name: 'Abc' }, { name: 'abc' }, undefined).differences,
    [],
    'resource names are not',
  );
  assert.deepEqual(compareDesired({ properties: { enabled: true } }, {}, undefined).differences, [
    'properties.enabled',
  ]);
});

test('reconcile policy: object → namespace → default → manage; an unknown value is read as skip, with a warning', () => {
  const p = (value: string) => ({ 'serviceoperator.azure.com/reconcile-policy': value });
  assert.deepEqual(resolveReconcilePolicy({}), { policy: 'manage' });
  assert.deepEqual(resolveReconcilePolicy({ defaultPolicy: 'detach-on-delete' }), { policy: 'detach-on-delete' });
  assert.deepEqual(resolveReconcilePolicy({ namespaceAnnotations: p('skip'), defaultPolicy: 'detach-on-delete' }), {
    policy: 'skip',
  });
  assert.deepEqual(resolveReconcilePolicy({ objectAnnotations: p('manage'), namespaceAnnotations: p('skip') }), {
    policy: 'manage',
  });
  for (const misspelled of ['Detach-On-Delete', 'Skip', 'MANAGE', 'detach', ' manage', '']) {
    const unknown = resolveReconcilePolicy({ objectAnnotations: p(misspelled), namespaceAnnotations: p('manage') });
    assert.equal(unknown.policy, 'skip', JSON.stringify(misspelled));
    assert.ok(unknown.warning?.includes(JSON.stringify(misspelled)), unknown.warning);
    assert.match(unknown.warning ?? '', /allowed: manage, skip, detach-on-delete/);
  }
  const onNamespace = resolveReconcilePolicy({ namespaceAnnotations: p('Manage') });
  assert.equal(onNamespace.policy, 'skip');
  assert.match(onNamespace.warning ?? '', /on the namespace/);
  const badDefault = resolveReconcilePolicy({ defaultPolicy: 'nope' });
  assert.equal(badDefault.policy, 'skip');
  assert.match(badDefault.warning ?? '', /DEFAULT_RECONCILE_POLICY/);
  assert.deepEqual(
    resolveReconcilePolicy({ objectAnnotations: p('manage'), defaultPolicy: 'nope' }),
    { policy: 'manage' },
    'a valid object value decides',
  );
});

test('Ready condition keeps its transition time while unchanged', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T01:00:00Z');
  const first = buildReadyCondition(readySucceeded(), 3, undefined, t1);
  assert.deepEqual(first, {
    type: 'Ready',
    status: 'True',
    reason: 'Succeeded',
    observedGeneration: 3,
    lastTransitionTime: t1.toISOString(),
  });
  assert.deepEqual(buildReadyCondition(readySucceeded(), 3, first, t2), first);
  const warning = buildReadyCondition(readyProblem('WaitingForOwner', 'owner x'), 4, first, t2);
  assert.deepEqual(warning, {
    type: 'Ready',
    status: 'False',
    severity: 'Warning',
    reason: 'WaitingForOwner',
    message: 'owner x',
    observedGeneration: 4,
    lastTransitionTime: t2.toISOString(),
  });
  assert.deepEqual(
    buildReadyCondition(readyReconciling(), 4, first, t2),
    {
      type: 'Ready',
      status: 'False',
      severity: 'Info',
      reason: 'Reconciling',
      message: 'The resource is being reconciled',
      observedGeneration: 4,
      lastTransitionTime: t2.toISOString(),
    },
    'as ASO: False/Info/Reconciling at the new generation',
  );
  assert.deepEqual(
    setCondition([first, { ...first, type: 'Other' }], warning).map((c) => c.reason),
    ['Succeeded', 'WaitingForOwner'],
  );
});

test('credential selection: object annotation → namespace Secret → global; never another namespace', () => {
  const from = (name: string) => ({ 'serviceoperator.azure.com/credential-from': name });
  assert.deepEqual(selectCredentialSource({ namespace: 'a', namespaceSecretExists: false }), { kind: 'global' });
  assert.deepEqual(selectCredentialSource({ namespace: 'a', namespaceSecretExists: true }), {
    kind: 'namespace',
    namespace: 'a',
    secretName: 'aso-credential',
  });
  assert.deepEqual(selectCredentialSource({ namespace: 'a', annotations: from('mine'), namespaceSecretExists: true }), {
    kind: 'object',
    namespace: 'a',
    secretName: 'mine',
  });
  assert.equal(
    selectCredentialSource({ namespace: 'a', annotations: from('b/theirs'), namespaceSecretExists: false }).kind,
    'invalid',
  );
  assert.deepEqual(
    selectCredentialSource({ namespace: 'a', annotations: from('a/mine'), namespaceSecretExists: false }),
    { kind: 'object', namespace: 'a', secretName: 'mine' },
  );
});

test('credential settings, subscription mismatch, redaction', () => {
  const data = decodeSecretData({
    data: { AZURE_CLIENT_SECRET: Buffer.from('s3cr3t-value').toString('base64') },
    stringData: { AZURE_SUBSCRIPTION_ID: 'sub', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' },
  });
  assert.deepEqual(parseCredentialSettings(data), {
    subscriptionId: 'sub',
    tenantId: 't',
    clientId: 'c',
    proof: { kind: 'clientSecret', clientSecret: 's3cr3t-value' },
  });
  const missing = parseCredentialSettings({ AZURE_CLIENT_SECRET: 'x' });
  assert.deepEqual(missing, { missing: ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID'] });
  const identity = { AZURE_SUBSCRIPTION_ID: 'sub', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' };
  const certificate = parseCredentialSettings({
    ...identity,
    AZURE_CLIENT_CERTIFICATE: 'PEM',
    AZURE_CLIENT_CERTIFICATE_PASSWORD: 'pw',
  });
  assert.deepEqual('proof' in certificate ? certificate.proof : certificate, {
    kind: 'clientCertificate',
    certificatePem: 'PEM',
    password: 'pw',
  });
  assert.deepEqual(
    'proof' in certificate ? secretValuesOf(certificate.proof) : [],
    ['PEM', 'pw'],
    'certificate and password are redacted',
  );
  assert.match(
    JSON.stringify(parseCredentialSettings(identity)),
    /AZURE_CLIENT_SECRET \(or AZURE_CLIENT_CERTIFICATE, or USE_WORKLOAD_IDENTITY_AUTH=true\)/,
    'the global credential needs a proof',
  );
  const workload = { federatedTokenFile: '/var/run/secrets/azure/tokens/azure-identity-token', implicit: false };
  assert.deepEqual(parseCredentialSettings({ ...identity, USE_WORKLOAD_IDENTITY_AUTH: 'true' }, workload), {
    subscriptionId: 'sub',
    tenantId: 't',
    clientId: 'c',
    proof: { kind: 'workloadIdentity', tokenFile: workload.federatedTokenFile },
  });
  assert.equal(
    (parseCredentialSettings(identity, { ...workload, implicit: true }) as { proof?: { kind: string } }).proof?.kind,
    'workloadIdentity',
    'a Secret without a secret is workload identity',
  );
  assert.match(
    JSON.stringify(parseCredentialSettings(identity, { federatedTokenFile: undefined, implicit: true })),
    /AZURE_FEDERATED_TOKEN_FILE/,
    'workload identity without a token file names it',
  );
  assert.equal(hasEnvironmentCredential({ ...identity, AZURE_CLIENT_SECRET: 's' }), true);
  assert.equal(
    hasEnvironmentCredential({ ...identity, AZURE_FEDERATED_TOKEN_FILE: '/token' }),
    false,
    'a token file alone is not workload identity',
  );
  assert.equal(
    hasEnvironmentCredential({ ...identity, AZURE_FEDERATED_TOKEN_FILE: '/token', USE_WORKLOAD_IDENTITY_AUTH: 'true' }),
    true,
  );
  assert.equal(checkSubscription('/subscriptions/SUB/resourceGroups/x', 'sub'), undefined);
  assert.match(checkSubscription('/subscriptions/other/resourceGroups/x', 'sub') ?? '', /subscription other/);
  assert.equal(checkSubscription('/providers/Microsoft.Authorization/roleDefinitions/x', 'sub'), undefined);
  assert.equal(redactSecrets('token s3cr3t-value failed', ['s3cr3t-value']), 'token [redacted] failed');
});
