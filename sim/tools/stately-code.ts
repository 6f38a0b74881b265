/**
 * A statechart as a self-contained XState v5 `createMachine(config, implementations)` module, for
 * Stately: Stately's code import and the XState VS Code extension read a `createMachine` call and
 * draw it, but they cannot follow our `setup({...})` across files or run our input/context functions.
 * The module also runs as it is with XState (`createActor`, a SimulatedClock), so a chart can be
 * stepped through by event and by time.
 *
 * The config is the machine's own (`machine.config`), so states, events, targets, `after` delays,
 * descriptions and the names of guards, actions, actors and delays are exactly those the runtime
 * uses. `reenter: true` gets `internal: false` beside it: the same meaning for tools that read the
 * XState v4 key (@xstate/machine-extractor, Stately's source-code parser from xstate-tools, drops `reenter`).
 *
 * What the code behind the names does cannot be written as data, so the implementations are:
 * - context: the initial context of one actor of the sample config (sample-values.ts);
 * - delays: the values that sample arms, in ms;
 * - guards: each answers what the module's `guardResults` table says (false until set);
 * - actions: a `raise` or `cancel` with a fixed event (the instance's advert and down timers,
 *   scriptProbe's tick) is written out and runs; every other action is a name that does nothing;
 * - actors: every invoked actor is an inert stand-in; send the events it would send by hand.
 * Dynamic `params` (functions) are left out.
 */
import type { AnyStateMachine } from 'xstate';
import type { Json, SampleValues } from './sample-values.js';

/** Plain data for a machine config value, or undefined when it is a function with nothing to show. */
function configData(value: unknown): Json | undefined {
  if (typeof value === 'function') {
    const type = (value as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(configData).filter((v): v is Json => v !== undefined);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) {
      if (k === 'schemas') continue;
      const d = configData(v);
      if (d === undefined) continue;
      out[k] = d;
      if (k === 'reenter' && v === true && !('internal' in (value as object))) out['internal'] = false;
    }
    return out;
  }
  return undefined;
}

const identifier = (id: string) => id.replace(/[^A-Za-z0-9_$]/g, '_').replace(/^([0-9])/, '_$1');

/** Every value of `key` anywhere in a config tree (guard and invoke src names). */
function collect(node: Json | undefined, key: string, found: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const v of node) collect(v, key, found);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) {
        if (typeof v === 'string') found.add(v);
        else if (v && typeof v === 'object' && !Array.isArray(v) && typeof v['type'] === 'string') found.add(v['type']);
      }
      collect(v, key, found);
    }
  }
  return found;
}

/** Action names used in a config tree (strings and `{ type }` objects under entry/exit/actions). */
function actionNames(node: Json | undefined, found = new Set<string>(), inActions = false): Set<string> {
  if (typeof node === 'string' && inActions) found.add(node);
  else if (Array.isArray(node)) for (const v of node) actionNames(v, found, inActions);
  else if (node && typeof node === 'object') {
    if (inActions && typeof node['type'] === 'string') found.add(node['type']);
    for (const [k, v] of Object.entries(node)) actionNames(v, found, k === 'entry' || k === 'exit' || k === 'actions');
  }
  return found;
}

type BuiltIn = { type?: unknown; event?: unknown; id?: unknown; delay?: unknown; sendId?: unknown };
const isPlainEvent = (e: unknown): e is Record<string, Json> =>
  !!e && typeof e === 'object' && typeof (e as { type?: unknown }).type === 'string' && Object.values(e).every((v) => typeof v !== 'function' && typeof v !== 'object');

/** Source text for an action that is a raise/cancel with fixed arguments, else undefined. */
export function builtInActionCode(impl: unknown): string | undefined {
  if (typeof impl !== 'function') return undefined;
  const a = impl as BuiltIn;
  if (a.type === 'xstate.raise' && isPlainEvent(a.event)) {
    const opts: string[] = [];
    if (typeof a.id === 'string') opts.push(`id: ${JSON.stringify(a.id)}`);
    if (typeof a.delay === 'string' || typeof a.delay === 'number') opts.push(`delay: ${JSON.stringify(a.delay)}`);
    else if (a.delay !== undefined) return undefined;
    return `raise(${JSON.stringify(a.event)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`;
  }
  if (a.type === 'xstate.cancel' && typeof a.sendId === 'string') return `cancel(${JSON.stringify(a.sendId)})`;
  return undefined;
}

export interface StatelyParts {
  guards: string[];
  actors: string[];
  /** Action name → code, for the raise/cancel actions that run. */
  actions: Record<string, string>;
}

