// Helpers of deploy.test.ts: run real kubectl (kustomize, apply) and read the rendered manifests.
import { execFile } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export const kubectlPath = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** A rendered Kubernetes object (loosely typed). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Runs a program; rejects with its stderr when it fails. */
export function run(
  program: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string | undefined> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Documents already parsed, by their text: every kustomization renders the same 9 MB of CRDs. */
const parsedDocuments = new Map<string, Manifest | null>();

/**
 * Parses a multi-document YAML stream, skipping empty documents. A document met before (same text) is parsed once;
 * the objects returned are shared, so callers must not modify them (copy first).
 */
export function parseManifests(text: string): Manifest[] {
  return text
    .split(/^---$/m)
    .map((documentText) => {
      const known = parsedDocuments.get(documentText);
      if (known !== undefined) return known;
      const [document, ...more] = parseAllDocuments(documentText);
      if (more.length > 0) throw new Error('invalid YAML: a document separator parseManifests did not split at');
      if (document?.errors.length) throw new Error(`invalid YAML: ${document.errors[0]?.message ?? ''}`);
      const object = (document?.toJS() ?? null) as Manifest | null;
      parsedDocuments.set(documentText, object);
      return object;
    })
    .filter((object): object is Manifest => object !== null);
}

/** The one object of this kind (and name, if given); throws when there is not exactly one. */
export function only(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as Manifest;
}

/** `group/version` of an apiVersion (core: `v1`). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The operator container of a Deployment (the first one). */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers: Container[];
    volumes?: Array<{ name: string; emptyDir?: unknown }>;
  };
}

/** The pod template of a Deployment. */
export function podTemplateOf(deployment: Manifest): PodTemplate {
  return (deployment['spec'] as { template: PodTemplate }).template;
}

/** The namespaces in AZURE_TARGET_NAMESPACES of the operator container (as the operator splits it). */
export function targetNamespacesOf(container: Container): string[] {
  const value = container.env?.find((variable) => variable.name === 'AZURE_TARGET_NAMESPACES')?.value ?? '';
  return value
    .split(/[,;]/)
    .map((namespace) => namespace.trim())
    .filter((namespace) => namespace !== '');
}

/** Matches a path against .dockerignore rules (Docker's semantics for these forms: `*`, `**`, `!`, directories). */
export function dockerContextIncludes(dockerignore: string, path: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let included = true;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/^\/+|\/+$/g, '');
    const glob = (text: string) =>
      text
        .split('**')
        .map((part) => part.split('*').map(escapeRegex).join('[^/]*'))
        .join('.*');
    const regex = new RegExp(`^${pattern.split('**/').map(glob).join('(?:.*/)?')}(/.*)?$`);
    if (regex.test(path)) included = negated;
  }
  return included;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
