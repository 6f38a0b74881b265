/**
 * The two daemons under comparison and how to start and kill-9 them inside a lab namespace.
 * keepalived-ts runs from dist/ (`npm run build`) when it exists, as an operator would run it;
 * otherwise through tsx, which adds start-up time but not steady-state cost.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProcess, NetnsLab } from '../../test/helpers/netns.js';

/** 'baseline': keepalived-ts built from another tree (useBaseline), run beside this one to compare two builds. */
export type ImplName = 'keepalived-ts' | 'keepalived' | 'baseline';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST_CLI = join(ROOT, 'dist/adapters/node/cli.js');
const TS_CLI = join(ROOT, 'adapters/node/cli.ts');
export const KEEPALIVED = '/usr/sbin/keepalived';

let baselineCli: string | undefined;

/** Run the 'baseline' implementation from `tree`'s dist/ (another checkout, built with npm run build). */
export function useBaseline(tree: string): string {
  const cli = join(tree, 'dist/adapters/node/cli.js');
  if (!existsSync(cli)) throw new Error(`--baseline ${tree}: no ${cli} (run npm run build there)`);
  baselineCli = cli;
  return `node ${cli}`;
}

export function oursCommand(): { argv: string[]; how: string } {
  if (existsSync(DIST_CLI)) return { argv: [process.execPath, DIST_CLI], how: `node ${DIST_CLI}` };
  return { argv: [process.execPath, '--import', 'tsx', TS_CLI], how: 'tsx adapters/node/cli.ts (no dist/: run npm run build for a fair start-up)' };
}

export interface RunningDaemon {
  proc: LabProcess;
  pidFiles: { parent: string; vrrp: string; checker: string };
  /** SIGKILL the VRRP child first, then the parent (so no parent-death hand-over can run).
   *  Returns Date.now() right after both signals. */
  kill9(): number;
  stop(): Promise<void>;
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function pidsOf(d: RunningDaemon): { parent?: number; vrrp?: number } {
  return { parent: readPid(d.pidFiles.parent), vrrp: readPid(d.pidFiles.vrrp) };
}

/** Start `impl` in `ns` with config text `conf` (files under `dir`, named by `tag`). Only the VRRP
 *  subsystem runs (-P), in the foreground, logging to the console (-n -l). */
export function startDaemon(lab: NetnsLab, ns: string, impl: ImplName, dir: string, tag: string, conf: string): RunningDaemon {
  const base = join(dir, `${impl}-${tag}`);
  const confFile = `${base}.conf`;
  writeFileSync(confFile, conf);
  const pidFiles = { parent: `${base}.pid`, vrrp: `${base}-vrrp.pid`, checker: `${base}-checkers.pid` };
  const exe = impl === 'keepalived' ? [KEEPALIVED] : impl === 'baseline' ? [process.execPath, baselineCli ?? useBaseline('')] : oursCommand().argv;
  const proc = lab.spawn(ns, [...exe, '-n', '-l', '-P', '-f', confFile, '-p', pidFiles.parent, '-r', pidFiles.vrrp, '-c', pidFiles.checker], { TMPDIR: dir });
  const d: RunningDaemon = {
    proc,
    pidFiles,
    kill9: () => {
      const { parent, vrrp } = pidsOf(d);
      for (const pid of [vrrp, parent ?? proc.child.pid]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      return Date.now();
    },
    stop: async () => {
      d.kill9();
      await proc.stop(500);
    },
  };
  return d;
}
