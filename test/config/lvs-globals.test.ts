/** The global keywords the IPVS backend acts on: lvs_flush_on_stop, lvs_timeouts, lvs_sync_daemon. */
import { describe, expect, it } from 'vitest';
import { compileText, printConfig } from '../../config/index.js';

const compile = (body: string) => {
  const r = compileText(`global_defs {\n${body}\n}\n`);
  return { g: r.model.globalDefs, errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message) };
};

describe('LVS global keywords', () => {
  it('lvs_flush_on_stop and its alias, with and without VS', () => {
    expect(compile('lvs_flush_on_stop').g.lvsFlushOnStop).toBe('full');
    expect(compile('lvs_flush_onstop VS').g.lvsFlushOnStop).toBe('vs');
    const bad = compile('lvs_flush_on_stop RS');
    expect(bad.g.lvsFlushOnStop).toBeUndefined();
    expect(bad.errors).toEqual(['Unknown lvs_flush_on_stop type RS']);
  });

  it('lvs_timeouts keeps the good parts and names the bad ones as keepalived does', () => {
    expect(compile('lvs_timeouts tcp 7200 tcpfin 120 udp 300').g.lvsTimeouts).toEqual({ tcp: 7200, tcpFin: 120, udp: 300 });
    const r = compile('lvs_timeouts tcp 9999999 udp 60 bogus 1');
    expect(r.g.lvsTimeouts).toEqual({ udp: 60 });
    expect(r.errors).toEqual(['Invalid lvs_timeout tcp (9999999) - ignoring', 'Unknown option bogus specified for lvs_timeouts', 'Unknown option 1 specified for lvs_timeouts']);
    expect(compile('lvs_timeouts tcp').errors).toEqual(['lvs_timeouts requires at least one option']);
  });

  it('lvs_sync_daemon with every option, and the old positional form', () => {
    expect(compile('lvs_sync_daemon ipg08a id 5 maxlen 1400 port 8848 ttl 2').g.lvsSyncDaemon).toEqual({ interface: 'ipg08a', syncId: 5, maxlen: 1400, port: 8848, ttl: 2 });
    expect(compile('lvs_sync_daemon eth0 inst VI_1 group 224.0.0.81').g.lvsSyncDaemon).toEqual({ interface: 'eth0', instance: 'VI_1', group: '224.0.0.81' });
    const old = compile('lvs_sync_daemon eth0 VI_1 7');
    expect(old.g.lvsSyncDaemon).toEqual({ interface: 'eth0', instance: 'VI_1', syncId: 7 });
    expect(old.errors).toEqual(['Please use keyword "id" before lvs_sync_daemon SYNCID']);
    const bad = compile('lvs_sync_daemon eth0 group 198.51.100.1 ttl 0');
    expect(bad.g.lvsSyncDaemon).toEqual({ interface: 'eth0' });
    expect(bad.errors).toEqual(['lvs_sync_daemon group address 198.51.100.1 is not multicast - ignoring', 'Invalid lvs_sync_daemon ttl (0) - ignoring']);
    expect(compile('lvs_sync_daemon').errors).toEqual(['lvs_sync_daemon requires interface']);
  });

  it('prints back to the same values', () => {
    const text = 'lvs_flush\nlvs_flush_on_stop VS\nlvs_timeouts tcp 7200 udp 60\nlvs_sync_daemon eth0 inst VI_1 id 3 port 8848 group ff02::1:81';
    const first = compileText(`global_defs {\n${text}\n}\n`).model;
    const again = compileText(printConfig(first)).model;
    for (const k of ['lvsFlush', 'lvsFlushOnStop', 'lvsTimeouts', 'lvsSyncDaemon'] as const) expect(again.globalDefs[k]).toEqual(first.globalDefs[k]);
    expect(first.globalDefs.other).toEqual({});
  });
});
