import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PollState } from '../../arm/index.js';
import { type Action, type PlanInput, planAction } from './plan.js';
import { FINALIZER } from './names.js';

const armId = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1';
const body = { location: 'westus', tags: { env: 'dev' } };
const putPoll: PollState = { mode: 'azure-async-operation', pollingUrl: 'https://op/1', resourceId: armId, apiVersion: '2021-04-01', method: 'PUT', startedAt: '2026-01-01T00:00:00Z' };
const deletePoll: PollState = { ...putPoll, method: 'DELETE' };

const base: PlanInput = {
  generation: 1, deleting: false, finalizers: [FINALIZER], policy: 'manage',
  resolution: { status: 'resolved', armId, body }, azure: { status: 'unknown' }, specChanged: false,
};

const cases: Array<{ name: string; input: Partial<PlanInput>; expected: Action | Action['type'] }> = [
  // create / update
  { name: 'no finalizer yet: add it before any write', input: { finalizers: [] }, expected: { type: 'addFinalizer' } },
  { name: 'Azure not read yet: GET first', input: {}, expected: { type: 'readAzure', armId } },
  { name: 'absent in Azure: create', input: { azure: { status: 'absent' } }, expected: { type: 'beginPut', armId, body, create: true, differences: [] } },
  { name: 'Azure matches (location case and spacing, extra Azure fields): up to date', input: { azure: { status: 'present', body: { location: 'West US', tags: { env: 'dev' }, properties: { provisioningState: 'Succeeded' } } } }, expected: { type: 'upToDate', armId, azureBody: { location: 'West US', tags: { env: 'dev' }, properties: { provisioningState: 'Succeeded' } } } },
  { name: 'Azure differs: update', input: { azure: { status: 'present', body: { location: 'westus', tags: { env: 'prod' } } } }, expected: { type: 'beginPut', armId, body, create: false, differences: ['tags.env'] } },
  { name: 'Azure has an extra tag: update (maps compare both ways)', input: { azure: { status: 'present', body: { location: 'westus', tags: { env: 'dev', x: '1' } } } }, expected: { type: 'beginPut', armId, body, create: false, differences: ['tags.x'] } },
  { name: 'running PUT: poll it, never write again', input: { pollState: putPoll }, expected: { type: 'pollPut', poll: putPoll } },
  { name: 'owner missing: wait', input: { resolution: { status: 'waitingForOwner', message: 'owner rg1 not found' } }, expected: { type: 'waitForOwner', message: 'owner rg1 not found' } },
  { name: 'missing Secret: Warning', input: { resolution: { status: 'unresolved', reason: 'SecretNotFound', message: 's' } }, expected: { type: 'blocked', reason: 'SecretNotFound', message: 's', severity: 'Warning', retryable: true } },
  { name: 'missing reference with a known ID: still Warning under manage', input: { resolution: { status: 'idOnly', armId, reason: 'ReferenceNotFound', message: 'r' } }, expected: { type: 'blocked', reason: 'ReferenceNotFound', message: 'r', severity: 'Warning', retryable: true } },
  { name: 'azureName/owner changed after creation: refused', input: { recordedResourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other' }, expected: 'blocked' },
  { name: 'recorded ID differing only in case is the same resource', input: { recordedResourceId: armId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'), azure: { status: 'absent' } }, expected: 'beginPut' },
  { name: 'fatal error for this generation: stop', input: { fatalForGeneration: { reason: 'InvalidParameter', message: 'bad' }, azure: { status: 'absent' } }, expected: { type: 'blocked', reason: 'InvalidParameter', message: 'bad', severity: 'Error', retryable: false } },
  { name: 'subscription mismatch', input: { subscriptionMismatch: 'other sub' }, expected: { type: 'blocked', reason: 'SubscriptionMismatch', message: 'other sub', severity: 'Error', retryable: false } },
  { name: 'write-only field, spec unchanged: no write', input: { resolution: { status: 'resolved', armId, body: { location: 'westus', properties: { password: 'p' } } }, schema: { type: 'object', properties: { properties: { type: 'object', properties: { password: { type: 'string', writeOnly: true } } } } }, azure: { status: 'present', body: { location: 'westus' } } }, expected: 'upToDate' },
  { name: 'write-only field, spec changed: write', input: { specChanged: true, resolution: { status: 'resolved', armId, body: { location: 'westus', properties: { password: 'p' } } }, schema: { type: 'object', properties: { properties: { type: 'object', properties: { password: { type: 'string', writeOnly: true } } } } }, azure: { status: 'present', body: { location: 'westus' } } }, expected: 'beginPut' },
  { name: 'Azure says Failed: write again', input: { azure: { status: 'present', body: { location: 'westus', tags: { env: 'dev' }, properties: { provisioningState: 'Failed' } } } }, expected: 'beginPut' },
  // skip
  { name: 'skip: read only', input: { policy: 'skip', finalizers: [] }, expected: { type: 'readAzure', armId } },
  { name: 'skip: present → report, no write', input: { policy: 'skip', azure: { status: 'present', body: { location: 'eastus' } } }, expected: { type: 'upToDate', armId, azureBody: { location: 'eastus' } } },
  { name: 'skip: absent → AzureResourceNotFound, never create', input: { policy: 'skip', azure: { status: 'absent' } }, expected: 'blocked' },
  { name: 'skip with a missing Secret still observes', input: { policy: 'skip', resolution: { status: 'idOnly', armId, reason: 'SecretNotFound', message: 's' } }, expected: { type: 'readAzure', armId } },
  { name: 'detach-on-delete reconciles like manage', input: { policy: 'detach-on-delete', azure: { status: 'absent' } }, expected: 'beginPut' },
  // delete
  { name: 'delete, manage: DELETE in Azure', input: { deleting: true }, expected: { type: 'beginDelete', armId } },
  { name: 'delete uses the recorded ID while the owner is not Ready (or being deleted)', input: { deleting: true, recordedResourceId: armId, resolution: { status: 'waitingForOwner', message: 'deleting' } }, expected: { type: 'beginDelete', armId } },
  { name: 'delete, never created: release', input: { deleting: true, resolution: { status: 'waitingForOwner', message: 'gone' } }, expected: 'releaseFinalizer' },
  { name: 'delete, owner object gone from Kubernetes: release without an Azure delete (as ASO)', input: { deleting: true, recordedResourceId: armId, resolution: { status: 'waitingForOwner', message: 'gone', ownerMissing: true } }, expected: 'releaseFinalizer' },
  { name: 'delete, owner object gone but a user finalizer: still blocked', input: { deleting: true, finalizers: [FINALIZER, 'example.com/protect'], recordedResourceId: armId, resolution: { status: 'waitingForOwner', message: 'gone', ownerMissing: true } }, expected: 'blocked' },
  { name: 'delete, running DELETE: poll', input: { deleting: true, pollState: deletePoll }, expected: { type: 'pollDelete', poll: deletePoll } },
  { name: 'delete during a running PUT: DELETE', input: { deleting: true, pollState: putPoll }, expected: { type: 'beginDelete', armId } },
  { name: 'delete, detach-on-delete: keep in Azure', input: { deleting: true, policy: 'detach-on-delete' }, expected: 'releaseFinalizer' },
  { name: 'delete, skip: keep in Azure', input: { deleting: true, policy: 'skip' }, expected: 'releaseFinalizer' },
  { name: 'delete, user finalizer: blocked, nothing deleted', input: { deleting: true, finalizers: [FINALIZER, 'example.com/protect'] }, expected: { type: 'blocked', reason: 'DeletionBlockedByFinalizer', severity: 'Warning', retryable: false, message: 'not deleting the Azure resource while finalizer(s) example.com/protect remain on the object' } },
  { name: 'delete, Kubernetes finalizers do not block', input: { deleting: true, finalizers: [FINALIZER, 'foregroundDeletion', 'orphan'] }, expected: 'beginDelete' },
  { name: 'delete without our finalizer: nothing to do', input: { deleting: true, finalizers: ['example.com/protect'] }, expected: 'releaseFinalizer' },
  { name: 'delete, subscription mismatch: refuse', input: { deleting: true, subscriptionMismatch: 'm' }, expected: 'blocked' },
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
  for (const type of ['addFinalizer', 'releaseFinalizer', 'waitForOwner', 'blocked', 'readAzure', 'beginPut', 'pollPut', 'beginDelete', 'pollDelete', 'upToDate']) {
    assert.ok(seen.has(type as Action['type']), type);
  }
});
