// Copies the per-kind size table of generated/SIZES.md into docs/codegen.md (between the same table's first and last
// lines), and its "Whole directories" line, so that `npm run generate` leaves the page matching what it generated.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const sizesPath = `${repoRoot}generated/SIZES.md`;
const pagePath = `${repoRoot}docs/codegen.md`;

/** The table that starts at its `| group |` header line, up to the blank line after it. */
function tableOf(text: string, file: string): { start: number; end: number } {
  const start = text.indexOf('| group |');
  if (start < 0) throw new Error(`${file}: no table starting with "| group |"`);
  const end = text.indexOf('\n\n', start);
  return { start, end: end < 0 ? text.length : end };
}

const sizes = readFileSync(sizesPath, 'utf8');
const page = readFileSync(pagePath, 'utf8');
const from = tableOf(sizes, sizesPath);
const to = tableOf(page, pagePath);
/** The line starting with "Whole directories:". */
function wholeLineOf(text: string, file: string): string {
  const line = text.split('\n').find((candidate) => candidate.startsWith('Whole directories:'));
  if (line === undefined) throw new Error(`${file}: no line starting with "Whole directories:"`);
  return line;
}

const withTable = page.slice(0, to.start) + sizes.slice(from.start, from.end) + page.slice(to.end);
writeFileSync(pagePath, withTable.replace(wholeLineOf(page, pagePath), wholeLineOf(sizes, sizesPath)));
console.log(`wrote the size table into ${pagePath}`);
