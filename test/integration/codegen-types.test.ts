/**
 * The TypeScript declarations (generated/types) describe what users write: every ASO sample at a served version,
 * typed as its kind (`storage.StorageAccount`, …), compiles under the project's strict settings — and a sample in
 * the exceptions fixture fails to compile for the field it names, as the API server rejects it. Compiled in memory
 * with the TypeScript compiler API.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { listKindModels } from '../../src/model/index.js';

const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
const samplesDir = resolve(process.env.AZO_ASO_SAMPLES ?? '../shared/aso-samples');
const exceptions = JSON.parse(
  readFileSync(new URL('./fixtures/codegen-sample-exceptions.json', import.meta.url), 'utf8'),
) as Record<string, string>;

function listYaml(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? listYaml(path) : path.endsWith('.yaml') ? [path] : [];
    })
    .sort();
}

/** Compiles `source` (as a file at the repository root) and returns its diagnostics as `line: message` strings. */
function compile(source: string): string[] {
  const fileName = join(repoRoot, '__azo_typed_samples__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, language, onError, shouldCreate) =>
    name === fileName
      ? ts.createSourceFile(name, source, language, true)
      : getSourceFile(name, language, onError, shouldCreate);
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName);
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  return diagnostics.map((diagnostic) => {
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
        : 0;
    return `${line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

test(
  "every ASO sample at a served version compiles against its kind's declaration",
  { skip: existsSync(samplesDir) ? false : `no samples at ${samplesDir}` },
  async () => {
    const models = await listKindModels();
    const lines = ["import type * as azo from './generated/types/index.js';", ''];
    const expectedErrors = new Map<number, string>();
    const sampleAtLine = new Map<number, string>();
    for (const path of listYaml(samplesDir)) {
      for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
        const object = document.toJS() as Record<string, unknown>;
        const [group, version] = String(object.apiVersion).split('/');
        const model = models.find(
          (candidate) =>
            candidate.group === group &&
            candidate.kind === object.kind &&
            version !== undefined &&
            candidate.versions.includes(version),
        );
        if (!model) continue;
        const file = relative(samplesDir, path);
        const line = lines.length + 1;
        sampleAtLine.set(line, file);
        const reason = exceptions[file];
        // A single unknown field must be the error; several problems (enums, shapes) need only fail the sample.
        if (reason !== undefined) expectedErrors.set(line, /^([\w.]+):/.exec(reason)?.[1]?.split('.').pop() ?? '');
        // One line per sample, so that a diagnostic's line names the sample.
        lines.push(
          `export const sample${line}: azo.${model.group.replace(/\.azure\.com$/, '')}.${model.kind} = ` +
            `${JSON.stringify(object)};`,
        );
      }
    }
    assert.ok(sampleAtLine.size >= 40, `only ${sampleAtLine.size} samples`);
    const diagnostics = compile(lines.join('\n'));
    const unexpected = diagnostics.filter((diagnostic) => !expectedErrors.has(Number(diagnostic.split(':')[0])));
    assert.deepEqual(
      unexpected.map((diagnostic) => `${sampleAtLine.get(Number(diagnostic.split(':')[0])) ?? '?'} — ${diagnostic}`),
      [],
    );
    for (const [line, field] of expectedErrors) {
      const found = diagnostics.filter((diagnostic) => diagnostic.startsWith(`${line}:`));
      if (field === '') assert.ok(found.length > 0, `${sampleAtLine.get(line)} must fail`);
      else
        assert.ok(
          found.some((diagnostic) => diagnostic.includes(`'"${field}"'`)),
          `${sampleAtLine.get(line)} must fail on ${field}: ${found.join('; ')}`,
        );
    }
  },
);

test('declarations reject what the CRD rejects: unknown fields, a wrong enum value, a missing owner', () => {
  const diagnostics = compile(
    [
      "import type * as azo from './generated/types/index.js';",
      'export const unknownField: azo.resources.ResourceGroup = { apiVersion: ' +
        "'resources.azure.com/v1api20200601', kind: 'ResourceGroup', metadata: { name: 'rg' }, spec: { location: " +
        "'westus', bogus: 1 } };",
      "export const badEnum: azo.storage.StorageAccount = { apiVersion: 'storage.azure.com/v20250601', kind: " +
        "'StorageAccount', metadata: { name: 'sa' }, spec: { owner: { name: 'rg' }, location: 'westus', kind: " +
        "'NotAKind', sku: { name: 'Standard_LRS' } } };",
      "export const noOwner: azo.storage.StorageAccount = { apiVersion: 'storage.azure.com/v20250601', kind: " +
        "'StorageAccount', metadata: { name: 'sa' }, spec: { location: 'westus', kind: 'StorageV2', sku: { name: " +
        "'Standard_LRS' } } };",
      "export const good: azo.storage.StorageAccount = { apiVersion: 'storage.azure.com/v1api20250601', kind: " +
        "'StorageAccount', metadata: { name: 'sa' }, spec: { owner: { name: 'rg' }, location: 'westus', kind: " +
        "'StorageV2', sku: { name: 'Standard_LRS' } } };",
    ].join('\n'),
  );
  assert.equal(
    diagnostics.filter((diagnostic) => diagnostic.startsWith('2:') && diagnostic.includes("'bogus'")).length,
    1,
    diagnostics.join('\n'),
  );
  assert.ok(
    diagnostics.some((diagnostic) => diagnostic.startsWith('3:') && diagnostic.includes('NotAKind')),
    diagnostics.join('\n'),
  );
  assert.ok(
    diagnostics.some((diagnostic) => diagnostic.startsWith('4:') && diagnostic.includes("'owner'")),
    diagnostics.join('\n'),
  );
  assert.equal(diagnostics.filter((diagnostic) => diagnostic.startsWith('5:')).length, 0, diagnostics.join('\n'));
});
