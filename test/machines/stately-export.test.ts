/**
 * docs/statecharts/<id>.stately.js, the Stately-ready `createMachine` modules: each is up to date,
 * and loading it with XState gives the same states and transitions (events, guards, targets,
 * delays) as the machine the runtime runs.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { guardName, loadMachines } from '../../sim/tools/export-diagrams.js';
import { toStatelyCode } from '../../sim/tools/stately-code.js';

const docs = new URL('../../docs/statecharts/', import.meta.url);

/** Every state id and every transition as text: source, event, guard, target, internal or not. */
function shape(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: DirectedGraphNode) => {
    out.push(`state ${node.stateNode.id} ${node.stateNode.type} initial=${node.stateNode.initial?.target?.map((t) => t.id).join(',') ?? ''}`);
    for (const e of node.edges) {
      out.push(`${e.source.id} --${e.transition.eventType}[${guardName(e.transition.guard) ?? ''}]--> ${e.target.id}${e.transition.target ? '' : ' (internal)'}${e.transition.reenter ? ' reenter' : ''}`);
    }
    node.children.forEach(walk);
  };
  walk(toDirectedGraph(machine));
  return out.sort();
}

describe('Stately export', async () => {
  const machines = await loadMachines();

  it('covers every machine, one module each', () => {
    expect(machines.length).toBeGreaterThanOrEqual(11);
    expect(machines.map(({ machine }) => machine.id)).toEqual(expect.arrayContaining(['lvsChecker', 'lvsRealServer', 'lvsVirtualServer']));
    for (const { machine } of machines) expect(() => readFileSync(new URL(`${machine.id}.stately.js`, docs), 'utf8')).not.toThrow();
  });

  for (const { file, machine } of machines) {
    it(`${machine.id}: the committed module is current and draws the same chart`, async () => {
      const text = readFileSync(new URL(`${machine.id}.stately.js`, docs), 'utf8');
      expect(text).toBe(toStatelyCode(machine, file));
      const mod = (await import(pathToFileURL(new URL(`${machine.id}.stately.js`, docs).pathname).href)) as Record<string, AnyStateMachine>;
      const exported = Object.values(mod)[0]!;
      expect(exported.id).toBe(machine.id);
      const got = shape(exported);
      expect(got.length).toBeGreaterThan(3);
      expect(got).toEqual(shape(machine));
    });
  }
});
