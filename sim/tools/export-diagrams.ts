/**
 * Exports every statechart under machines/ to docs/statecharts/, from the machine objects themselves:
 * - <id>.mmd: Mermaid `stateDiagram-v2` (xstate/graph's toDirectedGraph), exact for XState v5 and
 *   built without a network (Stately's tools need one);
 * - <id>.stately.js: a self-contained `createMachine` module for Stately, carrying the context and
 *   delay values of the machine's sample (stately-code.ts, export-samples.ts, sample-values.ts);
 * - README.md: what the files are, the sample's values per machine, and every diagram in a
 *   ```mermaid block (which GitHub draws in Markdown).
 *
 *   npx tsx sim/tools/export-diagrams.ts            # write all files
 *   npx tsx sim/tools/export-diagrams.ts --check    # exit 1 if a committed file is stale
 *
 * Rendering: nested states become composite states (a parallel machine is wrapped in one, since
 * Mermaid allows `--` region separators only inside a composite); `after` events show as
 * `after <delay>`; eventless transitions as `always`; guards as `[guard]`; a targetless (internal)
 * transition as a self-loop marked `(internal)`; transitions declared on the machine root as notes
 * (they apply in every state); descriptions as notes. Notes use Mermaid's multi-line form, the only
 * one whose text may contain `:`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph, type DirectedGraphEdge, type DirectedGraphNode } from 'xstate/graph';
import { exportSamples, SAMPLE_CONF, type MachineSample } from './export-samples.js';
import { sampleValues, type SampleValues } from './sample-values.js';
import { statelyParts, toStatelyCode } from './stately-code.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
const clean = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/[;#]/g, ',').trim();
/** Note text: one line, and never Mermaid's `end note`. */
const noteText = (text: string) => clean(text).replace(/\bend(\s+)note\b/gi, 'end-note');

function note(out: string[], indent: string, side: 'left' | 'right', id: string, text: string): void {
  out.push(`${indent}note ${side} of ${id}`, `${indent}  ${noteText(text)}`, `${indent}end note`);
}

/** A transition guard's name as diagrams show it (undefined when there is none). */
export function guardName(guard: unknown): string | undefined {
  if (!guard) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  if (typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

function edgeLabel(edge: DirectedGraphEdge, internal: boolean): string {
  const ev = edge.transition.eventType;
  const after = /^xstate\.after\.([^.]+)\./.exec(ev);
  const text = after ? `after ${after[1]}` : ev;
  const guard = guardName(edge.transition.guard);
  return clean(`${text}${guard ? ` [${guard}]` : ''}${internal ? ' (internal)' : ''}`);
}

function renderNode(node: DirectedGraphNode, indent: string, out: string[]): void {
  const sn = node.stateNode;
  const kids = node.children;
  if (kids.length === 0) {
    out.push(`${indent}state "${sn.key}" as ${mermaidId(sn.id)}`);
  } else {
    out.push(`${indent}state "${sn.key}" as ${mermaidId(sn.id)} {`);
    renderChildren(node, `${indent}  `, out);
    out.push(`${indent}}`);
  }
  if (sn.description) note(out, indent, 'right', mermaidId(sn.id), sn.description);
  if (sn.type === 'final') out.push(`${indent}${mermaidId(sn.id)} --> [*]`);
}

function renderChildren(node: DirectedGraphNode, indent: string, out: string[]): void {
  const sn = node.stateNode;
  const parallel = sn.type === 'parallel';
  node.children.forEach((child, i) => {
    if (parallel && i > 0) out.push(`${indent}--`);
    renderNode(child, indent, out);
  });
  if (!parallel && sn.initial?.target?.[0]) out.push(`${indent}[*] --> ${mermaidId(sn.initial.target[0].id)}`);
  for (const child of node.children) renderEdges(child, indent, out);
}

function renderEdges(node: DirectedGraphNode, indent: string, out: string[]): void {
  for (const edge of node.edges) {
    const internal = !edge.transition.target;
    out.push(`${indent}${mermaidId(edge.source.id)} --> ${mermaidId(edge.target.id)} : ${edgeLabel(edge, internal)}`);
  }
  // Eventless (`always`) transitions: toDirectedGraph leaves them out, the chart needs them.
  for (const t of node.stateNode.always ?? []) {
    const guard = guardName(t.guard);
    for (const target of t.target ?? []) {
      out.push(`${indent}${mermaidId(node.stateNode.id)} --> ${mermaidId(target.id)} : ${clean(`always${guard ? ` [${guard}]` : ''}`)}`);
    }
  }
}

/** Mermaid `stateDiagram-v2` text for one machine. */
export function toMermaid(machine: AnyStateMachine): string {
  const graph = toDirectedGraph(machine);
  const out = ['stateDiagram-v2', `  %% ${machine.id}: generated by sim/tools/export-diagrams.ts from the machine object; do not edit`];
  const parallel = machine.root.type === 'parallel';
  const rootId = mermaidId(machine.root.id);
  if (parallel) {
    out.push(`  state "${machine.root.key}" as ${rootId} {`);
    renderChildren(graph, '    ', out);
    out.push('  }');
    if (machine.root.description) note(out, '  ', 'right', rootId, machine.root.description);
  } else {
    renderChildren(graph, '  ', out);
  }
  const initial = parallel ? machine.root : machine.root.initial?.target?.[0];
  for (const edge of graph.edges) {
    const internal = !edge.transition.target;
    const anchor = internal ? initial : edge.target;
    if (!anchor) continue;
    const what = internal ? `in every state: ${edgeLabel(edge, false)}` : `from any state: ${edgeLabel(edge, false)} → ${edge.target.key}`;
    note(out, '  ', 'left', mermaidId(anchor.id), what);
  }
  return `${out.join('\n')}\n`;
}

function machineFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return machineFiles(p);
    return name.endsWith('.machine.ts') ? [p] : [];
  });
}

