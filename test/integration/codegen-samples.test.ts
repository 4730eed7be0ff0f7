/**
 * Sample acceptance: every ASO sample whose apiVersion is a served version (either spelling) must be accepted — by a
 * strict check against the CRD schema, and by the embedded API server with every committed CRD
 * (generated/crds) installed, through `kubectl apply --server-side --validate=strict` (fieldValidation=Strict).
 * Samples in the exceptions fixture must be rejected, for the field the fixture names. Samples at other versions are
 * reported as not yet supported, or not served when at ASO's obsolete v1beta spelling (a test diagnostic per file),
 * and the API server must refuse them too, so that none is silently skipped.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { objectSchemaOf, obsoleteSpelling } from '../../src/codegen/index.js';
import { startApiServer, type RunningApiServer } from '../../src/kube/index.js';
import { convertWithSchema, listKindVersionModels, objectShapeOf, type KindModel } from '../../src/model/index.js';
import { call } from './kube-helpers.js';
import { checkAgainstSchema } from './codegen-schema-check.js';

const run = promisify(execFile);
const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
const samplesDir = resolve(process.env.AZO_ASO_SAMPLES ?? '../shared/aso-samples');
const kubectl = '/usr/bin/kubectl';
const exceptions = JSON.parse(
  readFileSync(new URL('./fixtures/codegen-sample-exceptions.json', import.meta.url), 'utf8'),
) as Record<string, string>;
/** The fields an exception names: its reason starts with `spec.a, spec.b:`. */
const exceptionFields = (reason: string) =>
  (/^([\w.[\], ]+):/.exec(reason)?.[1] ?? '').split(', ').filter((field) => field !== '');
const exceptionField = (reason: string) => exceptionFields(reason)[0] ?? '';

/**
 * The ResourceGroup every sample's owner chain starts at. No sample file holds it at a served version (only an
 * obsolete v1beta one), so it is the manifest the samples' README gives.
 */
const sampleResourceGroup = {
  apiVersion: 'resources.azure.com/v1api20200601',
  kind: 'ResourceGroup',
  metadata: { name: 'aso-sample-rg', namespace: 'default' },
  spec: { location: 'westcentralus' },
};

interface Sample {
  file: string;
  object: Record<string, unknown>;
  model?: KindModel;
}

function listYaml(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? listYaml(path) : path.endsWith('.yaml') ? [path] : [];
    })
    .sort();
}

async function loadSamples(): Promise<Sample[]> {
  const models = await listKindVersionModels();
  return listYaml(samplesDir).flatMap((path) =>
    parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
      const object = document.toJS() as Record<string, unknown>;
      const [group, version] = String(object.apiVersion).split('/');
      const model = models.find(
        (candidate) =>
          candidate.group === group &&
          candidate.kind === object.kind &&
          version !== undefined &&
          candidate.versions.includes(version),
      );
      return { file: relative(samplesDir, path), object, ...(model ? { model } : {}) };
    }),
  );
}

