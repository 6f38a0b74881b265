/**
 * A machine object as Mermaid `stateDiagram-v2` text (xstate/graph's toDirectedGraph), exact for
 * XState v5 and built without a network. The exports under docs/statecharts/ (sim/tools/
 * export-diagrams.ts) and the live web view (docs/web.md) both draw from this one function.
 *
 * Rendering: nested states become composite states (a parallel machine is wrapped in one, since
 * Mermaid allows `--` region separators only inside a composite); `after` events show as
 * `after <delay>`; eventless transitions as `always`; guards as `[guard]`; a targetless (internal)
 * transition as a self-loop marked `(internal)`; transitions declared on the machine root as notes
 * (they apply in every state); descriptions as notes. Notes use Mermaid's multi-line form, the only
 * one whose text may contain `:`.
 *
 * A transition is written inside the innermost composite that holds both of its ends. Mermaid
 * creates a state where it is first named, so a transition from `backup.startupHold` to `master`
 * written inside `backup { … }` would make `master` a child of `backup`.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { toDirectedGraph, type DirectedGraphEdge, type DirectedGraphNode } from 'xstate/graph';

export interface MermaidOptions {
  /** Descriptions and root-level transitions as notes (default true). */
  notes?: boolean;
  /** Targetless transitions as self-loops (default true). */
  internal?: boolean;
}

/** The Mermaid id of a state node: its XState id with every character Mermaid rejects made `_`. */
export const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
const clean = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/[;#]/g, ',').trim();
/** Note text: one line, and never Mermaid's `end note`. */
const noteText = (text: string) => clean(text).replace(/\bend(\s+)note\b/gi, 'end-note');

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

/** The innermost state node that is a proper ancestor of both `a` and `b` (the block the edge goes in). */
function blockOf(a: AnyStateNode, b: AnyStateNode): AnyStateNode | undefined {
  const above = new Set<AnyStateNode>();
  for (let n = a.parent; n; n = n.parent) above.add(n);
  for (let n = b.parent; n; n = n.parent) if (above.has(n)) return n;
  return undefined;
}

class Writer {
  readonly out: string[] = [];
  /** Edge lines by the block they belong in; `undefined` = the top level. */
  private readonly edges = new Map<AnyStateNode | undefined, string[]>();

  constructor(private readonly opts: Required<MermaidOptions>) {}

  note(indent: string, side: 'left' | 'right', id: string, text: string): void {
    if (!this.opts.notes) return;
    this.out.push(`${indent}note ${side} of ${id}`, `${indent}  ${noteText(text)}`, `${indent}end note`);
  }

  /** Collect the edges of `node`'s subtree, each under its block, in the order they are met. */
  collect(node: DirectedGraphNode): void {
    for (const child of node.children) {
      for (const edge of child.edges) {
        const internal = !edge.transition.target;
        if (internal && !this.opts.internal) continue;
        this.edge(edge.source, edge.target, `${mermaidId(edge.source.id)} --> ${mermaidId(edge.target.id)} : ${edgeLabel(edge, internal)}`);
      }
      // Eventless (`always`) transitions: toDirectedGraph leaves them out, the chart needs them.
      for (const t of child.stateNode.always ?? []) {
        const guard = guardName(t.guard);
        for (const target of t.target ?? []) {
          this.edge(child.stateNode, target, `${mermaidId(child.stateNode.id)} --> ${mermaidId(target.id)} : ${clean(`always${guard ? ` [${guard}]` : ''}`)}`);
        }
      }
      this.collect(child);
    }
  }

  private edge(source: AnyStateNode, target: AnyStateNode, line: string): void {
    let block = blockOf(source, target);
    // After a parallel state's last `--`, a line would belong to its last region: such an edge
    // (between regions) goes to the top level, which can name any state.
    if (block?.type === 'parallel') block = undefined;
    const list = this.edges.get(block) ?? [];
    list.push(line);
    this.edges.set(block, list);
  }

  edgesIn(block: AnyStateNode | undefined, indent: string): void {
    for (const line of this.edges.get(block) ?? []) this.out.push(`${indent}${line}`);
  }

  node(node: DirectedGraphNode, indent: string): void {
    const sn = node.stateNode;
    if (node.children.length === 0) {
      this.out.push(`${indent}state "${sn.key}" as ${mermaidId(sn.id)}`);
    } else {
      this.out.push(`${indent}state "${sn.key}" as ${mermaidId(sn.id)} {`);
      this.children(node, `${indent}  `);
      this.out.push(`${indent}}`);
    }
    if (sn.description) this.note(indent, 'right', mermaidId(sn.id), sn.description);
    if (sn.type === 'final') this.out.push(`${indent}${mermaidId(sn.id)} --> [*]`);
  }

  children(node: DirectedGraphNode, indent: string): void {
    const sn = node.stateNode;
    const parallel = sn.type === 'parallel';
    node.children.forEach((child, i) => {
      if (parallel && i > 0) this.out.push(`${indent}--`);
      this.node(child, indent);
    });
    if (!parallel && sn.initial?.target?.[0]) this.out.push(`${indent}[*] --> ${mermaidId(sn.initial.target[0].id)}`);
    this.edgesIn(sn, indent);
  }
}

/** Mermaid `stateDiagram-v2` text for one machine. */
export function toMermaid(machine: AnyStateMachine, options: MermaidOptions = {}): string {
  const opts: Required<MermaidOptions> = { notes: true, internal: true, ...options };
  const graph = toDirectedGraph(machine);
  const w = new Writer(opts);
  w.collect(graph);
  const out = w.out;
  out.push('stateDiagram-v2', `  %% ${machine.id}: generated by sim/tools/export-diagrams.ts from the machine object; do not edit`);
  const parallel = machine.root.type === 'parallel';
  const rootId = mermaidId(machine.root.id);
  if (parallel) {
    out.push(`  state "${machine.root.key}" as ${rootId} {`);
    w.children(graph, '    ');
    out.push('  }');
    if (machine.root.description) w.note('  ', 'right', rootId, machine.root.description);
  } else {
    w.children(graph, '  ');
  }
  w.edgesIn(undefined, '  ');
  const initial = parallel ? machine.root : machine.root.initial?.target?.[0];
  for (const edge of graph.edges) {
    const internal = !edge.transition.target;
    const anchor = internal ? initial : edge.target;
    if (!anchor) continue;
    const what = internal ? `in every state: ${edgeLabel(edge, false)}` : `from any state: ${edgeLabel(edge, false)} → ${edge.target.key}`;
    w.note('  ', 'left', mermaidId(anchor.id), what);
  }
  return `${out.join('\n')}\n`;
}
