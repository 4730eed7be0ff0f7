/** The emulator's Microsoft Graph groups over raw HTTPS with a token from its Entra token service. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { armToken, call, startTestEmulator } from './emulator-helpers.js';

const graphScope = 'https://graph.microsoft.com/.default';
const group = (nickname: string, extra: Record<string, unknown> = {}) => ({
  displayName: `Group ${nickname}`,
  mailNickname: nickname,
  mailEnabled: false,
  securityEnabled: true,
  ...extra,
});

describe('emulator Microsoft Graph groups', () => {
  let emulator: RunningEmulator;
  let cleanup: () => Promise<void>;
  let token: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-graph-test-'));

  before(async () => {
    ({ emulator, cleanup } = await startTestEmulator({ dataDir }));
    token = await armToken(emulator, { scope: graphScope });
  });
  after(async () => {
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, reads, filters, updates and deletes a group', async () => {
    const created = await call(emulator, 'POST', '/v1.0/groups', {
      token,
      body: group('team-a', { description: 'd' }),
    });
    assert.equal(created.status, 201, created.text);
    const id = String(created.json.id);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(created.json.mail, null, 'a security group that is not mail-enabled has no address');
    assert.deepEqual(created.json.groupTypes, []);

    const read = await call(emulator, 'GET', `/v1.0/groups/${id}`, { token });
    assert.equal(read.status, 200);
    assert.equal(read.json.displayName, 'Group team-a');
    assert.equal(read.json.description, 'd');

    const unified = await call(emulator, 'POST', '/v1.0/groups', {
      token,
      body: group("o'neil", { groupTypes: ['Unified'] }),
    });
    assert.equal(unified.status, 201, unified.text);
    assert.equal(unified.json.mail, "o'neil@emulator.onmicrosoft.com");

    const byNickname = await call(
      emulator,
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("mailNickname eq 'TEAM-A'")}`,
      { token },
    );
    assert.deepEqual(
      byNickname.json.value.map((entry: { id: string }) => entry.id),
      [id],
    );
    const quoted = await call(
      emulator,
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("mailNickname eq 'o''neil'")}`,
      { token },
    );
    assert.equal(quoted.json.value.length, 1);
    const byName = await call(
      emulator,
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'Group team-a'")}`,
      { token },
    );
    assert.equal(byName.json.value.length, 1);
    const all = await call(emulator, 'GET', '/v1.0/groups', { token });
    assert.equal(all.json.value.length, 2);

    const patched = await call(emulator, 'PATCH', `/v1.0/groups/${id}`, { token, body: { description: 'new' } });
    assert.equal(patched.status, 204);
    assert.equal((await call(emulator, 'GET', `/v1.0/groups/${id}`, { token })).json.description, 'new');

    const deleted = await call(emulator, 'DELETE', `/v1.0/groups/${id}`, { token });
    assert.equal(deleted.status, 204);
    const gone = await call(emulator, 'GET', `/v1.0/groups/${id}`, { token });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, 'Request_ResourceNotFound');
    assert.equal((await call(emulator, 'DELETE', `/v1.0/groups/${id}`, { token })).status, 404);

    const logged = emulator.requestLog().filter((entry) => entry.path.startsWith('/v1.0/groups'));
    assert.ok(logged.some((entry) => entry.method === 'POST' && entry.status === 201));
    assert.ok(logged.some((entry) => entry.method === 'PATCH' && entry.status === 204));
  });

  it('validates as Graph does', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...group('x'), displayName: undefined }, 'displayName'],
      [{ ...group('x'), mailEnabled: undefined }, 'mailEnabled'],
      [{ ...group('x'), securityEnabled: undefined }, 'securityEnabled'],
      [{ ...group('x'), mailNickname: undefined }, 'mailNickname'],
      [group('has space'), 'mailNickname'],
      [group('a@b.com'), 'mailNickname'],
      [group('x'.repeat(65)), 'mailNickname'],
    ];
    for (const [body, property] of cases) {
      const response = await call(emulator, 'POST', '/v1.0/groups', { token, body: JSON.parse(JSON.stringify(body)) });
      assert.equal(response.status, 400, `${property}: ${response.text}`);
      assert.equal(response.json.error.code, 'Request_BadRequest');
      assert.match(response.json.error.message, new RegExp(`'${property}'`));
    }
    const unknown = await call(emulator, 'POST', '/v1.0/groups', { token, body: group('y', { colour: 'red' }) });
    assert.equal(unknown.status, 400);
    const filter = await call(
      emulator,
      'GET',
      `/v1.0/groups?$filter=${encodeURIComponent("startswith(displayName,'a')")}`,
      { token },
    );
    assert.equal(filter.status, 400);
    assert.equal(filter.json.error.code, 'Request_UnsupportedQuery');
  });

  it('refuses tokens for another audience and requests without a token', async () => {
    const none = await call(emulator, 'GET', '/v1.0/groups');
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'InvalidAuthenticationToken');
    const arm = await armToken(emulator);
    const wrong = await call(emulator, 'GET', '/v1.0/groups', { token: arm });
    assert.equal(wrong.status, 401);
  });

  it('keeps groups across a restart with the same data dir', async () => {
    const created = await call(emulator, 'POST', '/v1.0/groups', { token, body: group('kept') });
    assert.equal(created.status, 201);
    await cleanup();
    ({ emulator, cleanup } = await startTestEmulator({ dataDir }));
    const again = await armToken(emulator, { scope: graphScope });
    const read = await call(emulator, 'GET', `/v1.0/groups/${String(created.json.id)}`, { token: again });
    assert.equal(read.status, 200);
    assert.equal(read.json.mailNickname, 'kept');
  });
});
