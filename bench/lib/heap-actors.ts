/**
 * What each kind of XState actor retains in a V8 heap snapshot: the snapshot's dominator tree
 * (weak and shortcut edges left out), then for every `Actor` object its retained size, grouped by
 * the actor's id with digits as N (`vrrp/VI_N`, `io`, `adverTimer`), and split by the actor's own
 * fields (`eventListeners`, `_snapshot`, `options`…): what an actor alone keeps alive.
 *
 *   npx tsx bench/lib/heap-actors.ts FILE [--min 100]
 *
 * --min: kinds with fewer actors are left out. Snapshots: bench/instance-heap.ts --snapshot, or
 * bench/memory-daemon.ts --snapshot vrrp.
 */
import { readFileSync } from 'node:fs';
import { flag } from './flags.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const file = process.argv[2];
if (!file || file.startsWith('--')) throw new Error('usage: heap-actors.ts FILE [--min 100]');
const min = Number(flag('min', '100'));
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const { node_fields, node_types, edge_fields, edge_types } = snap.snapshot.meta;
const { nodes, edges, strings } = snap;
const N = node_fields.length;
const E = edge_fields.length;
const iType = node_fields.indexOf('type');
const iName = node_fields.indexOf('name');
const iSize = node_fields.indexOf('self_size');
const iEdges = node_fields.indexOf('edge_count');
const count = nodes.length / N;
const weak = edge_types[0].indexOf('weak');
const shortcut = edge_types[0].indexOf('shortcut');
const property = edge_types[0].indexOf('property');

const firstEdge = new Uint32Array(count + 1);
for (let v = 0, e = 0; v < count; v++) {
  firstEdge[v] = e;
  e += nodes[v * N + iEdges]! * E;
}
firstEdge[count] = edges.length;
const strong = (e: number): boolean => edges[e] !== weak && edges[e] !== shortcut;
const target = (e: number): number => edges[e + 2]! / N;

// Post-order from the root (node 0), iteratively.
const order = new Int32Array(count).fill(-1);
const post: number[] = [];
const cursor = new Uint32Array(count);
const seen = new Uint8Array(count);
const stack = [0];
seen[0] = 1;
cursor[0] = firstEdge[0]!;
while (stack.length > 0) {
  const v = stack[stack.length - 1]!;
  let pushed = false;
  while (cursor[v]! < firstEdge[v + 1]!) {
    const e = cursor[v]!;
    cursor[v] = e + E;
    if (!strong(e)) continue;
    const w = target(e);
    if (seen[w]) continue;
    seen[w] = 1;
    cursor[w] = firstEdge[w]!;
    stack.push(w);
    pushed = true;
    break;
  }
  if (!pushed) {
    stack.pop();
    order[v] = post.length;
    post.push(v);
  }
}

// Predecessors, then immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm).
const predStart = new Uint32Array(count + 1);
for (let v = 0; v < count; v++) if (seen[v]) for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) if (strong(e)) predStart[target(e) + 1]!++;
for (let v = 1; v <= count; v++) predStart[v]! += predStart[v - 1]!;
const preds = new Uint32Array(predStart[count]!);
const fill = predStart.slice();
for (let v = 0; v < count; v++) if (seen[v]) for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) if (strong(e)) preds[fill[target(e)]!++] = v;
const idom = new Int32Array(count).fill(-1);
idom[0] = 0;
const intersect = (a: number, b: number): number => {
  while (a !== b) {
    while (order[a]! < order[b]!) a = idom[a]!;
    while (order[b]! < order[a]!) b = idom[b]!;
  }
  return a;
};
for (let changed = true; changed; ) {
  changed = false;
  for (let k = post.length - 1; k >= 0; k--) {
    const v = post[k]!;
    if (v === 0) continue;
    let d = -1;
    for (let p = predStart[v]!; p < predStart[v + 1]!; p++) {
      const u = preds[p]!;
      if (idom[u] !== -1) d = d === -1 ? u : intersect(u, d);
    }
    if (d !== idom[v]) {
      idom[v] = d;
      changed = true;
    }
  }
}
const retained = new Float64Array(count);
for (const v of post) {
  retained[v]! += nodes[v * N + iSize]!;
  if (v !== 0) retained[idom[v]!]! += retained[v]!;
}

/** A string node's text; a concatenated string is named "(concatenated string)": its parts are its text. */
function text(v: number, depth = 0): string {
  if (node_types[0][nodes[v * N + iType]!] !== 'concatenated string' || depth > 20) return strings[nodes[v * N + iName]!]!;
  let first = '';
  let second = '';
  for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) {
    const name = strings[edges[e + 1]!];
    if (name === 'first') first = text(target(e), depth + 1);
    if (name === 'second') second = text(target(e), depth + 1);
  }
  return first + second;
}

// Actors by id, and what each of their fields alone keeps.
const kinds = new Map<string, { actors: number; bytes: number; fields: Map<string, number> }>();
for (let v = 0; v < count; v++) {
  if (!seen[v] || node_types[0][nodes[v * N + iType]!] !== 'object' || strings[nodes[v * N + iName]!] !== 'Actor') continue;
  let id = '?';
  const fields: Array<[string, number]> = [];
  for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) {
    if (edges[e] !== property) continue;
    const name = strings[edges[e + 1]!]!;
    const w = target(e);
    if (name === 'id') id = text(w).replace(/\d+/g, 'N');
    if (idom[w] === v) fields.push([name, retained[w]!]);
  }
  const k = kinds.get(id) ?? { actors: 0, bytes: 0, fields: new Map<string, number>() };
  k.actors++;
  k.bytes += retained[v]!;
  for (const [name, bytes] of fields) k.fields.set(name, (k.fields.get(name) ?? 0) + bytes);
  kinds.set(id, k);
}
console.log(`${file}: ${(retained[0]! / 1024 / 1024).toFixed(1)} MiB reachable; actors by id (at least ${min} of a kind), bytes each`);
for (const [id, k] of [...kinds].filter(([, k]) => k.actors >= min).sort((a, b) => b[1].bytes - a[1].bytes)) {
  const each = (b: number): string => (b / k.actors).toFixed(0);
  const split = [...k.fields].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${each(bytes)}`);
  console.log(`  ${id.padEnd(18)} ${String(k.actors).padStart(6)} actors, ${each(k.bytes).padStart(6)} retained: ${split.join(', ')}`);
}
