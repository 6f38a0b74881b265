/** `vrrp_script NAME {…}`, `track_file NAME {…}` (alias vrrp_track_file), `vrrp_track_process NAME {…}`. */
import { SCRIPT_INTERVAL_DEFAULT_MS } from '../defaults.js';
import type { TrackFileConfig, TrackProcessConfig, VrrpScriptConfig } from '../model.js';
import type { Diags } from '../diag.js';
import type { Stmt } from '../tree.js';
import { checkInt, intArg, posOf, strArg, timerArg } from '../values.js';
import { restrict, table, type Cx, type Handler } from './engine.js';
import { TRACK_FILE_KEYWORDS, VRRP_SCRIPT_KEYWORDS, VRRP_TRACK_PROCESS_KEYWORDS } from './known.js';
import { parseScript, userKeywordAt } from './script.js';

/** `weight N [reverse]` with keepalived's per-kind limit. */
function weightLine(st: Stmt, cx: Cx, limit: number): { weight: number; reverse: boolean } | undefined {
  const n = intArg(st, 1, cx.d, -limit, limit, 'weight');
  if (n === undefined) return undefined;
  const r = st.words[2]?.text;
  if (r !== undefined && r !== 'reverse' && r !== 'noreverse') {
    cx.d.error(posOf(st, 2), `unknown weight option '${r}'`, 'expected reverse or noreverse');
  }
  return { weight: n, reverse: r === 'reverse' };
}

export type ScriptDraft = VrrpScriptConfig & { timeoutSet: boolean };

export function newScriptDraft(name: string, st: Stmt): ScriptDraft {
  return {
    name, source: { file: st.file, line: st.line }, intervalMs: SCRIPT_INTERVAL_DEFAULT_MS, timeoutMs: SCRIPT_INTERVAL_DEFAULT_MS,
    weight: 0, reverse: false, rise: 1, fall: 1, initFail: false, timeoutSet: false,
  };
}

const ms = (us: number) => us / 1000;

export const scriptTable = table<ScriptDraft>({
  script: (s, st, cx) => {
    const c = parseScript(st, cx.d, { allowUser: false });
    if (c) s.command = c;
  },
  interval: (s, st, cx) => {
    const us = timerArg(st, 1, cx.d, 1_000, 0xffffffff * 1000);
    if (us !== undefined) s.intervalMs = ms(us);
  },
  timeout: (s, st, cx) => {
    const us = timerArg(st, 1, cx.d, 1_000, 0xffffffff * 1000);
    if (us !== undefined) (s.timeoutMs = ms(us)), (s.timeoutSet = true);
  },
  weight: (s, st, cx) => {
    const w = weightLine(st, cx, 253);
    if (w) (s.weight = w.weight), (s.reverse = w.reverse);
  },
  rise: (s, st, cx) => {
    const n = intArg(st, 1, cx.d, 1, 0x7fffffff);
    if (n !== undefined) s.rise = n;
  },
  fall: (s, st, cx) => {
    const n = intArg(st, 1, cx.d, 1, 0x7fffffff);
    if (n !== undefined) s.fall = n;
  },
  user: (s, st, cx) => {
    const u = strArg(st, 1, cx.d, 'user');
    if (u === undefined || !s.command) return;
    s.command.user = u;
    if (st.words[2]) s.command.group = st.words[2].text;
    userKeywordAt.set(s.command, posOf(st, 1));
  },
  init_fail: (s) => void (s.initFail = true),
});
restrict(scriptTable, VRRP_SCRIPT_KEYWORDS);

export function newTrackFile(name: string, st: Stmt): TrackFileConfig {
  return { name, source: { file: st.file, line: st.line }, weight: 1, reverse: false };
}

export const trackFileTable = table<TrackFileConfig>({
  file: (f, st, cx) => {
    const p = strArg(st, 1, cx.d, 'path');
    if (p !== undefined) f.path = p;
  },
  weight: (f, st, cx) => {
    const w = weightLine(st, cx, 254);
    if (w) (f.weight = w.weight), (f.reverse = w.reverse);
  },
  init_file: (f, st, cx) => {
    let value = 0;
    let overwrite = false;
    for (let i = 1; i < st.words.length; i++) {
      const t = st.words[i]!.text;
      if (t === 'overwrite') overwrite = true;
      else value = checkInt(t, posOf(st, i), cx.d, -0x80000000, 0x7fffffff, 'init_file') ?? value;
    }
    f.initFile = { value, overwrite };
  },
});
restrict(trackFileTable, TRACK_FILE_KEYWORDS);

