/**
 * Runs the `nft` program: one batch per call (`nft -j -f FILE`, so the kernel applies it as one
 * atomic netlink transaction: all of it or none), or a listing (`nft -j list table …`). An argv
 * array, never a shell. The batch goes through a private temporary file rather than stdin: nft
 * 1.0.6 opens "/dev/stdin" by name for `-f -`, which fails (ENXIO) on the socket Node gives a
 * child as stdin. Optionally inside a network namespace (keepalived's net_namespace, or a
 * test's). Callback style; errors are strings, never thrown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFile } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Family } from '../../../actors/ports.js';
import { errorText } from '../native.js';
import { inNetns } from '../netns.js';
import { nftFamily, type NftCommand } from './batch.js';

export interface NftRunnerOptions {
  /** The nft program; default /usr/sbin/nft (or `nft` on PATH). */
  nft?: string;
  /** Network namespace to run in. */
  netns?: string;
  /** Per invocation; default 30 s. */
  timeoutMs?: number;
}

export interface NftRunner {
  /** Apply commands as one atomic batch. */
  apply(cmds: NftCommand[], done: (error: string | undefined) => void): void;
  /** `nft -j list table`; a missing table is an empty listing, not an error. */
  list(family: Family, table: string, done: (error: string | undefined, listing?: unknown) => void): void;
  /** Kill whatever nft is still running (we started it). */
  close(): void;
}

function defaultNft(): string {
  for (const p of ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft']) if (existsSync(p)) return p;
  return 'nft';
}

/** nft's stderr boiled down to its first message lines (it echoes the input and carets after). */
function nftError(stderr: string, code: number | null, signal: string | null): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^[\s^~]+$/.test(l));
  const msg = lines.filter((l) => /Error:/.test(l)).map((l) => l.replace(/^.*?Error:\s*/, '')).slice(0, 3).join('; ') || lines[0] || '';
  return `nft ${signal ? `killed by ${signal}` : `exit ${code}`}${msg ? `: ${msg}` : ''}`;
}

export function createNftRunner(opts: NftRunnerOptions = {}): NftRunner {
  const nft = opts.nft ?? defaultNft();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const live = new Set<ChildProcess>();
  let dir: string | undefined;
  let serial = 0;

  const run = (args: string[], done: (code: number | null, stdout: string, error: string | undefined) => void): void => {
    let child: ChildProcess;
    try {
      child = inNetns(opts.netns, () => spawn(nft, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    } catch (e) {
      setImmediate(() => done(null, '', `cannot run ${nft}: ${errorText(e)}`));
      return;
    }
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let finished = false;
    const finish = (code: number | null, error: string | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      live.delete(child);
      done(code, Buffer.concat(out).toString(), error);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(null, `nft did not finish within ${timeoutMs} ms`);
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e) =>
      finish(null, (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${nft} not found: install nftables (the nft program)` : `cannot run ${nft}: ${errorText(e)}`),
    );
    child.once('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString();
      finish(code, code === 0 ? undefined : nftError(stderr, code, signal));
    });
  };

  return {
    apply(cmds, done) {
      let file: string;
      try {
        dir ??= mkdtempSync(join(tmpdir(), 'keepalived-ts-nft-'));
        file = join(dir, `batch-${++serial}.json`);
      } catch (e) {
        setImmediate(() => done(`cannot create a temporary file for nft: ${errorText(e)}`));
        return;
      }
      writeFile(file, JSON.stringify({ nftables: cmds }), { mode: 0o600 }, (e) => {
        if (e) return done(`cannot write ${file}: ${errorText(e)}`);
        run(['-j', '-f', file], (_code, _out, error) => {
          rmSync(file, { force: true });
          done(error);
        });
      });
    },
    list(family, table, done) {
      run(['-j', 'list', 'table', nftFamily(family), table], (_code, out, error) => {
        if (error) return /No such file or directory/.test(error) ? done(undefined, { nftables: [] }) : done(error);
        try {
          done(undefined, JSON.parse(out) as unknown);
        } catch (e) {
          done(`nft printed JSON we cannot read: ${errorText(e)}`);
        }
      });
    },
    close() {
      for (const c of live) c.kill('SIGKILL');
      live.clear();
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
