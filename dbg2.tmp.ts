import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { objectSchemaOf } from './src/codegen/index.js';
import { listKindVersionModels } from './src/model/index.js';
import { checkAgainstSchema } from './test/integration/codegen-schema-check.js';
const dir = '/work/shared/aso-samples';
const list = (d: string): string[] => readdirSync(d).flatMap((e) => { const p = join(d, e); return statSync(p).isDirectory() ? list(p) : p.endsWith('.yaml') ? [p] : []; });
const models = await listKindVersionModels();
for (const path of list(dir)) for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
  const o = doc.toJS(); const [g, v] = String(o.apiVersion).split('/');
  const m = models.find((c) => c.group === g && c.kind === o.kind && c.versions.includes(v));
  if (!m) continue;
  const p = checkAgainstSchema(o, objectSchemaOf(m) as any);
  if (p.length) console.log(relative(dir, path), JSON.stringify(p));
}
