/**
 * The object graph as Graphviz DOT (pure), as SVG laid out by Graphviz itself (`@viz-js/viz`: Graphviz compiled to
 * WebAssembly, loaded on first use), and as a standalone HTML page around that SVG.
 */
import type { GraphEdge, GraphNode, ObjectGraph, ReadyState } from './object-graph.js';

/** Fill colour of a node by its Ready state; absent and external nodes are white with a dashed outline. */
export const readyColours: Record<ReadyState, string> = {
  True: '#b7e4c7',
  False: '#f4a3a3',
  Unknown: '#ffe08a',
  none: '#d9d9d9',
};

/** What each colour means, for legends. */
export const legend: Array<{ colour: string; meaning: string }> = [
  { colour: readyColours.True, meaning: 'Ready=True' },
  { colour: readyColours.False, meaning: 'Ready=False' },
  { colour: readyColours.Unknown, meaning: 'Ready=Unknown' },
  { colour: readyColours.none, meaning: 'no Ready condition yet' },
  { colour: '#ffffff', meaning: 'not in Kubernetes (dashed: Azure resource by ARM ID; dotted: object not found)' },
];

/** A DOT double-quoted string. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function attributes(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join(', ');
}

/** `class` names on the SVG elements: `ready-true`, `ready-none`, `absent`, `external`. */
export function nodeClass(node: GraphNode): string {
  return node.type === 'object' ? `ready-${node.ready.toLowerCase()}` : node.type;
}

function nodeLabel(node: GraphNode): string {
  if (node.type === 'external') return `${node.kind === '' ? 'Azure' : node.kind}\n${node.name}`;
  const where = node.namespace === '' ? node.name : `${node.namespace}/${node.name}`;
  const state = node.type === 'absent' ? 'not found' : node.ready === 'none' ? 'no status' : `Ready=${node.ready}`;
  const reason = node.type === 'object' && node.reason !== '' ? ` ${node.reason}` : '';
  return `${node.kind}\n${where}\n${state}${reason}`;
}

function nodeStatement(node: GraphNode): string {
  const style =
    node.type === 'object'
      ? { style: 'rounded,filled', fillcolor: readyColours[node.ready] }
      : { style: node.type === 'external' ? 'rounded,dashed' : 'rounded,dotted', fillcolor: '#ffffff' };
  const tooltip =
    node.type === 'external'
      ? (node.external ?? node.name)
      : [nodeLabel(node).replace(/\n/g, ' '), node.message].filter((part) => part !== '').join(': ');
  return `  ${quote(node.id)} [${attributes({
    label: nodeLabel(node),
    ...style,
    class: nodeClass(node),
    id: `node:${node.id}`,
    tooltip,
  })}];`;
}

function edgeStatement(edge: GraphEdge): string {
  const style: Record<string, string> = edge.relation === 'owner' ? {} : { style: 'dashed' };
  return `  ${quote(edge.from)} -> ${quote(edge.to)} [${attributes({
    label: edge.relation,
    ...style,
    class: edge.relation,
    tooltip: edge.path,
  })}];`;
}

/** The graph as DOT: owners to the left of what they own, references dashed, nodes coloured by Ready. */
export function renderDot(graph: ObjectGraph, title = 'azo'): string {
  return [
    `digraph ${quote(title)} {`,
    '  graph [rankdir=RL, fontname="Helvetica", fontsize=10, nodesep=0.3, ranksep=0.6];',
    '  node [shape=box, fontname="Helvetica", fontsize=10, color="#555555"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ...graph.nodes.map(nodeStatement),
    ...graph.edges.map(edgeStatement),
    '}',
    '',
  ].join('\n');
}

let viz: Promise<{ renderString(input: string, options: { format: string }): string }> | undefined;

/** Lays the DOT out and draws it as SVG with Graphviz (WebAssembly, instantiated once per process). */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((module) => module.instance());
  return (await viz).renderString(dot, { format: 'svg' });
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A standalone HTML page: a title, the SVG and a legend of the colours. */
export function renderGraphPage(svg: string, title: string): string {
  const items = legend
    .map(({ colour, meaning }) => `<li><span style="background:${colour}"></span>${escapeHtml(meaning)}</li>`)
    .join('');
  const inlineSvg = svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5rem; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; font-size: 0.85rem; }
ul.legend span { display: inline-block; width: 1em; height: 1em; border: 1px solid #555; margin-right: 0.4em; vertical-align: -0.15em; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<ul class="legend">${items}</ul>
${inlineSvg}
</body>
</html>
`;
}
