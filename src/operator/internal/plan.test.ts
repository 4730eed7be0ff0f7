import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PollState } from '../../arm/index.js';
import type { SchemaNode } from '../../model/index.js';
import { type Action, DESIRED_STATE_CHANGED, type PlanInput, planAction } from './plan.js';
import { FINALIZER } from './names.js';

const armId = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1';
const body = { location: 'westus', tags: { env: 'dev' } };
const putPoll: PollState = {
  mode: 'azure-async-operation',
  pollingUrl: 'https://op/1',
  resourceId: armId,
  apiVersion: '2021-04-01',
  method: 'PUT',
  startedAt: '2026-01-01T00:00:00Z',
};
const deletePoll: PollState = { ...putPoll, method: 'DELETE' };
const same = { location: 'West US', tags: { env: 'dev' }, properties: { provisioningState: 'Succeeded' } };
const passwordSchema: SchemaNode = {
  type: 'object',
  properties: { properties: { type: 'object', properties: { password: { type: 'string', writeOnly: true } } } },
};
const withPassword = {
  status: 'resolved' as const,
  armId,
  body: { location: 'westus', properties: { password: 'p' } },
};

const base: PlanInput = {
  deleting: false,
  finalizers: [FINALIZER],
  policy: 'manage',
  digest: 'match',
  resolution: { status: 'resolved', armId, body },
  azure: { status: 'unknown' },
};