/** The names the module implements, from the machine's config and implementations. */
export function statelyParts(machine: AnyStateMachine): StatelyParts {
  const config = configData(machine.config);
  const impls = (machine.implementations.actions ?? {}) as Record<string, unknown>;
  const actions: Record<string, string> = {};
  for (const name of [...actionNames(config)].sort()) {
    const code = builtInActionCode(impls[name]);
    if (code) actions[name] = code;
  }
  return { guards: [...collect(config, 'guard', new Set())].sort(), actors: [...collect(config, 'src', new Set())].sort(), actions };
}

const key = (name: string) => JSON.stringify(name);

function hasAlways(machine: AnyStateMachine): boolean {
  const walk = (node: { always?: unknown[]; states?: Record<string, unknown> }): boolean =>
    (node.always?.length ?? 0) > 0 || Object.values(node.states ?? {}).some((s) => walk(s as typeof node));
  return walk(machine.root as never);
}

/** The module text; `source` is the file the machine comes from, `actor` which actor of the sample it is. */
export function toStatelyCode(machine: AnyStateMachine, source: string, values: SampleValues, actor: string): string {
  const config = configData(machine.config) as { [key: string]: Json };
  const parts = statelyParts(machine);
  const name = identifier(machine.id);
  const withContext = { ...config, context: values.context };
  const imports = ['createMachine'];
  if (Object.values(parts.actions).some((c) => c.startsWith('cancel('))) imports.push('cancel');
  if (parts.actors.length > 0) imports.push('fromCallback');
  if (Object.values(parts.actions).some((c) => c.startsWith('raise('))) imports.push('raise');

  const impl: string[] = [];
  const section = (title: string, rows: string[]) => {
    if (rows.length > 0) impl.push(`  ${title}: {\n${rows.map((r) => `    ${r},`).join('\n')}\n  },`);
  };
  section('delays', Object.entries(values.delays).map(([d, ms]) => `${key(d)}: ${ms}`));
  section('guards', parts.guards.map((g) => `${key(g)}: () => guardResults[${key(g)}]`));
  section('actions', Object.entries(parts.actions).map(([a, code]) => `${key(a)}: ${code}`));
  section('actors', parts.actors.map((a) => `${key(a)}: fromCallback(() => {})`));

  const omitted = values.omitted.length > 0 ? ` Left out: ${values.omitted.join(', ')} (an actor reference).` : '';
  const running = Object.keys(parts.actions);
  const list = (names: string[]) => names.join(', ');
  const lines = [
    `// ${machine.id}: generated by sim/tools/export-diagrams.ts from ${source}; do not edit.`,
    '// Paste into Stately (code import) or open with the XState VS Code extension to see and walk the',
    `// statechart, or run it: createActor(${name}, { clock: new SimulatedClock() }).start().`,
    '// States, events, targets, delays, descriptions and the names of guards, actions and actors are the',
    "// runtime's; the code behind the names stays in the source file. Here:",
    `// - context: the initial context of ${actor}; the sample is docs/statecharts/sample.conf.${omitted}`,
    ...(Object.keys(values.delays).length > 0 ? ['// - delays: the values in ms that this sample arms.'] : []),
    ...(parts.guards.length > 0
      ? [
          '// - guards: each answers what `guardResults` says (all false to start); set one to true to take',
          '//   its branch.',
          ...(hasAlways(machine)
            ? ['//   Two guards the runtime never has true together can loop the eventless transitions if both are set.']
            : []),
        ]
      : []),
    running.length > 0
      ? `// - actions: ${list(running)} (a raise or cancel with a fixed event) ${running.length > 1 ? 'run' : 'runs'}; the others are names only.`
      : '// - actions: names only; they do nothing here.',
    ...(parts.actors.length > 0
      ? [`// - actors: ${list(parts.actors)} ${parts.actors.length > 1 ? 'are inert stand-ins' : 'is an inert stand-in'}; send the events ${parts.actors.length > 1 ? 'they' : 'it'} would send by hand.`]
      : []),
    `import { ${imports.sort().join(', ')} } from 'xstate';`,
    '',
  ];
  if (parts.guards.length > 0) {
    lines.push(
      'export const guardResults = {',
      ...parts.guards.map((g) => `  ${key(g)}: false,`),
      '};',
      '',
    );
  }
  lines.push(`export const ${name} = createMachine(${JSON.stringify(withContext, null, 2)}, {`, ...impl, '});', '');
  return lines.join('\n');
}
