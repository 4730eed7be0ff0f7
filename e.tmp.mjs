import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
const c = parse(readFileSync('/work/shared/aso-config/azure-arm.yaml','utf8'), { maxAliasCount: -1 });
const omc = c.objectModelConfiguration;
const out=new Set();
for (const [g, gs] of Object.entries(omc)) for (const [v, types] of Object.entries(gs)) for (const [t, s] of Object.entries(types||{})) if (s && s.$supportedFrom) out.add(`${g} ${t} ${s.$exportAs??'-'}`);
console.log([...out].join('\n'));
