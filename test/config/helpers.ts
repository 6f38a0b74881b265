/** Shared helpers for the config tests: an in-memory file system and access to the shared samples. */
import { SHARED_DIR } from '../helpers/shared.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileConfig, type CompileResult, type KeepalivedConfig } from '../../config/index.js';
import { scriptStatus } from '../../adapters/node/commands/check.js';
import { scriptUserLookup } from '../../adapters/linux/users.js';

/** The host keepalived runs on in the parity test: a namespace with lo, eth0 and eth1; real script files and users. */
export const PROBE_HOST = { interfaces: ['lo', 'eth0', 'eth1'], scriptStatus, scriptUser: scriptUserLookup() };

/** The model without source positions and file names, which printing cannot keep. */
export function comparable(m: KeepalivedConfig): unknown {
  return JSON.parse(JSON.stringify({ ...m, files: [] }, (k, v) => (k === 'source' ? undefined : v)));
}

export function memFs(files: Record<string, string>) {
  const dirs = new Map<string, Set<string>>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/') || '/';
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(parts[i]!);
    }
  }
  return {
    readFile: (p: string) => files[p],
    listDir: (d: string) => (dirs.has(d) ? [...dirs.get(d)!] : undefined),
  };
}

export function readText(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

export function listDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

export function compileFile(path: string, opts: Parameters<typeof compileConfig>[2] = {}): CompileResult {
  return compileConfig(path, readText, { listDir, ...opts });
}

export const SAMPLES_DIR = join(SHARED_DIR, 'corpus/keepalived-samples');
export const SEEDS_FIXTURES = join(new URL('.', import.meta.url).pathname, '../fixtures/config/seeds');

/**
 * The keepalived configuration files of the shared sample corpus, decided by content: a file is a
 * config when its first non-comment line starts a keepalived block. Left out: SOURCE.md (notes),
 * keepalived.service.d.auth_hmac.conf (a systemd drop-in: `[Service]` …).
 */
export function sampleConfigs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (isKeepalivedConfig(readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk(SAMPLES_DIR);
  return out;
}

export function isKeepalivedConfig(text: string): boolean {
  const first = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  return first !== undefined && /^(global_defs|vrrp_|virtual_server|static_|include|\$|@|track_|SSL|bfd_instance|garp_group|linkbeat_interfaces)/.test(first);
}

export function seedFixtures(): string[] {
  return readdirSync(SEEDS_FIXTURES).filter((f) => f.endsWith('.conf')).sort().map((f) => join(SEEDS_FIXTURES, f));
}
