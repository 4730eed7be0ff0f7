import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeChange, formatAge, renderStatusTable, type StatusRow } from './status-table.js';

const now = new Date('2026-12-01T12:00:00Z');
const row = (overrides: Partial<StatusRow>): StatusRow => ({
  kind: 'ResourceGroup',
  namespace: 'default',
  name: 'rg',
  ready: 'True',
  reason: 'Succeeded',
  message: '',
  createdAt: '2026-12-01T11:58:30Z',
  ...overrides,
});

test('the live table aligns columns, hides the default namespace and cuts lines to the terminal width', () => {
  const lines = renderStatusTable(
    [
      row({}),
      row({ kind: 'StorageAccount', namespace: 'team-a', name: 'data', ready: 'False', reason: 'WaitingForOwner' }),
    ],
    now,
    60,
  );
  assert.deepEqual(lines, [
    'KIND/NAME                   READY  REASON           AGE',
    'ResourceGroup/rg            True   Succeeded        90s',
    'StorageAccount/team-a/data  False  WaitingForOwner  90s',
  ]);
  assert.ok(renderStatusTable([row({ name: 'x'.repeat(100) })], now, 40).every((line) => line.length <= 40));
  assert.deepEqual(renderStatusTable([], now), ['no managed objects yet']);
  assert.equal(
    renderStatusTable([row({})], now, 0)[1],
    'ResourceGroup/rg  True   Succeeded  90s',
    'a terminal of unknown width still gets its rows',
  );
});

test('plain lines name the object and, when not Ready, why', () => {
  assert.equal(describeChange(row({})), 'ResourceGroup default/rg: Ready=True Succeeded');
  assert.equal(
    describeChange(row({ ready: 'False', reason: 'SecretNotFound', message: 'Secret default/pw does not exist' })),
    'ResourceGroup default/rg: Ready=False SecretNotFound - Secret default/pw does not exist',
  );
});

test('ages read like kubectl', () => {
  assert.equal(formatAge('2026-12-01T11:59:15Z', now), '45s');
  assert.equal(formatAge('2026-12-01T11:57:00Z', now), '3m');
  assert.equal(formatAge('2026-12-01T09:55:00Z', now), '2h5m');
  assert.equal(formatAge('2026-11-27T12:00:00Z', now), '4d');
  assert.equal(formatAge(undefined, now), '');
});