const isMachine = (v: unknown): v is AnyStateMachine =>
  typeof v === 'object' && v !== null && 'root' in v && 'provide' in v && typeof (v as { provide: unknown }).provide === 'function';

/** Every machine exported by a *.machine.ts file under machines/, with its source file. */
export async function loadMachines(machinesDir = join(root, 'machines')): Promise<Array<{ file: string; machine: AnyStateMachine }>> {
  const found: Array<{ file: string; machine: AnyStateMachine }> = [];
  for (const file of machineFiles(machinesDir).sort()) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (isMachine(value)) found.push({ file: relative(root, file), machine: value });
  }
  return found;
}

export interface ExportEntry {
  file: string;
  machine: AnyStateMachine;
  sample: MachineSample;
  values: SampleValues;
}

/** Every machine with its sample and the values the export carries. */
export async function exportEntries(): Promise<ExportEntry[]> {
  const samples = exportSamples();
  return (await loadMachines()).map(({ file, machine }) => {
    const sample = samples[machine.id];
    if (!sample) throw new Error(`${machine.id} (${file}) has no sample: add one to sim/tools/export-samples.ts`);
    return { file, machine, sample, values: sampleValues(machine, sample) };
  });
}

const ms = (v: number) => (v % 1000 === 0 ? `${v / 1000} s` : `${v} ms`);

