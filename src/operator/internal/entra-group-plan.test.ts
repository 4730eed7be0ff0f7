import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { desiredGroup, groupPatch, planGroupStep, type GroupPlanInput } from './entra-group-plan.js';

const desired = desiredGroup({ displayName: 'G', mailNickname: 'g@contoso.com', description: 'd' });
const base: GroupPlanInput = {
  deleting: false,
  policy: 'manage',
  recordedId: undefined,
  observed: undefined,
  matches: undefined,
  creationMode: 'AdoptOrCreate',
  desired,
};

test('maps the spec as ASO does: a security group, nickname before the @, membership → groupTypes', () => {
  assert.deepEqual(desired, {
    displayName: 'G',
    mailNickname: 'g',
    description: 'd',
    groupTypes: [],
    mailEnabled: false,
    securityEnabled: true,
  });
  assert.deepEqual(desiredGroup({ displayName: 'G', mailNickname: 'g', membershipType: 'dynamicm365' }).groupTypes, [
    'Unified',
    'DynamicMembership',
  ]);
});

test('adopts the one group with the display name, refuses several, creates when none', () => {
  assert.deepEqual(planGroupStep(base), { kind: 'find' });
  assert.deepEqual(planGroupStep({ ...base, matches: ['a'] }), { kind: 'adopt', id: 'a' });
  assert.deepEqual(planGroupStep({ ...base, matches: ['a', 'b'] }), { kind: 'ambiguous', count: 2 });
  assert.deepEqual(planGroupStep({ ...base, matches: [] }), { kind: 'create' });
  assert.deepEqual(planGroupStep({ ...base, creationMode: 'AlwaysCreate' }), { kind: 'create' });
});

test('with a recorded ID: reads, patches only what differs, forgets a group that is gone', () => {
  const group = { id: 'x', displayName: 'G', mailNickname: 'G', description: 'd' };
  const known = { ...base, recordedId: 'x' };
  assert.deepEqual(planGroupStep(known), { kind: 'read', id: 'x' });
  assert.deepEqual(planGroupStep({ ...known, observed: group }), { kind: 'ready', group });
  assert.deepEqual(planGroupStep({ ...known, observed: { ...group, description: 'old' } }), {
    kind: 'update',
    id: 'x',
    patch: { description: 'd' },
  });
  assert.deepEqual(planGroupStep({ ...known, observed: null }), { kind: 'forget' });
  assert.equal(groupPatch({ displayName: 'G' }, group), undefined);
});

test('deletes only under manage; detach-on-delete and skip release the finalizer', () => {
  const deleting = { ...base, deleting: true, recordedId: 'x' };
  assert.deepEqual(planGroupStep(deleting), { kind: 'delete', id: 'x' });
  assert.deepEqual(planGroupStep({ ...deleting, policy: 'detach-on-delete' }), { kind: 'release' });
  assert.deepEqual(planGroupStep({ ...deleting, policy: 'skip' }), { kind: 'release' });
  assert.deepEqual(planGroupStep({ ...deleting, observed: null }), { kind: 'release' });
});

test('never deletes unless managed and deleting; never creates or adopts over a recorded ID; skip never writes', () => {
  const group = fc.record({ id: fc.constant('x'), displayName: fc.string(), mailNickname: fc.string() });
  const input = fc.record({
    deleting: fc.boolean(),
    policy: fc.constantFrom('manage' as const, 'skip' as const, 'detach-on-delete' as const),
    recordedId: fc.option(fc.constant('x'), { nil: undefined }),
    observed: fc.option(fc.option(group, { nil: null }), { nil: undefined }),
    matches: fc.option(fc.array(fc.uuid(), { maxLength: 3 }), { nil: undefined }),
    creationMode: fc.constantFrom('AdoptOrCreate' as const, 'AlwaysCreate' as const),
    desired: fc.record({ displayName: fc.string(), mailNickname: fc.string() }),
  });
  fc.assert(
    fc.property(input, (value) => {
      const step = planGroupStep(value);
      if (step.kind === 'delete') assert.ok(value.deleting && value.policy === 'manage');
      if (step.kind === 'create' || step.kind === 'adopt' || step.kind === 'find') {
        assert.equal(value.recordedId, undefined);
      }
      if (value.policy === 'skip') assert.ok(!['create', 'update', 'delete', 'adopt'].includes(step.kind));
      if (value.deleting) assert.ok(step.kind === 'delete' || step.kind === 'release');
    }),
  );
});
