import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { StateStore } from './state.js';

describe('StateStore', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'azo-state-test-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const file = () => join(dataDir, 'state.json');
  const addResource = (store: StateStore, name: string) => {
    const id = `/subscriptions/s/resourceGroups/rg/providers/A.B/things/${name}`;
    store.state.resources.set(id.toLowerCase(), {
      id,
      key: id.toLowerCase(),
      fullType: 'A.B/things',
      name,
      body: { id, name },
    });
  };

  it('saves after writes, and after reads only when marked changed', () => {
    const store = new StateStore(dataDir, () => 'tenant-1');
    addResource(store, 'one');
    store.commitIfChanged(false);
    assert.equal(JSON.parse(readFileSync(file(), 'utf8')).resources.length, 0, 'an unmarked read does not save');
    store.commitIfChanged(true);
    assert.equal(JSON.parse(readFileSync(file(), 'utf8')).resources.length, 1);
    addResource(store, 'two');
    store.markChanged();
    store.commitIfChanged(false);
    assert.equal(JSON.parse(readFileSync(file(), 'utf8')).resources.length, 2);
    const reloaded = new StateStore(dataDir, () => 'unused');
    assert.equal(reloaded.state.tenantId, 'tenant-1');
    assert.deepEqual(
      [...reloaded.state.resources.values()].map((resource) => resource.name),
      ['one', 'two'],
    );
  });

  it('rolls memory back to the last save', () => {
    const store = new StateStore(dataDir, () => 't');
    addResource(store, 'kept');
    store.commit();
    addResource(store, 'unsaved');
    store.rollback();
    assert.deepEqual(
      [...store.state.resources.values()].map((resource) => resource.name),
      ['kept'],
    );
  });

  it('removes only its own interrupted temporary files at start, and keeps the file private', () => {
    new StateStore(dataDir, () => 't').commit();
    writeFileSync(join(dataDir, 'state.json.tmp-123'), '{"half');
    writeFileSync(join(dataDir, 'token-signing-key.pem.tmp-9'), 'half');
    writeFileSync(join(dataDir, 'notes.tmp-1'), 'not ours');
    new StateStore(dataDir, () => 't');
    assert.deepEqual(readdirSync(dataDir).sort(), ['notes.tmp-1', 'state.json']);
    assert.equal(statSync(file()).mode & 0o777, 0o600);
  });

  it('refuses a damaged state file with an error naming it and the fix', () => {
    writeFileSync(file(), '{"version":1,"tenantId":"t","subscriptions":[],"resources":{},"operations":[]}');
    assert.throws(
      () => new StateStore(dataDir, () => 't'),
      (error: Error) =>
        error.message.includes(file()) &&
        error.message.includes('"resources" is not an array') &&
        error.message.includes('move it away'),
    );
    writeFileSync(file(), 'garbage');
    assert.throws(() => new StateStore(dataDir, () => 't'), /is not JSON/);
  });
});
