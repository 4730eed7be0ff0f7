import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressOn } from './progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns: 60,
    write: (text: string) => written.push(text) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('progress: a bar redrawn in place on a terminal, ended by a newline', () => {
  const { stream, written } = fakeStream(true);
  const progress = progressOn(stream, 'import');
  progress.update(1, 4, '/subscriptions/s/resourceGroups/rg');
  progress.update(4, 4, '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a');
  progress.done();
  assert.equal(written.length, 3);
  assert.ok(written.slice(0, 2).every((text) => text.startsWith('\r\x1b[2K') && !text.includes('\n')));
  assert.match(written[0] ?? '', /import \[#{8} {22}\] 1\/4/);
  assert.match(written[1] ?? '', /import \[#{30}\] 4\/4/);
  assert.ok(
    written.slice(0, 2).every((text) => text.length - '\r\x1b[2K'.length <= 59),
    'fits the terminal width',
  );
  assert.equal(written[2], '\n');
});

test('progress: plain lines when not a terminal', () => {
  const { stream, written } = fakeStream(false);
  const progress = progressOn(stream, 'import');
  progress.update(2, 3, 'x');
  progress.done();
  assert.deepEqual(written, ['import: 2/3 x\n']);
});