/** docs/statecharts/README.md. */
export function toReadme(entries: ExportEntry[]): string {
  const rows = entries.map(({ file, machine, sample, values }) => {
    const delays = Object.entries(values.delays).map(([d, v]) => `${d} ${ms(v)}`).join(', ') || '—';
    return `| [\`${machine.id}\`](#${machine.id.toLowerCase()}) | \`${file}\` | ${sample.actor} | ${delays} |`;
  });
  const guards = entries.filter((e) => statelyParts(e.machine).guards.length > 0).length;
  const diagrams = entries.flatMap(({ machine }) => [`### ${machine.id}`, '', '```mermaid', toMermaid(machine).trimEnd(), '```', '']);
  return [
    '# Statecharts',
    '',
    'Generated by `npx tsx sim/tools/export-diagrams.ts` from the machine objects under `machines/`;',
    'do not edit. `--check` exits 1 when a file here is stale. Each machine is here twice:',
    '',
    '- `<id>.mmd`: a Mermaid `stateDiagram-v2`. Every one parses with mermaid\'s own parser',
    '  (test/machines/mermaid-export.test.ts). The same diagrams are drawn [below](#diagrams) in',
    '  `mermaid` code blocks, which GitHub renders in Markdown; the `.mmd` files themselves open in',
    '  the Mermaid live editor and in editors with a Mermaid extension.',
    '- `<id>.stately.js`: one self-contained XState v5 `createMachine(config, implementations)` call.',
    '  Paste it into Stately\'s code import or open it with the XState VS Code extension to see the',
    '  chart; every one is read back with `@xstate/machine-extractor` (Stately\'s source-code parser)',
    '  and walked with `@xstate/graph` to every state (test/machines/stately-export.test.ts). It also',
    '  runs with XState as it is, so a chart can be stepped through by event and by time.',
    '',
    'States, events, targets, delays, descriptions (with their RFC and keepalived references) and the',
    'names of guards, actions and actors are the runtime\'s own. The code behind those names stays in',
    'the source files (`setup({...})` with implementations in sibling files, which Stately\'s import',
    'cannot follow); in the export:',
    '',
    '- **context** is the initial context of one actor of the sample configuration (next section).',
    '  Actor references (a probe\'s `parent`) are left out, as the module header says.',
    '  (`@xstate/machine-extractor` 0.16.0 reads every value but negative numbers, such as the',
    '  `weight -20` of a tracked script: it drops those keys.)',
    '- **delays** have the values, in ms, that this actor arms.',
    `- **guards** (in ${guards} of the ${entries.length} machines) answer what the module's exported \`guardResults\``,
    '  table says: all `false` to start; set one to `true` to take its branch. Two guards the',
    '  runtime never has true together (syncGroup\'s `anyTrackFault` and `noTrackFault`) loop the eventless',
    '  transitions if both are set.',
    '- **actions** that are a `raise` or `cancel` with a fixed event run (the instance\'s advert and',
    '  Master_Down timers, scriptProbe\'s interval tick), so those timers behave as in the runtime.',
    '  Every other action is a name that does nothing here: the context does not change, and timers',
    '  armed by computed actions (the instance\'s skew marks, preempt_delay and gratuitous ARP delays)',
    '  are not armed; their delay values are still in the module.',
    '- **actors** invoked by a state are inert stand-ins: send the events they would send by hand',
    '  (for `runScript`, `script.exited`).',
    '',
    '## The sample configuration',
    '',
    `[sample.conf](sample.conf) is compiled with \`config/\` and planned with \`actors/vrrp/plan.ts\` as the`,
    'daemon does (`sim/tools/export-samples.ts`; the LVS inputs are built from the compiled',
    '`virtual_server` the way `docs/lvs.md` describes). Each export carries the context of one actor:',
    '',
    '| machine | source | sample actor | delays |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Stepping through a chart',
    '',
    'With XState\'s `SimulatedClock`, timers fire when the clock reaches their real values:',
    '',
    '```js',
    "import { createActor, SimulatedClock } from 'xstate';",
    "import { scriptProbe } from './docs/statecharts/scriptProbe.stately.js';",
    '',
    'const clock = new SimulatedClock();',
    'const probe = createActor(scriptProbe, { clock }).start();',
    'probe.getSnapshot().value; // { run: \'running\', schedule: \'waiting\' }',
    'clock.increment(1000);     // scriptTimeout (timeout 1): the run times out',
    'probe.getSnapshot().value; // { run: \'idle\', schedule: \'waiting\' }',
    'clock.increment(1000);     // scriptInterval (interval 2): tick, the next run starts',
    'probe.getSnapshot().value; // { run: \'running\', schedule: \'waiting\' }',
    '```',
    '',
    'In Stately, the same module shows the delays by name and steps through the chart by event.',
    '',
    '## Diagrams',
    '',
    ...diagrams,
  ].join('\n');
}

/** Every file the exporter writes, relative to docs/statecharts/, with the text it should hold. */
export async function exportFiles(): Promise<Array<{ name: string; text: string; from: string }>> {
  const entries = await exportEntries();
  const files = entries.flatMap(({ file, machine, sample, values }) => [
    { name: `${machine.id}.mmd`, text: toMermaid(machine), from: file },
    { name: `${machine.id}.stately.js`, text: toStatelyCode(machine, file, values, sample.actor), from: file },
  ]);
  files.push({ name: 'README.md', text: toReadme(entries), from: SAMPLE_CONF });
  return files;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const outDir = join(root, 'docs', 'statecharts');
  mkdirSync(outDir, { recursive: true });
  let stale = 0;
  for (const { name, text, from } of await exportFiles()) {
    const target = join(outDir, name);
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = '';
    }
    if (check) {
      if (current !== text) {
        stale++;
        console.log(`stale: ${relative(root, target)} (from ${from})`);
      }
    } else {
      writeFileSync(target, text);
      console.log(`wrote ${relative(root, target)} (from ${from})`);
    }
  }
  return stale > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
