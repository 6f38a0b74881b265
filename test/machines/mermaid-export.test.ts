/**
 * docs/statecharts/<id>.mmd and the ```mermaid blocks of docs/statecharts/README.md parse with
 * mermaid's own parser (`mermaid.parse`, the same call that renders them in a browser).
 *
 * mermaid 11 runs its parser in Node, but after a successful parse it sanitises with DOMPurify,
 * which needs a DOM: jsdom provides `window` and `document` before mermaid is imported.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { loadMachines, toMermaid } from '../../sim/tools/export-diagrams.js';
import { mermaidId } from '../../sim/view/mermaid.js';

const docs = new URL('../../docs/statecharts/', import.meta.url);
const mermaidVersion = (createRequire(import.meta.url)('mermaid/package.json') as { version: string }).version;

type Mermaid = {
  parse: (text: string) => Promise<unknown>;
  mermaidAPI: { getDiagramFromText: (text: string) => Promise<{ db: { getData: () => { nodes: Array<{ id: string; parentId?: string }> } } }> };
};
let mermaid: Mermaid;

beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
  // The first parse registers the diagram types getDiagramFromText looks up.
  await mermaid.parse('stateDiagram-v2\n  a --> b\n');
});

/** Each state's composite parent as mermaid reads the text ('' at the top level), by Mermaid id. */
async function parents(text: string, states: Set<string>): Promise<Map<string, string>> {
  const nodes = (await mermaid.mermaidAPI.getDiagramFromText(text)).db.getData().nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, string>();
  for (const n of nodes) {
    if (!states.has(n.id)) continue;
    // Region dividers of a parallel state sit between a region and its parent: skip them.
    let p = n.parentId;
    while (p !== undefined && !states.has(p)) p = byId.get(p)?.parentId;
    out.set(n.id, p ?? '');
  }
  return out;
}

/** The parent every state node should have in the diagram (a parallel root is a composite of its own). */
function expectedParents(machine: AnyStateMachine): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sn: AnyStateNode): void => {
    for (const child of Object.values(sn.states) as AnyStateNode[]) {
      const parent = sn === machine.root ? (sn.type === 'parallel' ? mermaidId(sn.id) : '') : mermaidId(sn.id);
      out.set(mermaidId(child.id), parent);
      walk(child);
    }
  };
  if (machine.root.type === 'parallel') out.set(mermaidId(machine.root.id), '');
  walk(machine.root);
  return out;
}

/** The parser's verdict: 'ok' or its first error line. */
async function parse(text: string): Promise<string> {
  try {
    await mermaid.parse(text);
    return 'ok';
  } catch (e) {
    return String(e instanceof Error ? e.message : e).split('\n')[0] ?? 'error';
  }
}

describe(`Mermaid export (mermaid ${mermaidVersion})`, async () => {
  const machines = await loadMachines();

  it('is mermaid 11.17.2', () => {
    expect(mermaidVersion).toBe('11.17.2');
  });

  it('the parser rejects what the exporter used to write: a one-line note with a colon, a top-level region separator', async () => {
    expect(await parse('stateDiagram-v2\n  state a\n  note right of a : RFC 5798 §6.4.1: x\n')).toMatch(/Parse error/);
    expect(await parse('stateDiagram-v2\n  a --> b\n  --\n  c --> d\n')).toMatch(/Parse error/);
    expect(await parse('stateDiagram-v2\n  state a\n  note right of a\n    RFC 5798 §6.4.1: x\n  end note\n')).toBe('ok');
  });

  for (const { machine } of machines) {
    it(`${machine.id}.mmd parses`, async () => {
      const text = readFileSync(new URL(`${machine.id}.mmd`, docs), 'utf8');
      expect(text).toBe(toMermaid(machine));
      expect(await parse(text)).toBe('ok');
    });
  }

  for (const { machine } of machines) {
    it(`${machine.id}.mmd nests every state where the machine has it (a transition never moves a state into a composite)`, async () => {
      const want = expectedParents(machine);
      const got = await parents(toMermaid(machine), new Set(want.keys()));
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
      const live = await parents(toMermaid(machine, { notes: false, internal: false }), new Set(want.keys()));
      expect(Object.fromEntries(live)).toEqual(Object.fromEntries(want));
    });
  }

  it('scriptProbe, a parallel machine, is wrapped in one composite state with its two regions', () => {
    const text = readFileSync(new URL('scriptProbe.mmd', docs), 'utf8');
    expect(text).toContain('  state "scriptProbe" as scriptProbe {\n    state "run" as scriptProbe_run {');
    expect(text).toMatch(/\n {4}--\n {4}state "schedule" as scriptProbe_schedule \{/);
  });

  it('every ```mermaid block of docs/statecharts/README.md parses, one per machine', async () => {
    const readme = readFileSync(new URL('README.md', docs), 'utf8');
    const blocks = [...readme.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(machines.length);
    for (const block of blocks) expect(await parse(block)).toBe('ok');
  });
});
