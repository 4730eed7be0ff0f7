/**
 * CRD memory budget: the bytes of every azo CRD (as `azo crds` prints them, and as JSON, the form the API server
 * keeps), compared with ASO's CRD files for the same kinds (bench/data/aso-crd-sizes.json names the source); the
 * embedded API server's memory empty and with every CRD installed and no objects; and the operator's memory serving
 * every kind, then with `--crd-pattern` limited to a few. Prints how many kinds it measured (the numbers grow with
 * the model). Processes run compiled (as the installed `azo` does), or with AZO_BENCH_CRDS_RUNTIME=tsx.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { crdNameOf, crdYaml, renderCrd } from '../src/codegen/index.js';
import { listKindModels, loadKindVersions } from '../src/model/index.js';
import { operatorNodeFlags } from '../src/operator/index.js';
import type { BenchResult } from './run.js';
import { compileCli, rssKiB } from './support.js';

/** The kinds the operator serves in the `--crd-pattern` run. */
export const subsetPattern =
  'resources.azure.com/ResourceGroup;storage.azure.com/StorageAccount;managedidentity.azure.com/*';

interface AsoSizes {
  source: { repository: string; commit: string; path: string };
  apiServerCostPerCrd: { megabytes: number; source: string };
  crdCharacters: Record<string, number>;
}

