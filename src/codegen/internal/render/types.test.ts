import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KindModel, type SchemaNode, listKindModels } from '../../../model/index.js';
import { planSharedShapes } from './shared-shapes.js';
import { renderKindTypes, renderTypeFiles, sharedTypesFile, typeOf } from './types.js';

const text = (description: string): SchemaNode => ({ type: 'string', description });
const shape = (...names: string[]): SchemaNode => ({
  type: 'object',
  properties: Object.fromEntries(names.map((name) => [name, text(`The ${name} of the thing, described at length.`)])),
});
const root = (properties: Record<string, SchemaNode>): SchemaNode => ({ type: 'object', properties });

test('shared shapes: repeated ones named once, in the group that alone uses them or in the shared file', () => {
  const plan = planSharedShapes({
    roots: [
      { group: 'a', node: root({ sku: shape('name', 'tier'), rules: { type: 'array', items: shape('x', 'y') } }) },
      { group: 'a', node: root({ sku: shape('name', 'tier'), rule: shape('x', 'y') }) },
      { group: 'b', node: root({ other: shape('x', 'y'), tiny: { type: 'object', properties: { id: text('') } } }) },
      { group: 'b', node: root({ tiny: { type: 'object', properties: { id: text('') } }, once: shape('q') }) },
    ],
    reserved: new Set(),
    inlineText: (node) => typeOf(node),
  });
  assert.deepEqual(
    plan.shapes.map(({ name, home }) => `${name} ${home === 'shared' ? 'shared' : home.group}`),
    ['Rule shared', 'Sku a'],
    'x/y stands under rules (an array: singular), rule and other; too small or used once: inline',
  );
  assert.equal(plan.nameOf(shape('name', 'tier')), 'Sku', 'by content, not by object identity');
  assert.equal(plan.nameOf(shape('q')), undefined);
});

test('shared shapes: a name claimed twice, or reserved, takes a hash suffix; a preferred name always wins', () => {
  const plan = planSharedShapes({
    roots: [
      { group: 'a', node: root({ sku: shape('name'), identity: shape('type'), ref: shape('armId') }) },
      { group: 'a', node: root({ sku: shape('name'), identity: shape('type'), ref: shape('armId') }) },
      { group: 'a', node: root({ sku: shape('tier'), more: shape('armId') }) },
      { group: 'a', node: root({ sku: shape('tier') }) },
    ],
    reserved: new Set(['Identity']),
    inlineText: (node) => typeOf(node),
    preferred: [[shape('armId'), 'ResourceReference']],
  });
  const names = plan.shapes.map((one) => one.name);
  assert.equal(names.length, 4);
  assert.ok(names.includes('ResourceReference'));
  assert.equal(names.filter((name) => /^Sku_[0-9a-f]{8}$/.test(name)).length, 2, names.join());
  assert.ok(
    names.some((name) => /^Identity_[0-9a-f]{8}$/.test(name)),
    names.join(),
  );
});

test('every kind declaration, its named shapes spelt out again, is the inline declaration', async () => {
  const models = (await listKindModels())
    .filter((model) => model.hub !== false)
    .sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
  const groupOf = (model: KindModel) => model.group.replace(/\.azure\.com$/, '');
  const files = renderTypeFiles(models, groupOf);
  const kindNames = new Set(models.flatMap((model) => [model.kind, `${model.kind}Spec`, `${model.kind}Status`]));
  const declarations = new Map<string, string>();
  for (const file of files.values()) {
    for (const match of file.matchAll(/^export interface (\w+) (\{\n[\s\S]*?\n\})\n/gm)) {
      const [, name, body] = match;
      if (name !== undefined && body !== undefined && !kindNames.has(name)) declarations.set(name, body);
    }
  }
  // `export interface BSpec extends ASpec {}`: B's spec is A's (of the same group, whose file declares it), to the
  // letter.
  const unalias = (text: string, file: string) =>
    text.replace(/^export interface (\w+) extends (\w+) \{\}$/gm, (line, name: string, base: string) => {
      const body = new RegExp(`^export interface ${base} (\\{\\n[\\s\\S]*?\\n\\})\\n`, 'm').exec(file)?.[1];
      return body === undefined ? line : `export interface ${name} ${body}`;
    });
  const expanded = new Map<string, string>();
  const expand = (body: string): string =>
    body
      .split('\n')
      .map((line) => {
        if (line.trimStart().startsWith('/**')) return line;
        const indent = /^\s*/.exec(line)?.[0] ?? '';
        let first = true;
        // Names outside string literals, after the line's property key.
        return line.replace(/"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*/g, (token) => {
          if (token.startsWith('"')) return token;
          if (first) {
            first = false;
            if (/^\s*[A-Za-z_$][\w$]*\??:/.test(line)) return token;
          }
          const declared = declarations.get(token);
          if (declared === undefined || !/^[A-Z]/.test(token) || /^(Array|Record)$/.test(token)) return token;
          let inline = expanded.get(token);
          if (inline === undefined) expanded.set(token, (inline = expand(declared)));
          return inline.replace(/\n/g, `\n${indent}`);
        });
      })
      .join('\n');
  assert.ok(files.has(sharedTypesFile));
  let compared = 0;
  for (const model of models) {
    const file = `\n${files.get(groupOf(model)) ?? ''}`;
    const start = file.indexOf(`\n/** ${model.kind} (`) + 1;
    const end = file.indexOf(`\n}\n`, file.indexOf(`export interface ${model.kind} {`)) + 3;
    assert.ok(start > 0 && end > start, model.kind);
    // Indentation aside (a map's values are indented one level deeper inline): the same lines.
    const got = expand(unalias(file.slice(start, end), file))
      .split('\n')
      .map((line) => line.trim());
    const want = renderKindTypes(model)
      .split('\n')
      .map((line) => line.trim());
    const at = want.findIndex((line, index) => got[index] !== line);
    assert.equal(at, -1, `${model.group} ${model.kind} line ${at}: ${got[at]} ≠ ${want[at]}`);
    assert.equal(got.length, want.length);
    compared++;
  }
  assert.ok(compared > 200, `only ${compared} kinds`);
  assert.ok(expanded.size > 100, `only ${expanded.size} shapes were named`);
});
