// The web view of `azo dev`: polls the dev process's JSON API and redraws the objects, the graph, the emulator's
// request log and the selected object. Plain browser JavaScript, no build step.
const refreshMs = 1000;
const graphRefreshMs = 3000;
const maxRequestsShown = 500;

const state = { selected: undefined, requests: [], lastSeq: 0, objectsSignature: '', graphSignature: '' };

const byId = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

const keyOf = (item) => `${item.group}/${item.kind}/${item.namespace}/${item.name}`;

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderObjects(items) {
  const body = byId('objects').querySelector('tbody');
  body.replaceChildren(
    ...items.map((item) => {
      const row = document.createElement('tr');
      row.dataset.key = keyOf(item);
      row.dataset.ready = item.ready;
      if (state.selected === row.dataset.key) row.classList.add('selected');
      row.append(
        cell(item.kind),
        cell(`${item.namespace}/${item.name}`),
        cell(item.ready === 'none' ? '-' : item.ready, `ready ready-${item.ready}`),
        cell(item.reason, 'reason'),
        cell(item.ready === 'True' ? '' : item.message, 'message'),
      );
      row.addEventListener('click', () => select(item));
      return row;
    }),
  );
  byId('object-count').textContent = `(${items.length})`;
}

async function refreshObjects() {
  const { items } = await getJson('/api/objects');
  const signature = JSON.stringify(items.map((item) => [keyOf(item), item.ready, item.reason, item.message]));
  if (signature !== state.objectsSignature) {
    state.objectsSignature = signature;
    renderObjects(items);
  }
}

async function refreshGraph() {
  if (state.graphSignature === state.objectsSignature) return;
  const response = await fetch('/api/graph.svg', { cache: 'no-store' });
  if (!response.ok) throw new Error(`graph: ${response.status}`);
  const svg = (await response.text()).replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '');
  state.graphSignature = state.objectsSignature;
  const graph = byId('graph');
  graph.className = '';
  graph.innerHTML = svg;
  for (const node of graph.querySelectorAll('g.node')) {
    const [group, kind, namespace, name] = node.id.replace(/^node:/, '').split('/');
    if (node.classList.contains('external') || name === undefined) continue;
    node.addEventListener('click', () => select({ group, kind, namespace, name }));
  }
}

function matchesFilter(entry) {
  const method = byId('method-filter').value;
  const text = byId('text-filter').value.trim().toLowerCase();
  if (method !== '' && entry.method !== method) return false;
  if (text === '') return true;
  return `${entry.method} ${entry.path} ${entry.status} ${entry.apiVersion ?? ''}`.toLowerCase().includes(text);
}

function renderRequests() {
  const shown = state.requests.filter(matchesFilter).slice(-maxRequestsShown).reverse();
  byId('requests')
    .querySelector('tbody')
    .replaceChildren(
      ...shown.map((entry) => {
        const row = document.createElement('tr');
        row.dataset.method = entry.method;
        row.append(
          cell(String(entry.seq)),
          cell(entry.time.slice(11, 23)),
          cell(entry.method, 'method'),
          cell(entry.path, 'path'),
          cell(entry.apiVersion ?? ''),
          cell(String(entry.status), entry.status < 400 ? 'status status-ok' : 'status status-error'),
          cell(String(entry.durationMs)),
        );
        return row;
      }),
    );
  byId('request-count').textContent = `(${shown.length} shown of ${state.requests.length})`;
}

async function refreshRequests() {
  const { value, note } = await getJson(`/api/requests?since=${state.lastSeq}`);
  byId('requests-note').textContent = note ?? '';
  // Two polls may overlap (a slow answer and the next tick): an entry already shown is not added again.
  const fresh = value.filter((entry) => entry.seq > state.lastSeq);
  if (fresh.length === 0) return;
  state.requests.push(...fresh);
  state.lastSeq = Math.max(state.lastSeq, ...fresh.map((entry) => entry.seq));
  renderRequests();
}

const pretty = (value) => JSON.stringify(value, null, 2);

async function select(item) {
  state.selected = keyOf(item);
  for (const row of byId('objects').querySelectorAll('tbody tr')) {
    row.classList.toggle('selected', row.dataset.key === state.selected);
  }
  byId('detail-title').textContent = `${item.kind} ${item.namespace}/${item.name}`;
  for (const id of ['spec', 'arm-body', 'azure']) byId(id).textContent = 'loading…';
  const query = new URLSearchParams({ group: item.group, kind: item.kind, namespace: item.namespace, name: item.name });
  try {
    const detail = await getJson(`/api/object?${query}`);
    if (state.selected !== keyOf(item)) return;
    byId('spec').textContent = pretty(detail.spec);
    byId('arm-body').textContent = detail.armBody !== undefined ? pretty(detail.armBody) : detail.armBodyError;
    byId('azure').textContent = detail.azure !== undefined ? pretty(detail.azure) : detail.azureError;
    byId('detail-section').dataset.loaded = state.selected;
  } catch (error) {
    byId('spec').textContent = String(error);
  }
}

let ticking = false;
async function tick() {
  if (ticking) return;
  ticking = true;
  try {
    await Promise.all([refreshObjects(), refreshRequests()]);
    byId('connection').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    byId('connection').textContent = `cannot reach azo dev (${error.message}); is it still running?`;
  } finally {
    ticking = false;
  }
}

async function tickGraph() {
  try {
    await refreshGraph();
  } catch (error) {
    byId('graph').textContent = `graph unavailable: ${error.message}`;
  }
}

byId('method-filter').addEventListener('change', renderRequests);
byId('text-filter').addEventListener('input', renderRequests);
await tick();
await tickGraph();
setInterval(tick, refreshMs);
setInterval(tickGraph, graphRefreshMs);
