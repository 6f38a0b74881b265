/**
 * What the web view needs to draw a machine and to light up its states: the Mermaid text
 * (sim/view/mermaid.ts, the same function the exports in docs/statecharts/ use, here without
 * notes and without targetless self-loops, which change no state) and the Mermaid id of every
 * state path, so an actor's `backup.countdown` finds its box.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { guardName, mermaidId, toMermaid } from './mermaid.js';

export interface MachineDiagram {
  /** The machine id (`vrrpInstance`), as actor records name it. */
  id: string;
  mermaid: string;
  /** State path (`backup.countdown`) → Mermaid state id (`vrrpInstance_backup_countdown`). */
  states: Record<string, string>;
  /** State path → its description (RFC and keepalived references), for tooltips. */
  descriptions: Record<string, string>;
  /** Transitions declared on the machine root, which apply in every state (`track.priority`). */
  everywhere: string[];
}

export function machineDiagram(machine: AnyStateMachine): MachineDiagram {
  const states: Record<string, string> = {};
  const descriptions: Record<string, string> = {};
  const walk = (sn: AnyStateNode): void => {
    for (const child of Object.values(sn.states) as AnyStateNode[]) {
      const path = child.path.join('.');
      states[path] = mermaidId(child.id);
      if (child.description) descriptions[path] = child.description;
      walk(child);
    }
  };
  walk(machine.root);
  const everywhere = machine.root.transitions
    ? [...machine.root.transitions.values()].flat().map((t) => {
        const g = guardName(t.guard);
        return `${t.eventType}${g ? ` [${g}]` : ''}${t.target?.length ? ` → ${t.target.map((x) => x.key).join(', ')}` : ''}`;
      })
    : [];
  return { id: machine.id, mermaid: toMermaid(machine, { notes: false, internal: false }), states, descriptions, everywhere };
}