export function newTrackProcess(name: string, st: Stmt): TrackProcessConfig {
  return {
    name, source: { file: st.file, line: st.line }, params: [], paramMatch: 'exact', weight: 0, reverse: false,
    quorum: 1, forkDelayMs: 0, terminateDelayMs: 0, delayMs: 0, fullCommand: false,
  };
}

const delay = (key: 'forkDelayMs' | 'terminateDelayMs' | 'delayMs'): Handler<TrackProcessConfig> => (p, st, cx) => {
  const us = timerArg(st, 1, cx.d, 0, 3600e6);
  if (us !== undefined) p[key] = ms(us);
};

export const trackProcessTable = table<TrackProcessConfig>({
  process: (p, st, cx) => {
    const name = strArg(st, 1, cx.d, 'process name');
    if (name === undefined) return;
    p.process = name;
    p.params = st.words.slice(2).map((t) => t.text);
    // keepalived: parameters switch on argv[0] matching and exact parameter matching.
    if (p.params.length) (p.fullCommand = true), delete p.noParams;
  },
  param_match: (p, st, cx) => {
    const m = st.words[1]?.text;
    if (m === undefined) {
      // Bare `param_match` (keepalived 2.2.7: PARAM_MATCH_EXACT and full_command, exit 0).
      p.paramMatch = 'exact';
      p.fullCommand = true;
      if (!p.params.length) p.noParams = true;
    } else if (m === 'initial' || m === 'partial') {
      p.paramMatch = m;
      p.fullCommand = true;
      delete p.noParams;
    } else {
      cx.d.error(posOf(st, 1), `Invalid param_match type '${m}' - ignoring`, 'write param_match, param_match initial or param_match partial');
    }
  },
  weight: (p, st, cx) => {
    const w = weightLine(st, cx, 254);
    if (w) (p.weight = w.weight), (p.reverse = w.reverse);
  },
  quorum: (p, st, cx) => {
    const n = intArg(st, 1, cx.d, 1, 0xffff);
    if (n !== undefined) p.quorum = n;
  },
  quorum_max: (p, st, cx) => {
    const n = intArg(st, 1, cx.d, 0, 0xffff);
    if (n !== undefined) p.quorumMax = n;
  },
  fork_delay: delay('forkDelayMs'),
  terminate_delay: delay('terminateDelayMs'),
  delay: delay('delayMs'),
  full_command: (p) => void (p.fullCommand = true),
});
restrict(trackProcessTable, VRRP_TRACK_PROCESS_KEYWORDS);

/** Bytes of a process name the kernel keeps (TASK_COMM_LEN − 1) in /proc/PID/comm and /proc/PID/stat. */
export const COMM_MAX_BYTES = 15;

/**
 * keepalived-ts lint: without full_command (and so without parameters or param_match) keepalived
 * 2.2.7 compares `process` whole with the kernel's process name, which Linux cuts to 15 bytes, so a
 * longer name never counts a process. keepalived accepts it silently (exit 0), so this is lint.
 * `block` is the vrrp_track_process body.
 */
export function lintProcessName(p: TrackProcessConfig, block: readonly Stmt[], d: Diags): void {
  if (p.fullCommand || p.process === undefined) return;
  const bytes = new TextEncoder().encode(p.process);
  if (bytes.length <= COMM_MAX_BYTES) return;
  let st: Stmt | undefined;
  for (const s of block) if (s.words[0]!.text === 'process' && s.words.length > 1) st = s;
  if (!st) return;
  let prefix: string | undefined;
  try {
    prefix = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, COMM_MAX_BYTES));
  } catch {
    prefix = undefined; // the cut falls inside a multi-byte character: no name to write
  }
  d.lint(
    'warning',
    posOf(st, 1),
    `process name '${p.process}' is ${bytes.length} bytes: without full_command it is compared with the kernel's process name (/proc/PID/comm), which Linux cuts to ${COMM_MAX_BYTES} bytes, so it never matches`,
    prefix === undefined ? 'add full_command' : `add full_command, or use the first ${COMM_MAX_BYTES} bytes: process ${prefix}`,
  );
}