describe(
  'ASO samples',
  { skip: existsSync(samplesDir) ? false : `no samples at ${samplesDir} (set AZO_ASO_SAMPLES)` },
  () => {
    let samples: Sample[] = [];
    before(async () => {
      samples = await loadSamples();
    });

    test('samples at other versions are reported as not yet supported; exceptions name supported samples', (t) => {
      const unsupported = samples.filter((sample) => !sample.model);
      const obsolete = unsupported.filter((sample) => /\/v1beta\d{8}/.test(String(sample.object.apiVersion)));
      for (const sample of unsupported) {
        const what = `${sample.file} (${String(sample.object.apiVersion)} ${String(sample.object.kind)})`;
        t.diagnostic(
          obsolete.includes(sample) ? `not served: ${what}: ${obsoleteSpelling}` : `not yet supported: ${what}`,
        );
      }
      const accepted = samples.filter((sample) => sample.model && exceptions[sample.file] === undefined).length;
      t.diagnostic(
        `${samples.length - unsupported.length} samples at served versions (${accepted} accepted, ` +
          `${samples.length - unsupported.length - accepted} exceptions), ${obsolete.length} at the obsolete v1beta ` +
          `spelling, ${unsupported.length - obsolete.length} not yet supported`,
      );
      assert.ok(samples.length > unsupported.length);
      for (const [file, reason] of Object.entries(exceptions).filter(([key]) => !key.startsWith('_'))) {
        assert.ok(
          samples.some((sample) => sample.file === file && sample.model),
          `exception ${file} is not a supported sample`,
        );
        assert.notEqual(
          exceptionField(reason),
          '',
          `exception ${file}: the reason must start with the field (spec.x: why)`,
        );
      }
    });

    test('supported samples pass a strict check against the CRD schema (exceptions fail for their field)', () => {
      for (const sample of samples) {
        if (!sample.model) continue;
        const problems = checkAgainstSchema(sample.object, objectSchemaOf(sample.model));
        const reason = exceptions[sample.file];
        if (reason === undefined) assert.deepEqual(problems, [], sample.file);
        else
          assert.deepEqual(
            problems.map((problem) => problem.split(':')[0]),
            exceptionFields(reason),
            `${sample.file}: ${problems.join('; ')}`,
          );
      }
    });

    test('every supported sample round-trips through every other served version of its kind unchanged', async () => {
      const models = await listKindVersionModels();
      let trips = 0;
      for (const sample of samples) {
        const model = sample.model;
        if (!model || exceptions[sample.file] !== undefined) continue;
        const own = String(sample.object.apiVersion);
        for (const other of models.filter(
          (candidate) => candidate.group === model.group && candidate.kind === model.kind && candidate !== model,
        )) {
          const there = convertWithSchema(sample.object, `${other.group}/${other.versions[0]}`, objectShapeOf(other));
          const back = convertWithSchema(there, own, objectShapeOf(model));
          assert.deepEqual(back, sample.object, `${sample.file} through ${other.versions[0]}`);
          trips++;
        }
      }
      assert.ok(trips > 50, `only ${trips} round trips`);
    });

    describe(
      'on the embedded API server with kubectl apply --server-side --validate=strict',
      { skip: existsSync(kubectl) ? false : 'kubectl not installed' },
      () => {
        let server: RunningApiServer;
        let dir: string;
        let kubeconfig: string;
        const apply = (files: string[], flags = ['--validate=strict']) =>
          run(kubectl, [
            '--kubeconfig',
            kubeconfig,
            'apply',
            '--server-side',
            ...flags,
            ...files.flatMap((file) => ['-f', file]),
          ]).then(
            ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
            (error: { stderr?: string; stdout?: string }) => ({
              ok: false,
              output: `${error.stdout ?? ''}${error.stderr ?? String(error)}`,
            }),
          );
        const names = new Set<string>();
        /**
         * Writes a sample for kubectl; a second sample of the same object (refs/ copies) gets a distinct name, so each
         * is judged alone.
         */
        const write = (index: number, sample: Sample) => {
          const file = join(dir, `${String(index).padStart(2, '0')}-${basename(sample.file)}`);
          const object = structuredClone(sample.object) as { kind?: unknown; metadata?: { name?: string } };
          const key = `${String(object.kind)}/${object.metadata?.name ?? ''}`;
          if (names.has(key) && object.metadata) object.metadata.name = `${object.metadata.name ?? 'sample'}-${index}`;
          names.add(key);
          writeFileSync(file, stringify(object));
          return file;
        };

        before(async () => {
          server = await startApiServer({ port: 0 });
          dir = mkdtempSync(join(tmpdir(), 'azo-samples-'));
          kubeconfig = join(dir, 'kubeconfig');
          writeFileSync(kubeconfig, server.kubeconfig);
          const crdDir = join(repoRoot, 'generated/crds');
          for (const file of readdirSync(crdDir).sort()) {
            const response = await call(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
              body: parse(readFileSync(join(crdDir, file), 'utf8')),
            });
            assert.equal(response.status, 201, `CRD ${file}: ${response.status} ${response.text.slice(0, 500)}`);
          }
        });
        after(async () => {
          await server?.close();
          if (dir) rmSync(dir, { recursive: true, force: true });
        });

        test("the samples' ResourceGroup and every supported sample are accepted", async () => {
          const rgFile = join(dir, 'resourcegroup.yaml');
          writeFileSync(rgFile, stringify(sampleResourceGroup));
          const accepted = samples.flatMap((sample, index) =>
            sample.model && exceptions[sample.file] === undefined ? [write(index, sample)] : [],
          );
          assert.ok(accepted.length >= 40, `only ${accepted.length} samples at served versions`);
          // The check first (nothing stored), then the objects themselves.
          const dryRun = await apply([rgFile, ...accepted], ['--validate=strict', '--dry-run=server']);
          assert.ok(dryRun.ok, dryRun.output);
          const batch = await apply([rgFile, ...accepted]);
          if (batch.ok) return;
          // One apply for all is fast; on failure, apply one by one so that the message names the sample.
          for (const file of accepted) {
            const single = await apply([file]);
            assert.ok(single.ok, `${basename(file)}: ${single.output}`);
          }
          assert.fail(batch.output);
        });

        test('samples in the exceptions fixture are rejected for the field it names', async () => {
          for (const [index, sample] of samples.entries()) {
            const reason = exceptions[sample.file];
            if (!sample.model || reason === undefined) continue;
            const result = await apply([write(index, sample)]);
            assert.ok(!result.ok, `${sample.file} should be rejected: ${reason}`);
            assert.ok(
              result.output.includes(exceptionField(reason).replace(/^spec\./, '')),
              `${sample.file}: ${result.output}`,
            );
          }
        });

        test('with --validate=warn they are accepted, as by ASO: a warning names each field, which is dropped', async () => {
          for (const [index, sample] of samples.entries()) {
            const reason = exceptions[sample.file];
            if (!sample.model || reason === undefined) continue;
            const file = write(index, sample);
            const result = await apply([file], ['--validate=warn']);
            assert.ok(result.ok, `${sample.file}: ${result.output}`);
            for (const field of exceptionFields(reason)) {
              assert.ok(result.output.includes(`unknown field "${field}"`), `${sample.file}: ${result.output}`);
            }
            const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', '-f', file, '-o', 'json']);
            const spec = (JSON.parse(stdout) as { spec: Record<string, unknown> }).spec;
            assert.equal(spec.location, undefined, `${sample.file}: spec.location stored`);
          }
        });

        test('samples at other versions are refused: the API server does not serve their version', async () => {
          // One kubectl run for all (it reports each object it cannot map and goes on).
          const files = samples.flatMap((sample, index) => (sample.model ? [] : [write(index, sample)]));
          const result = await apply(files);
          assert.ok(!result.ok, 'samples at versions azo does not serve must not be accepted');
          assert.equal(result.output.match(/no matches for kind/g)?.length, files.length, result.output);
        });
      },
    );
  },
);
