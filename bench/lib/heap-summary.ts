/**
 * Summarise a V8 heap snapshot (.heapsnapshot) by what dominates it: for each node type and name
 * (constructor, closure's function name, "(string)"…), the count and the self size, largest first.
 *
 *   npx tsx bench/lib/heap-summary.ts FILE [--top 40] [--per 1000]
 *
 * --per N also prints bytes per N-th (e.g. per VRRP instance).
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: heap-summary.ts FILE [--top 40] [--per N]');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const top = Number(arg('top', '40'));
const per = Number(arg('per', '0'));

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const F = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += F) {
  const type = types[snap.nodes[i + iType]!]!;
  let name = snap.strings[snap.nodes[i + iName]!]!;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
  if (type === 'number') name = '';
  if (type === 'hidden' || type === 'code' || type === 'array') name = name.slice(0, 60);
  const key = `${type} ${name}`.slice(0, 100);
  const size = snap.nodes[i + iSize]!;
  total += size;
  const g = groups.get(key) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += size;
  groups.set(key, g);
}
console.log(`${file}: ${(total / 1024 / 1024).toFixed(1)} MiB in ${snap.nodes.length / F} nodes`);
const rows = [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
for (const [k, g] of rows) {
  console.log(`${(g.bytes / 1024).toFixed(0).padStart(9)} KiB ${String(g.count).padStart(8)}  ${per ? `${(g.bytes / per).toFixed(0).padStart(6)} B/inst ${(g.count / per).toFixed(1).padStart(6)}/inst  ` : ''}${k}`);
}
