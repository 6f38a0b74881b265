/** What the nftables backend refuses, and that each refusal names the alternative. */
import { describe, expect, it } from 'vitest';
import { nftRefusal, nftRefusalDiagnostics, nftRefusalForService, nftRefusalOf } from '../../actors/lvs/nft-refusal.js';
import type { LbService } from '../../actors/lvs/lb-port.js';
import { compileText } from '../../config/index.js';

const svc = (over: Partial<LbService> = {}): LbService => ({ family: 4, protocol: 'tcp', address: '203.0.113.10', port: 80, scheduler: 'rr', flags: [], persistenceTimeoutS: 0, ...over });

describe('nftables refusals', () => {
  it('accepts the schedulers nftables can do, with NAT', () => {
    for (const scheduler of ['rr', 'wrr', 'sh', 'dh', 'mh', 'fo']) expect(nftRefusalForService(svc({ scheduler }), ['NAT'])).toBeUndefined();
    expect(nftRefusalForService(svc({ scheduler: 'sh', flags: ['sh-port', 'sh-fallback'] }), ['NAT'])).toBeUndefined();
  });

  it('refuses connection-counting schedulers and names the nearest one it can do', () => {
    expect(nftRefusalForService(svc({ scheduler: 'wlc' }), ['NAT'])).toBe(
      'lvs_sched wlc needs IPVS (it counts each real server\'s connections); nftables can do rr, wrr, sh, dh, mh, fo: use wrr',
    );
    expect(nftRefusalForService(svc({ scheduler: 'lc' }), [])).toMatch(/: use rr$/);
    expect(nftRefusalForService(svc({ scheduler: 'lblcr' }), [])).toMatch(/: use dh$/);
    for (const s of ['sed', 'nq', 'twos']) expect(nftRefusalForService(svc({ scheduler: s }), [])).toMatch(/: use wrr$/);
    expect(nftRefusalForService(svc({ scheduler: 'ovf' }), [])).toMatch(/: use fo$/);
    expect(nftRefusalForService(svc({ scheduler: 'bogus' }), [])).toBe('lvs_sched bogus is not a scheduler nftables can do; nftables can do rr, wrr, sh, dh, mh, fo');
  });

  it('refuses DR and TUN, persistence, persistence engines, ops and thresholds', () => {
    expect(nftRefusalForService(svc(), ['NAT', 'DR'])).toMatch(/^lvs_method DR needs IPVS; nftables can only forward by NAT \(DNAT\): use lvs_method NAT/);
    expect(nftRefusalForService(svc(), ['TUN'])).toMatch(/^lvs_method TUN needs IPVS/);
    expect(nftRefusalForService(svc({ persistenceTimeoutS: 300 }), ['NAT'])).toMatch(/^persistence_timeout needs IPVS .*use lvs_sched sh/);
    expect(nftRefusalForService(svc({ pe: 'sip' }), ['NAT'])).toMatch(/^persistence_engine sip needs IPVS/);
    expect(nftRefusalForService(svc({ protocol: 'udp', flags: ['ops'] }), ['NAT'])).toMatch(/^ops \(one-packet scheduling\) needs IPVS/);
    expect(nftRefusalOf({ scheduler: 'rr', methods: ['NAT'], persistenceTimeoutS: 0, flags: [], thresholds: true })).toMatch(/^uthreshold\/lthreshold need IPVS/);
  });

  it('decides on a configured virtual server the same way (for check)', () => {
    const conf = (body: string) =>
      compileText(`virtual_server 203.0.113.10 80 {\n protocol TCP\n${body}\n real_server 198.51.100.21 8080 {\n  weight 1\n }\n real_server 198.51.100.22 8080 {\n  lvs_method DR\n }\n}\n`).model.virtualServers[0]!;
    expect(nftRefusal(conf(' lvs_sched wrr\n lvs_method NAT'))).toMatch(/^lvs_method DR needs IPVS/);
    const natOnly = (body: string) => compileText(`virtual_server 203.0.113.10 80 {\n protocol TCP\n${body}\n real_server 198.51.100.21 8080 {\n  weight 1\n }\n}\n`).model.virtualServers[0]!;
    expect(nftRefusal(natOnly(' lvs_sched wrr\n lvs_method NAT'))).toBeUndefined();
    expect(nftRefusal(natOnly(' lvs_method NAT'))).toMatch(/^lvs_sched wlc needs IPVS .*: use wrr$/); // keepalived's default scheduler
    expect(nftRefusal(natOnly(' lvs_sched sh\n lvs_method NAT\n persistence_timeout 60'))).toMatch(/^persistence_timeout needs IPVS/);
  });

  it('gives check one lint warning per refused virtual server, at its line', () => {
    const m = compileText(
      'virtual_server 203.0.113.10 80 {\n protocol TCP\n lvs_sched wrr\n lvs_method NAT\n real_server 198.51.100.21 8080 {\n }\n}\n' +
        'virtual_server fwmark 7 {\n lvs_sched lc\n lvs_method NAT\n real_server 198.51.100.21 {\n }\n}\n',
      'lb.conf',
    ).model;
    expect(nftRefusalDiagnostics(m.virtualServers)).toEqual([
      {
        file: 'lb.conf',
        line: 8,
        column: 1,
        severity: 'warning',
        kind: 'lint',
        message:
          "virtual_server fwmark 7: this host has no IPVS, and the nftables backend cannot carry it: lvs_sched lc needs IPVS (it counts each real server's connections); nftables can do rr, wrr, sh, dh, mh, fo: use rr",
        fix: 'change the virtual server as the message says, or run on a kernel with IPVS: modprobe ip_vs',
      },
    ]);
  });
});
