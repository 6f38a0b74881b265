/**
 * The daemon parent's side of --web: flag checking, and the record log the children feed
 * (role tags, lifecycle records, time order across two children), served over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { watchFlagErrors, watchOptionsFrom } from '../../adapters/node/daemon/watch-flags.js';
import { DaemonWatch } from '../../adapters/node/web/daemon-watch.js';

describe('--web / --inspect flags of the daemon', () => {
  it('accepts [ADDR:]PORT, loopback unless an address is given', () => {
    expect(watchFlagErrors({ web: '8080' })).toEqual([]);
    expect(watchOptionsFrom({ web: '8080' })).toEqual({ web: { host: '127.0.0.1', port: 8080 } });
    expect(watchOptionsFrom({ web: '198.51.100.1:9000' })).toEqual({ web: { host: '198.51.100.1', port: 9000 } });
    expect(watchOptionsFrom({ inspect: true })).toEqual({ inspect: { relay: { host: '127.0.0.1', port: 8080 } } });
    expect(watchOptionsFrom({})).toBeUndefined();
  });

  it('reports a bad value clearly', () => {
    expect(watchFlagErrors({ web: 'eighty' })).toEqual([expect.stringContaining("--web wants [ADDR:]PORT")]);
    expect(watchFlagErrors({ web: '70000' })).toEqual(['--web: port 70000 is out of range (0-65535)']);
    expect(watchFlagErrors({ inspect: 'ws://' })).toEqual([expect.stringContaining('--inspect')]);
  });
});

describe('DaemonWatch', () => {
  it('keeps the children\'s records in time order, tagged with their role, and serves them', async () => {
    let now = 100;
    const w = new DaemonWatch({ name: 'lb1', web: { host: '127.0.0.1', port: 0 }, now: () => now });
    const lines = await w.start();
    try {
      expect(lines).toEqual([expect.stringMatching(/^Web view on http:\/\/127\.0\.0\.1:\d+\/$/)]);
      expect(w.childOptions()).toEqual({ feed: true });
      const url = /(http:\S+)/.exec(lines[0]!)![1]!;
      const vrrp = w.supervisorHooks('vrrp');
      vrrp.onLifecycle('start', 'pid 10');
      vrrp.onChildMessage({ type: 'feed', records: [{ t: 101, type: 'actor', host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['backup.countdown'], event: 'xstate.init' }] });
      // A batch from the other child, 20 ms older than what is kept: stamped with the last time.
      const checker = w.hostWatch('checker');
      checker.sink.record({ t: 100.98, type: 'log', host: 'lb1', level: 'info', message: 'x' });
      vrrp.onChildMessage({ type: 'feed', records: [{ t: 103, type: 'actor', host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['master.advertising'], event: 'adver.timer' }] });
      const trace = (await (await fetch(`${url}api/trace`)).text()).trim().split('\n').map((l) => JSON.parse(l) as { t: number; type: string; role?: string });
      expect(trace.map((r) => [r.t, r.type, r.role])).toEqual([
        [100, 'daemon', 'vrrp'],
        [101, 'actor', 'vrrp'],
        [101, 'daemon', 'checker'],
        [101, 'log', 'checker'],
        [103, 'actor', 'vrrp'],
      ]);
      const view = (await (await fetch(`${url}api/view`)).json()) as { actors: Array<{ actor: string; state: string[] }>; hosts: Array<{ daemon: string }> };
      expect(view.actors).toEqual([expect.objectContaining({ actor: 'vrrp/VI_1', state: ['master.advertising'] })]);
      // The VRRP child crashed: its actors are gone from the view.
      now = 104;
      vrrp.onLifecycle('crashed', 'pid 10, signal SIGKILL');
      const after = (await (await fetch(`${url}api/view`)).json()) as typeof view;
      expect(after.actors).toEqual([]);
      expect(after.hosts[0]!.daemon).toBe('down');
    } finally {
      await w.close();
    }
  });

  it('fails to start when the port is taken, and leaves nothing listening', async () => {
    const a = new DaemonWatch({ name: 'lb1', web: { host: '127.0.0.1', port: 0 } });
    const [line] = await a.start();
    const port = Number(/:(\d+)\/$/.exec(line!)![1]);
    try {
      const b = new DaemonWatch({ name: 'lb1', web: { host: '127.0.0.1', port } });
      await expect(b.start()).rejects.toThrow(/EADDRINUSE|in use/);
    } finally {
      await a.close();
    }
  });
});
