/**
 * Where the dumps go and how they are written. keepalived writes to $TMPDIR (default /tmp);
 * global_defs `state_dump_file`, `stats_dump_file` and `json_dump_file` override the VRRP files.
 * Files are replaced whole (write to a temporary name, then rename), so an exporter never reads
 * a half-written dump; the process umask (0177 by default) makes them 0600 like keepalived's.
 */
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeepalivedConfig } from '../../../config/index.js';

export interface DumpPaths {
  parentData: string;
  vrrpData: string;
  checkerData: string;
  /** The checker child's JSON dump (ours; keepalived's checker writes none). */
  checkerJson: string;
  stats: string;
  json: string;
}

export function defaultDumpDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TMPDIR && env.TMPDIR.length > 0 ? env.TMPDIR : '/tmp';
}

export function dumpPaths(dir: string, model?: KeepalivedConfig): DumpPaths {
  const other = model?.globalDefs.other ?? {};
  const configured = (key: string): string | undefined => other[key]?.[0];
  return {
    parentData: join(dir, 'keepalived_parent.data'),
    vrrpData: configured('state_dump_file') ?? join(dir, 'keepalived.data'),
    checkerData: join(dir, 'keepalived_check.data'),
    checkerJson: join(dir, 'keepalived_check.json'),
    stats: configured('stats_dump_file') ?? join(dir, 'keepalived.stats'),
    json: configured('json_dump_file') ?? join(dir, 'keepalived.json'),
  };
}

/** Returns an error message, or undefined on success. */
export function writeDump(path: string, text: string): string | undefined {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    try {
      unlinkSync(tmp);
    } catch {
      // usually absent
    }
    // 'wx': never follow a symlink someone planted under the temporary name.
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
    return undefined;
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
    return (e as Error).message;
  }
}