const crdResource = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;
const settleMs = () => (process.env['AZO_BENCH_QUICK'] === '1' ? 300 : 3000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<BenchResult> {
  const models = await listKindModels();
  // Every served version of every kind, as `azo crds` prints them (the hub stores; the others convert).
  const crds = await Promise.all(
    models.map(async (model) => {
      const [hub = model, ...others] = await loadKindVersions(model.group, model.kind);
      return renderCrd(hub, {}, others);
    }),
  );
  const kindVersions = crds.reduce((total, crd) => total + (crd['spec'] as { versions: unknown[] }).versions.length, 0);
  const yamlBytes = new Map(
    crds.map((crd) => [String((crd['metadata'] as { name: string }).name), Buffer.byteLength(crdYaml(crd))]),
  );
  const jsonBytes = crds.reduce((total, crd) => total + Buffer.byteLength(JSON.stringify(crd)), 0);
  const azoYaml = [...yamlBytes.values()].reduce((total, bytes) => total + bytes, 0);

  const aso = JSON.parse(readFileSync(new URL('./data/aso-crd-sizes.json', import.meta.url), 'utf8')) as AsoSizes;
  const compared = models.map((model) => crdNameOf(model)).filter((name) => aso.crdCharacters[name] !== undefined);
  const asoBytes = compared.reduce((total, name) => total + (aso.crdCharacters[name] ?? 0), 0);
  const azoCompared = compared.reduce((total, name) => total + (yamlBytes.get(name) ?? 0), 0);
  const missing = models.length - compared.length;

  const dir = mkdtempSync(join(tmpdir(), 'azo-crds-bench-'));
  const runtime = process.env['AZO_BENCH_CRDS_RUNTIME'] === 'tsx' ? 'tsx' : 'compiled';
  const entry = runtime === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : [compileCli()];
  const children: ChildProcess[] = [];
  const start = (args: string[], env: Record<string, string>, ready: RegExp) => {
    // The operator runs with the image's Node flags; the API server with Node's defaults.
    const nodeFlags = args[0] === 'operator' ? operatorNodeFlags : [];
    const child = spawn(process.execPath, [...nodeFlags, ...entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const started = new Promise<string>((resolve, reject) => {
      const check = (chunk: Buffer) => {
        out += chunk.toString();
        const match = ready.exec(out);
        if (match) resolve(match[0]);
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code) => reject(new Error(`azo ${args[0] ?? ''} exited ${code}:\n${out.slice(-2000)}`)));
    });
    return { child, started };
  };
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    const apiServer = start(['apiserver', '--port', '0', '--kubeconfig', kubeconfig], {}, /listening on \S+/);
    await apiServer.started;
    await sleep(settleMs());
    const apiServerEmptyKiB = rssKiB(apiServer.child.pid);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    for (const crd of crds) await custom.createClusterCustomObject({ ...crdResource, body: crd });
    for (let attempt = 0; ; attempt++) {
      const list = (await custom.listClusterCustomObject(crdResource)) as {
        items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      const established = list.items.filter((item) =>
        item.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
      );
      if (established.length >= crds.length) break;
      if (attempt > 600) throw new Error(`only ${established.length}/${crds.length} CRDs established`);
      await sleep(100);
    }
    await sleep(settleMs());
    const apiServerCrdsKiB = rssKiB(apiServer.child.pid);

    const operatorEnv = {
      KUBECONFIG: kubeconfig,
      AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-00000000c4d5',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-00000000c4d6',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c4d7',
      AZURE_CLIENT_SECRET: 'bench',
      AZURE_RESOURCE_MANAGER_ENDPOINT: 'https://127.0.0.1:9',
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
      AZURE_SYNC_PERIOD: 'never',
    };
    const measureOperator = async (extra: string[]) => {
      const operator = start(
        ['operator', '--log-level', 'warn', ...extra],
        operatorEnv,
        /azo operator running: (\d+) kinds served/,
      );
      const line = await operator.started;
      await sleep(settleMs());
      const kib = rssKiB(operator.child.pid);
      await stop(operator.child);
      return { kib, kinds: Number(/(\d+) kinds/.exec(line)?.[1] ?? 0) };
    };
    const every = await measureOperator([]);
    const subset = await measureOperator(['--crd-pattern', subsetPattern]);
    await stop(apiServer.child);

    const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
    return {
      metrics: {
        'kinds measured': { value: models.length, unit: 'kinds' },
        'kind versions served': { value: kindVersions, unit: 'versions' },
        'azo CRD bytes, every kind (azo crds, YAML)': { value: azoYaml, unit: 'bytes' },
        'azo CRD bytes, every kind (JSON, as stored)': { value: jsonBytes, unit: 'bytes' },
        'kinds compared with ASO': { value: compared.length, unit: 'kinds' },
        'azo CRD bytes of those kinds (YAML)': { value: azoCompared, unit: 'bytes' },
        'ASO CRD bytes of those kinds (YAML)': { value: asoBytes, unit: 'bytes' },
        'azo / ASO CRD bytes': {
          value: asoBytes === 0 ? 0 : Math.round((azoCompared / asoBytes) * 1000) / 10,
          unit: '%',
        },
        'apiserver RSS, empty': { value: mib(apiServerEmptyKiB), unit: 'MiB' },
        'apiserver RSS, every CRD, 0 objects': { value: mib(apiServerCrdsKiB), unit: 'MiB' },
        'apiserver RSS per CRD': {
          value: Math.round(((apiServerCrdsKiB - apiServerEmptyKiB) / crds.length) * 10) / 10,
          unit: 'KiB',
        },
        'operator RSS, every kind served': { value: mib(every.kib), unit: 'MiB' },
        'operator kinds served, every kind': { value: every.kinds, unit: 'kinds' },
        'operator RSS, --crd-pattern subset': { value: mib(subset.kib), unit: 'MiB' },
        'operator kinds served, --crd-pattern subset': { value: subset.kinds, unit: 'kinds' },
      },
      notes: [
        `measured ${models.length} kinds at ${kindVersions} kind-versions (${runtime}); the subset is ` +
          `--crd-pattern '${subsetPattern}'`,
        `ASO's bytes: ${aso.source.repository} at ${aso.source.commit.slice(0, 12)}, ${aso.source.path} ` +
          `(every version ASO serves per kind, storage versions included)` +
          (missing > 0 ? `; ${missing} kinds have no ASO size recorded and are left out of the comparison` : ''),
        `ASO's CRDs cost kube-apiserver about ${aso.apiServerCostPerCrd.megabytes} MB each (` +
          `${aso.apiServerCostPerCrd.source}); the embedded API server's cost is measured above, not ` +
          `kube-apiserver's`,
      ],
    };
  } finally {
    for (const child of children) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
