/**
 * The install manifests of `azo export template`: what `kubectl kustomize deploy/base` renders, without kustomize.
 * The same sources: the resources listed in deploy/base/kustomization.yaml, read from the package, with the two
 * generated files (CRDs and the kinds' RBAC) rendered from the resource model for the kinds the pattern selects;
 * the kustomization's labels on every object, and the operator's image set to IMAGE:VERSION.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { matchesCrdPattern, renderCrd, renderKindsRbac } from '../../codegen/index.js';
import { listKindModels, loadKindVersions } from '../../model/index.js';
import { withWebhookConversion } from '../../operator/index.js';
import { UserError } from './user-error.js';

/** Options of `renderInstallTemplate`. */
export interface InstallTemplateOptions {
  /** The operator's image repository, e.g. `registry.example.com/azo`. */
  image: string;
  /** The image tag, also recorded as the `app.kubernetes.io/version` label. */
  version: string;
  /** ASO's crdPattern; default every kind. */
  crdPattern?: string | undefined;
  /** deploy/base (default: the package's). */
  baseDir?: string;
}

type Manifest = Record<string, unknown> & { kind: string; metadata: { labels?: Record<string, string> } };

/** The name the base's Deployment gives the operator's image (overlays replace it with `images:`). */
const baseImageName = 'azo';

/** Renders the manifests as one multi-document YAML stream. */
export async function renderInstallTemplate(options: InstallTemplateOptions): Promise<string> {
  const baseDir = options.baseDir ?? join(packageRoot(), 'deploy', 'base');
  const kustomization = parse(readFileSync(join(baseDir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
    labels?: Array<{ pairs: Record<string, string> }>;
  };
  const models = (await listKindModels()).filter((model) =>
    matchesCrdPattern(options.crdPattern, model.group, model.kind),
  );
  if (models.length === 0) {
    throw new UserError(
      `--crd-pattern ${JSON.stringify(options.crdPattern)} matches no kind; try 'resources.azure.com/*' (see azo crds)`,
    );
  }
  // As deploy/ has them: every served version, converted through the operator's webhook.
  const crds = await Promise.all(
    models.map(async (model) => {
      const [hub = model, ...others] = await loadKindVersions(model.group, model.kind);
      return withWebhookConversion(renderCrd(hub, {}, others));
    }),
  );
  const generated: Record<string, Array<Record<string, unknown>>> = {
    'generated/crds.yaml': crds,
    'generated/rbac-kinds.yaml': renderKindsRbac(crds),
  };
  const labels = {
    ...Object.assign({}, ...(kustomization.labels ?? []).map((entry) => entry.pairs)),
    'app.kubernetes.io/version': options.version,
  } as Record<string, string>;
  const objects: Manifest[] = kustomization.resources.flatMap(
    (resource) => (generated[resource] ?? readManifests(join(baseDir, resource))) as Manifest[],
  );
  const documents = objects.map((object) => {
    const labelled = { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...labels } } };
    const withImage = setImage(labelled, `${options.image}:${options.version}`);
    return stringify(withImage, { lineWidth: 0, aliasDuplicateObjects: false });
  });
  return documents.join('---\n');
}

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as Manifest | null)
    .filter((object): object is Manifest => object !== null);
}

/** The object with every container that runs the base's image name running `image` instead. */
function setImage(object: Manifest, image: string): Manifest {
  if (object.kind !== 'Deployment') return object;
  const copy = structuredClone(object) as Manifest & {
    spec: { template: { spec: { containers: Array<{ image: string }> } } };
  };
  for (const container of copy.spec.template.spec.containers) {
    if (container.image === baseImageName) container.image = image;
  }
  return copy;
}

/** The package's root directory (it holds deploy/), found by walking up from this file (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the azo package root (package.json)');
    dir = parent;
  }
  return dir;
}