const cases: Array<{ name: string; input: Partial<PlanInput>; expected: Action | Action['type'] }> = [
  // create / update: the write rule
  { name: 'no finalizer yet: add it before any write', input: { finalizers: [] }, expected: { type: 'addFinalizer' } },
  { name: 'Azure not read yet: GET first', input: {}, expected: { type: 'readAzure', armId } },
  {
    name: 'absent in Azure: create',
    input: { azure: { status: 'absent' } },
    expected: { type: 'beginPut', armId, body, create: true, differences: [] },
  },
  {
    name: 'digest matches, Azure matches (location case and spacing, extra Azure fields): up to date',
    input: { azure: { status: 'present', body: same } },
    expected: { type: 'upToDate', armId, azureBody: same, recordDigest: true },
  },
  {
    name:
      'desired state changed since the last write (a removed field, a rotated Secret): PUT even though Azure shows ' +
      'no difference',
    input: { digest: 'differs', azure: { status: 'present', body: same } },
    expected: { type: 'beginPut', armId, body, create: false, differences: [DESIRED_STATE_CHANGED] },
  },
  {
    name: 'Azure drifted on a field the user sets: PUT',
    input: { azure: { status: 'present', body: { location: 'westus', tags: { env: 'prod' } } } },
    expected: { type: 'beginPut', armId, body, create: false, differences: ['tags.env'] },
  },
  {
    name: 'Azure has an extra tag: PUT (maps compare both ways)',
    input: { azure: { status: 'present', body: { location: 'westus', tags: { env: 'dev', x: '1' } } } },
    expected: { type: 'beginPut', armId, body, create: false, differences: ['tags.x'] },
  },
  {
    name: 'write-only field, digest matches: nothing to send',
    input: {
      resolution: withPassword,
      schema: passwordSchema,
      azure: { status: 'present', body: { location: 'westus' } },
    },
    expected: 'upToDate',
  },
  {
    name: 'write-only field, digest differs (the Secret rotated): PUT',
    input: {
      digest: 'differs',
      resolution: withPassword,
      schema: passwordSchema,
      azure: { status: 'present', body: { location: 'westus' } },
    },
    expected: 'beginPut',
  },
  {
    name: 'no digest (adoption), Azure matches: record it without a write',
    input: { digest: 'none', azure: { status: 'present', body: same } },
    expected: { type: 'upToDate', armId, azureBody: same, recordDigest: true },
  },
  {
    name: 'no digest (adoption), the body carries a write-only value: PUT (it cannot be seen in Azure)',
    input: {
      digest: 'none',
      resolution: withPassword,
      schema: passwordSchema,
      azure: { status: 'present', body: { location: 'westus' } },
    },
    expected: { type: 'beginPut', armId, body: withPassword.body, create: false, differences: ['properties.password'] },
  },
  {
    name: 'no digest, Azure differs: PUT',
    input: { digest: 'none', azure: { status: 'present', body: { location: 'westus', tags: {} } } },
    expected: 'beginPut',
  },
  {
    name: 'Azure says Failed: write again',
    input: { azure: { status: 'present', body: { ...same, properties: { provisioningState: 'Failed' } } } },
    expected: 'beginPut',
  },
  {
    name: 'running PUT: poll it, never write again',
    input: { pollState: putPoll, digest: 'differs' },
    expected: { type: 'pollPut', poll: putPoll },
  },
  // errors and waits
  {
    name: 'an Error held for the same inputs: keep reporting it, send nothing',
    input: {
      heldError: { reason: 'InvalidParameter', message: 'bad' },
      digest: 'differs',
      azure: { status: 'absent' },
    },
    expected: { type: 'holdError', reason: 'InvalidParameter', message: 'bad' },
  },
  {
    name: 'owner not ready: wait',
    input: { resolution: { status: 'waitingForOwner', message: 'owner rg1 not found' } },
    expected: { type: 'waitForOwner', message: 'owner rg1 not found' },
  },
  {
    name: 'missing Secret: Warning',
    input: { resolution: { status: 'unresolved', reason: 'SecretNotFound', message: 's' } },
    expected: { type: 'blocked', reason: 'SecretNotFound', message: 's', severity: 'Warning', retryable: true },
  },
  {
    name: 'missing reference with a known ID: still Warning under manage',
    input: { resolution: { status: 'idOnly', armId, reason: 'ReferenceNotFound', message: 'r' } },
    expected: { type: 'blocked', reason: 'ReferenceNotFound', message: 'r', severity: 'Warning', retryable: true },
  },
  {
    name: 'azureName/owner changed after creation: refused',
    input: { recordedResourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other' },
    expected: 'blocked',
  },
  {
    name: 'recorded ID differing only in case is the same resource',
    input: {
      recordedResourceId: armId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
      azure: { status: 'absent' },
    },
    expected: 'beginPut',
  },
  {
    name: 'subscription mismatch',
    input: { subscriptionMismatch: 'other sub' },
    expected: {
      type: 'blocked',
      reason: 'SubscriptionMismatch',
      message: 'other sub',
      severity: 'Error',
      retryable: false,
    },
  },
  // skip
  { name: 'skip: read only', input: { policy: 'skip', finalizers: [] }, expected: { type: 'readAzure', armId } },
  {
    name: 'skip: present → report, no write, no digest',
    input: { policy: 'skip', digest: 'differs', azure: { status: 'present', body: { location: 'eastus' } } },
    expected: { type: 'upToDate', armId, azureBody: { location: 'eastus' }, recordDigest: false },
  },
  {
    name: 'skip: absent → AzureResourceNotFound, never create',
    input: { policy: 'skip', azure: { status: 'absent' } },
    expected: 'blocked',
  },
  {
    name: 'skip with a missing Secret still observes',
    input: { policy: 'skip', resolution: { status: 'idOnly', armId, reason: 'SecretNotFound', message: 's' } },
    expected: { type: 'readAzure', armId },
  },
  {
    name: 'detach-on-delete reconciles like manage',
    input: { policy: 'detach-on-delete', azure: { status: 'absent' } },
    expected: 'beginPut',
  },
  // delete
  { name: 'delete, manage: DELETE in Azure', input: { deleting: true }, expected: { type: 'beginDelete', armId } },
  {
    name: 'delete uses the recorded ID while the owner has no ARM ID yet',
    input: {
      deleting: true,
      recordedResourceId: armId,
      resolution: { status: 'waitingForOwner', message: 'not created' },
    },
    expected: { type: 'beginDelete', armId },
  },
  {
    name: 'delete, never created: release',
    input: { deleting: true, resolution: { status: 'waitingForOwner', message: 'gone' } },
    expected: 'releaseFinalizer',
  },
  {
    name: 'delete while the owner is being deleted, gone or replaced: release, the owner decides (no DELETE of our own)',
    input: {
      deleting: true,
      recordedResourceId: armId,
      ownerGoing: 'owner ResourceGroup default/rg1 is being deleted',
    },
    expected: 'releaseFinalizer',
  },
  {
    name: 'delete, owner going but a user finalizer: still blocked',
    input: {
      deleting: true,
      finalizers: [FINALIZER, 'example.com/protect'],
      recordedResourceId: armId,
      ownerGoing: 'owner gone',
    },
    expected: 'blocked',
  },
  {
    name: 'delete, running DELETE: poll',
    input: { deleting: true, pollState: deletePoll },
    expected: { type: 'pollDelete', poll: deletePoll },
  },
  {
    name: 'delete during a running PUT: DELETE',
    input: { deleting: true, pollState: putPoll },
    expected: { type: 'beginDelete', armId },
  },
  {
    name: 'delete, detach-on-delete: keep in Azure',
    input: { deleting: true, policy: 'detach-on-delete' },
    expected: 'releaseFinalizer',
  },
  { name: 'delete, skip: keep in Azure', input: { deleting: true, policy: 'skip' }, expected: 'releaseFinalizer' },
  {
    name: 'delete, user finalizer: blocked, nothing deleted',
    input: { deleting: true, finalizers: [FINALIZER, 'example.com/protect'] },
    expected: {
      type: 'blocked',
      reason: 'DeletionBlockedByFinalizer',
      severity: 'Warning',
      retryable: false,
      message: 'not deleting the Azure resource while finalizer(s) example.com/protect remain on the object',
    },
  },
  {
    name: 'delete, Kubernetes finalizers do not block',
    input: { deleting: true, finalizers: [FINALIZER, 'foregroundDeletion', 'orphan'] },
    expected: 'beginDelete',
  },
  {
    name: 'delete without our finalizer: nothing to do',
    input: { deleting: true, finalizers: ['example.com/protect'] },
    expected: 'releaseFinalizer',
  },
  {
    name: 'delete, subscription mismatch: refuse',
    input: { deleting: true, subscriptionMismatch: 'm' },
    expected: 'blocked',
  },
];

for (const { name, input, expected } of cases) {
  test(`planAction: ${name}`, () => {
    const action = planAction({ ...base, ...input });
    if (typeof expected === 'string') assert.equal(action.type, expected);
    else assert.deepEqual(action, expected);
  });
}

test('every action variant is covered by the table', () => {
  const seen = new Set(cases.map(({ input }) => planAction({ ...base, ...input }).type));
  const all: Array<Action['type']> = [
    'addFinalizer',
    'releaseFinalizer',
    'waitForOwner',
    'blocked',
    'holdError',
    'readAzure',
    'beginPut',
    'pollPut',
    'beginDelete',
    'pollDelete',
    'upToDate',
  ];
  for (const type of all) assert.ok(seen.has(type), type);
});

// Every input the planner can see, drawn at random.
const inputs: fc.Arbitrary<PlanInput> = fc.record({
  deleting: fc.boolean(),
  finalizers: fc.subarray([FINALIZER, 'foregroundDeletion', 'orphan', 'example.com/protect']),
  policy: fc.constantFrom('manage' as const, 'skip' as const, 'detach-on-delete' as const),
  recordedResourceId: fc.option(fc.constantFrom(armId, `${armId}x`), { nil: undefined }),
  pollState: fc.option(fc.constantFrom(putPoll, deletePoll), { nil: undefined }),
  resolution: fc.constantFrom<PlanInput['resolution']>(
    { status: 'resolved', armId, body },
    { status: 'idOnly', armId, reason: 'SecretNotFound', message: 's' },
    { status: 'waitingForOwner', message: 'w' },
    { status: 'unresolved', reason: 'InvalidResourceName', message: 'u' },
  ),
  azure: fc.constantFrom<PlanInput['azure']>(
    { status: 'unknown' },
    { status: 'absent' },
    { status: 'present', body: same },
  ),
  digest: fc.constantFrom('match' as const, 'differs' as const, 'none' as const),
  heldError: fc.option(fc.constant({ reason: 'InvalidParameter', message: 'bad' }), { nil: undefined }),
  subscriptionMismatch: fc.option(fc.constant('mismatch'), { nil: undefined }),
  ownerGoing: fc.option(fc.constant('owner is being deleted'), { nil: undefined }),
});

test('property: a DELETE only for a deleted object under manage, with our finalizer alone, whose owner is not going', () => {
  fc.assert(
    fc.property(inputs, (input) => {
      const action = planAction(input);
      if (action.type !== 'beginDelete') return;
      assert.ok(input.deleting && input.policy === 'manage' && input.finalizers.includes(FINALIZER));
      assert.deepEqual(
        input.finalizers.filter((f) => f === FINALIZER || f === 'example.com/protect'),
        [FINALIZER],
      );
      assert.equal(input.ownerGoing, undefined);
      assert.equal(input.subscriptionMismatch, undefined);
    }),
  );
});

test('property: never a write while deleting, under skip, with a held error, or into another subscription', () => {
  fc.assert(
    fc.property(inputs, (input) => {
      const action = planAction(input);
      if (action.type !== 'beginPut') return;
      assert.ok(
        !input.deleting &&
          input.policy !== 'skip' &&
          input.heldError === undefined &&
          input.subscriptionMismatch === undefined,
      );
      assert.equal(input.resolution.status, 'resolved');
      assert.equal(input.pollState?.method === 'PUT', false, 'a running PUT is polled, never sent again');
    }),
  );
});

test('property: with the digest unchanged and Azure matching, nothing is written', () => {
  fc.assert(
    fc.property(inputs, (input) => {
      const action = planAction({ ...input, digest: 'match', azure: { status: 'present', body: same } });
      assert.notEqual(action.type, 'beginPut');
    }),
  );
});

test('property: a changed desired state always reaches Azure (PUT, or a reported reason it cannot yet)', () => {
  fc.assert(
    fc.property(
      inputs.filter((input) => input.policy !== 'skip'),
      (input) => {
        const action = planAction({
          ...input,
          deleting: false,
          digest: 'differs',
          azure: { status: 'present', body: same },
        });
        assert.notEqual(action.type, 'upToDate', 'a changed desired state is never reported as up to date');
      },
    ),
  );
});
