/**
 * `--web [ADDR:]PORT` and `--inspect[=TARGET]` of the daemon, checked (pure): runDaemon reports
 * a bad value as a usage error before anything starts; the parent builds its DaemonWatch from it.
 */
import { parseListenAddress, type ListenAddress } from '../listen-address.js';
import { parseInspectTarget, type InspectTarget } from '../web/inspect-target.js';
import type { DaemonFlags } from './flags.js';

export interface WatchFlagOptions {
  web?: ListenAddress;
  inspect?: InspectTarget;
}

/** The errors in --web / --inspect (empty when both are absent or valid). */
export function watchFlagErrors(flags: Pick<DaemonFlags, 'web' | 'inspect'>): string[] {
  const errors: string[] = [];
  if (flags.web !== undefined) {
    const a = parseListenAddress(flags.web, '--web');
    if ('error' in a) errors.push(a.error);
  }
  if (flags.inspect !== undefined) {
    const t = parseInspectTarget(flags.inspect);
    if ('error' in t) errors.push(t.error);
  }
  return errors;
}

/** What to watch, or undefined without --web and --inspect (call watchFlagErrors first). */
export function watchOptionsFrom(flags: Pick<DaemonFlags, 'web' | 'inspect'>): WatchFlagOptions | undefined {
  if (flags.web === undefined && flags.inspect === undefined) return undefined;
  const out: WatchFlagOptions = {};
  if (flags.web !== undefined) {
    const a = parseListenAddress(flags.web, '--web');
    if (!('error' in a)) out.web = a;
  }
  if (flags.inspect !== undefined) {
    const t = parseInspectTarget(flags.inspect);
    if (!('error' in t)) out.inspect = t;
  }
  return out;
}
