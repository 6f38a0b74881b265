/**
 * The node flags the parent gives its VRRP and checker children (adapters/node/daemon/child-node-flags.ts):
 * the defaults, the KEEPALIVED_TS_CHILD_NODE_FLAGS override, the parent's own flags taking
 * precedence, and that node accepts the defaults and keeps the young generation small with them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CHECKER_NODE_FLAGS, CHILD_NODE_FLAGS, CHILD_NODE_FLAGS_ENV, childEnv, childExecArgv } from '../../adapters/node/daemon/child-node-flags.js';

describe('child node flags', () => {
  it('puts the defaults first, then the parent’s own node flags (made portable), so the parent’s win', () => {
    const argv = childExecArgv(['--max-semi-space-size=4', '--import', './loader.mjs'], {}, '/srv/app');
    expect(argv).toEqual([...CHILD_NODE_FLAGS, '--max-semi-space-size=4', '--import', 'file:///srv/app/loader.mjs']);
  });

  it('gives the checker child its own list (a larger young generation, no --optimize-for-size); the override covers both', () => {
    expect(childExecArgv([], {}, '/', 'checker')).toEqual([...CHECKER_NODE_FLAGS]);
    expect(CHECKER_NODE_FLAGS).not.toContain('--optimize-for-size');
    expect(childExecArgv(['--inspect'], {}, '/', 'checker')).toEqual([...CHECKER_NODE_FLAGS, '--inspect']);
    expect(childExecArgv([], { [CHILD_NODE_FLAGS_ENV]: '' }, '/', 'checker')).toEqual([]);
  });

  it('takes the list from KEEPALIVED_TS_CHILD_NODE_FLAGS when set (space separated; empty: none)', () => {
    expect(childExecArgv([], { [CHILD_NODE_FLAGS_ENV]: ' --optimize-for-size  --max-semi-space-size=2 ' })).toEqual(['--optimize-for-size', '--max-semi-space-size=2']);
    expect(childExecArgv(['--inspect'], { [CHILD_NODE_FLAGS_ENV]: '' })).toEqual(['--inspect']);
    expect(childExecArgv([], {})).toEqual([...CHILD_NODE_FLAGS]);
  });

  it('gives the VRRP child one malloc arena unless the operator chose a number; the checker child the parent’s environment', () => {
    expect(childEnv('vrrp', { PATH: '/usr/bin', LANG: 'C' })).toEqual({ PATH: '/usr/bin', LANG: 'C', MALLOC_ARENA_MAX: '1' });
    expect(childEnv('vrrp', { PATH: '/usr/bin', MALLOC_ARENA_MAX: '4' })).toBeUndefined();
    expect(childEnv('checker', { PATH: '/usr/bin' })).toBeUndefined();
  });

  it('are flags node accepts, and keep the young generation at 2 × 1 MiB under allocation', () => {
    const script = `
      const v8 = require('node:v8');
      let keep = [];
      for (let i = 0; i < 200; i++) { const a = []; for (let j = 0; j < 5000; j++) a.push({ j, s: 'x' + j }); keep.push(a[0]); }
      const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(ns.space_size));`;
    const withFlags = spawnSync(process.execPath, [...CHILD_NODE_FLAGS, '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(withFlags.stderr).toBe('');
    expect(withFlags.status).toBe(0);
    expect(Number(withFlags.stdout)).toBeLessThanOrEqual(2 * 1024 * 1024);
    // Without them the same allocation grows it past that (the test can fail).
    const without = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(Number(without.stdout)).toBeGreaterThan(2 * 1024 * 1024);
  });
});
