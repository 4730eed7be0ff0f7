import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListSnapshots } from './list-snapshots.js';

describe('ListSnapshots', () => {
  it('finds a snapshot until it expires', () => {
    let now = 1_000;
    const snapshots = new ListSnapshots({ ttlMs: 100, now: () => now });
    const items = [{ metadata: { name: 'a' } }];
    const id = snapshots.remember({ rv: 7, items });
    assert.equal(snapshots.find(id)?.rv, 7);
    assert.equal(snapshots.find(id)?.items, items);
    now = 1_099;
    assert.ok(snapshots.find(id));
    now = 1_100;
    assert.equal(snapshots.find(id), undefined);
  });

  it('keeps at most `capacity` snapshots, forgetting the oldest first', () => {
    const snapshots = new ListSnapshots({ capacity: 2 });
    const first = snapshots.remember({ rv: 1, items: [] });
    const second = snapshots.remember({ rv: 2, items: [] });
    const third = snapshots.remember({ rv: 3, items: [] });
    assert.equal(snapshots.find(first), undefined);
    assert.equal(snapshots.find(second)?.rv, 2);
    assert.equal(snapshots.find(third)?.rv, 3);
  });
});
