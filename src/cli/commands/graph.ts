/**
 * `azo graph`: the managed objects of a namespace (or of the whole cluster) with their owners and references, read
 * through a kubeconfig, as Graphviz DOT, as SVG, or as an HTML page.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { listInstalledKinds, listManagedObjects } from '../internal/cluster-objects.js';
import { renderDot, renderGraphPage, renderSvg } from '../internal/graph-render.js';
import { loadKubeConfig, unreachable } from '../internal/kubeconfig.js';
import { buildObjectGraph } from '../internal/object-graph.js';
import { UserError } from '../internal/user-error.js';

interface GraphFlags {
  namespace?: string;
  allNamespaces?: boolean;
  kubeconfig?: string;
  output: string;
  open?: string | boolean;
}

const formats = ['dot', 'svg'];

export function register(program: Command): void {
  program
    .command('graph')
    .description(
      'Draw the managed objects of a namespace (or all) with their owners and references, coloured by Ready.',
    )
    .option('-n, --namespace <namespace>', "the namespace (default: the kubeconfig context's, else default)")
    .option('-A, --all-namespaces', 'every namespace')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-o, --output <format>', `what to print: ${formats.join(' or ')}`, 'dot')
    .option(
      '--open [file]',
      'write an HTML page instead (default: azo-graph.html in the temp folder), print its path, open it in ' +
        '$BROWSER if set',
    )
    .action(async (flags: GraphFlags) => {
      if (!formats.includes(flags.output)) {
        throw new UserError(`-o ${flags.output}: choose ${formats.join(' or ')}`);
      }
      if (flags.allNamespaces === true && flags.namespace !== undefined) {
        throw new UserError('give either -n NAMESPACE or -A, not both');
      }
      const kubeConfig = loadKubeConfig(flags.kubeconfig);
      const namespace = flags.allNamespaces === true ? undefined : (flags.namespace ?? contextNamespace(kubeConfig));
      const objects = await readObjects(kubeConfig, namespace);
      const title = namespace === undefined ? 'azo: all namespaces' : `azo: namespace ${namespace}`;
      const dot = renderDot(buildObjectGraph(objects), title);
      if (flags.open === undefined || flags.open === false) {
        process.stdout.write(flags.output === 'svg' ? await renderSvg(dot) : dot);
        return;
      }
      const file = resolve(typeof flags.open === 'string' ? flags.open : join(tmpdir(), 'azo-graph.html'));
      writeFileSync(file, renderGraphPage(await renderSvg(dot), title));
      console.log(file);
      openInBrowser(file);
    });
}

function contextNamespace(kubeConfig: KubeConfig): string {
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return context?.namespace ?? 'default';
}

async function readObjects(kubeConfig: KubeConfig, namespace: string | undefined) {
  try {
    return await listManagedObjects(kubeConfig, await listInstalledKinds(kubeConfig), namespace);
  } catch (error) {
    throw unreachable(error, kubeConfig);
  }
}

/** Opens the page in the browser `$BROWSER` names; without one (a headless machine) the printed path is enough. */
function openInBrowser(file: string): void {
  const browser = process.env['BROWSER'];
  if (browser === undefined || browser === '') return;
  const child = spawn(browser, [file], { detached: true, stdio: 'ignore' });
  child.once('error', (error) => console.error(`note: could not start $BROWSER (${browser}): ${error.message}`));
  child.unref();
}
