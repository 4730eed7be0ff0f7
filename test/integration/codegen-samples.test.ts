/**
 * Sample acceptance: every ASO sample whose apiVersion is a served version (either spelling) must be accepted —
 * by a strict check against the CRD schema, and by the embedded API server with the CRDs installed and
 * `kubectl apply --server-side --validate=strict` (fieldValidation=Strict). Samples in the exceptions fixture must be rejected for
 * the reason given; samples at other versions are reported as not yet supported.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { objectSchemaOf, renderCrd } from '../../src/codegen/index.js';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { listKindModels, type KindModel } from '../../src/model/index.js';
import { call } from './kube-helpers.js';
import { checkAgainstSchema } from './codegen-schema-check.js';

const run = promisify(execFile);
const samplesDir = resolve(process.env.AZO_ASO_SAMPLES ?? '../shared/aso-samples');
const exceptions = JSON.parse(readFileSync(new URL('./fixtures/codegen-sample-exceptions.json', import.meta.url), 'utf8')) as Record<string, string>;

interface Sample { file: string; object: Record<string, unknown>; model?: KindModel }

function listYaml(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listYaml(path) : path.endsWith('.yaml') ? [path] : [];
  }).sort();
}

async function loadSamples(): Promise<Sample[]> {
  const models = await listKindModels();
  return listYaml(samplesDir).flatMap((path) => parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
    const object = document.toJS() as Record<string, unknown>;
    const [group, version] = String(object.apiVersion).split('/');
    const model = models.find((candidate) => candidate.group === group && candidate.kind === object.kind && version !== undefined && candidate.versions.includes(version));
    return { file: relative(samplesDir, path), object, ...(model ? { model } : {}) };
  }));
}

describe('ASO samples', { skip: existsSync(samplesDir) ? false : `no samples at ${samplesDir} (set AZO_ASO_SAMPLES)` }, () => {
  let samples: Sample[] = [];
  before(async () => {
    samples = await loadSamples();
  });

  test('samples at other versions are reported as not yet supported', (t) => {
    const unsupported = samples.filter((sample) => !sample.model);
    for (const sample of unsupported) t.diagnostic(`not yet supported: ${sample.file} (${String(sample.object.apiVersion)} ${String(sample.object.kind)})`);
    assert.ok(samples.length > unsupported.length);
    for (const file of Object.keys(exceptions).filter((key) => !key.startsWith('_'))) {
      assert.ok(samples.some((sample) => sample.file === file && sample.model), `exception ${file} is not a supported sample`);
    }
  });

  test('supported samples pass a strict check against the CRD schema (exceptions fail for their reason)', () => {
    for (const sample of samples) {
      if (!sample.model) continue;
      const problems = checkAgainstSchema(sample.object, objectSchemaOf(sample.model));
      const reason = exceptions[sample.file];
      if (reason === undefined) assert.deepEqual(problems, [], sample.file);
      else assert.ok(problems.some((problem) => reason.startsWith(problem.split(':')[0] ?? '')), `${sample.file}: ${problems.join('; ')}`);
    }
  });

  describe('on the embedded API server with kubectl apply --server-side --validate=strict', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl not installed' }, () => {
    let server: RunningApiServer;
    let dir: string;
    let kubeconfig: string;
    before(async () => {
      server = await startApiServer({ port: 0 });
      dir = mkdtempSync(join(tmpdir(), 'azo-samples-'));
      kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfig);
      const models = [...new Map(samples.filter((sample) => sample.model).map((sample) => [sample.model?.kind + '/' + sample.model?.group, sample.model])).values()];
      for (const model of models) {
        if (!model) continue;
        const response = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: renderCrd(model) });
        assert.ok(response.status === 201 || response.status === 409, `CRD ${model.kind}: ${response.status} ${response.text.slice(0, 500)}`);
      }
    });
    after(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('every supported sample is accepted (exceptions are rejected)', async () => {
      for (const [index, sample] of samples.entries()) {
        if (!sample.model) continue;
        const file = join(dir, `sample-${index}.yaml`);
        writeFileSync(file, stringify(sample.object));
        const reason = exceptions[sample.file];
        const result = await run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--validate=strict', '-f', file])
          .then(({ stdout }) => ({ ok: true, output: stdout }), (error: { stderr?: string }) => ({ ok: false, output: error.stderr ?? String(error) }));
        if (reason === undefined) assert.ok(result.ok, `${sample.file}: ${result.output}`);
        else assert.ok(!result.ok, `${sample.file} should be rejected: ${reason}`);
      }
    });
  });
});
