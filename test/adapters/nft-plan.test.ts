/** The nftables backend's pure half: rules, batches, the kernel diff, and reading a listing back. */
import { describe, expect, it } from 'vitest';
import type { LbDestination, LbService } from '../../actors/lvs/lb-port.js';
import { chainName, emptyKernelTable, serviceKey, type DesiredService } from '../../adapters/linux/nft/model.js';
import { parseTable } from '../../adapters/linux/nft/parse.js';
import { planFamily } from '../../adapters/linux/nft/plan.js';
import { JHASH_SEED, serviceRule } from '../../adapters/linux/nft/rule.js';

const svc = (over: Partial<LbService> = {}): LbService => ({ family: 4, protocol: 'tcp', address: '203.0.113.10', port: 80, scheduler: 'rr', flags: [], persistenceTimeoutS: 0, ...over });
const dest = (address: string, weight = 1, port = 8080): LbDestination => ({ family: address.includes(':') ? 6 : 4, address, port, method: 'NAT', weight, upperThreshold: 0, lowerThreshold: 0 });
const desired = (service: LbService, dests: LbDestination[]): DesiredService => ({ key: serviceKey(service), service, dests });
const opts = { table: 'keepalived_ts', masquerade: false };

describe('service rules', () => {
  it('rr: numgen over one slot per live server, address and port', () => {
    const r = serviceRule(desired(svc(), [dest('198.51.100.21'), dest('198.51.100.22', 0), dest('198.51.100.23')]), undefined);
    expect(r.expr).toEqual([
      { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'tcp' } },
      {
        dnat: {
          family: 'ip',
          addr: {
            map: {
              key: { numgen: { mode: 'inc', mod: 2, offset: 0 } },
              data: { set: [[0, { concat: ['198.51.100.21', 8080] }], [1, { concat: ['198.51.100.23', 8080] }]] },
            },
          },
        },
      },
    ]);
    expect(r.comment).toBe(`keepalived-ts rr ${r.hash}`);
  });

  it('sh with sh-port hashes source address and port over 256 slots; IPv6 uses ip6', () => {
    const r = serviceRule(desired(svc({ family: 6, address: '2001:db8::10', scheduler: 'sh', flags: ['sh-port'] }), [dest('2001:db8::21'), dest('2001:db8::22')]), undefined);
    const dnat = (r.expr[1] as { dnat: { family: string; addr: { map: { key: unknown; data: { set: unknown[] } } } } }).dnat;
    expect(dnat.family).toBe('ip6');
    expect(dnat.addr.map.key).toEqual({
      jhash: { mod: 256, seed: JHASH_SEED, expr: { concat: [{ payload: { protocol: 'ip6', field: 'saddr' } }, { payload: { protocol: 'th', field: 'sport' } }] } },
    });
    expect(dnat.addr.map.data.set).toHaveLength(256);
  });

  it('fwmark services rewrite the address only; dh hashes the destination; fo keeps one slot', () => {
    const fw = serviceRule(desired(svc({ address: undefined, protocol: undefined, port: undefined, fwmark: 7, scheduler: 'dh' }), [{ ...dest('198.51.100.21'), port: 0 }]), undefined);
    expect(fw.expr).toHaveLength(1);
    const map = (fw.expr[0] as { dnat: { addr: { map: { key: { jhash: { expr: unknown } }; data: { set: unknown[][] } } } } }).dnat.addr.map;
    expect(map.key.jhash.expr).toEqual({ payload: { protocol: 'ip', field: 'daddr' } });
    expect(map.data.set[0]).toEqual([0, '198.51.100.21']);
    const fo = serviceRule(desired(svc({ scheduler: 'fo' }), [dest('198.51.100.21', 2), dest('198.51.100.22', 5)]), undefined);
    expect(fo.slots).toEqual(['198.51.100.22|8080']);
  });

  it('with no live server the rule rejects (ICMP port unreachable, as IPVS)', () => {
    expect(serviceRule(desired(svc(), [dest('198.51.100.21', 0)]), undefined).expr).toEqual([{ reject: { type: 'icmp', expr: 'port-unreachable' } }]);
    expect(serviceRule(desired(svc({ family: 6, address: '2001:db8::10' }), []), undefined).expr).toEqual([{ reject: { type: 'icmpv6', expr: 'port-unreachable' } }]);
  });

  it('the hash changes with the rule and only with it', () => {
    const a = serviceRule(desired(svc({ scheduler: 'wrr' }), [dest('198.51.100.21', 1), dest('198.51.100.22', 2)]), undefined);
    const b = serviceRule(desired(svc({ scheduler: 'wrr' }), [dest('198.51.100.21', 1), dest('198.51.100.22', 2)]), undefined);
    const c = serviceRule(desired(svc({ scheduler: 'wrr' }), [dest('198.51.100.21', 1), dest('198.51.100.22', 3)]), undefined);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });
});

describe('planning a batch', () => {
  const web = desired(svc(), [dest('198.51.100.21'), dest('198.51.100.22')]);

  it('into an empty kernel: base chains and maps, then the service, dispatched from @services', () => {
    const p = planFamily({ family: 4, desired: [web], removed: new Map(), kernel: emptyKernelTable(4), touched: 'all', options: opts });
    const kinds = p.cmds.map((c) => `${Object.keys(c)[0]} ${Object.keys(Object.values(c)[0] as object)[0]}`);
    expect(kinds.slice(0, 3)).toEqual(['add table', 'add map', 'add map']);
    expect(kinds.slice(-4)).toEqual(['add chain', 'add element', 'flush chain', 'add rule']);
    expect(JSON.stringify(p.cmds)).toContain('"elem":[[{"concat":["203.0.113.10","tcp",80]},{"goto":{"target":"vs_tcp_203.0.113.10_80"}}]]');
    expect(p.next.present).toBe(true);
    expect(p.next.services.get(web.key)?.slots).toEqual(['198.51.100.21|8080', '198.51.100.22|8080']);
    // Nothing for the other family, and no table created there.
    expect(planFamily({ family: 6, desired: [web], removed: new Map(), kernel: emptyKernelTable(6), touched: 'all', options: opts }).cmds).toEqual([]);
  });

  it('nothing when the kernel already holds the same rule; one service rewritten when it differs', () => {
    const first = planFamily({ family: 4, desired: [web], removed: new Map(), kernel: emptyKernelTable(4), touched: 'all', options: opts });
    expect(planFamily({ family: 4, desired: [web], removed: new Map(), kernel: first.next, touched: 'all', options: opts }).cmds).toEqual([]);
    const changed = { ...web, dests: [dest('198.51.100.21')] };
    const p = planFamily({ family: 4, desired: [changed], removed: new Map(), kernel: first.next, touched: new Set([web.key]), options: opts });
    expect(p.cmds).toHaveLength(4);
  });

  it('removing a service: add-then-delete element and chain (idempotent whatever the kernel holds)', () => {
    const first = planFamily({ family: 4, desired: [web], removed: new Map(), kernel: emptyKernelTable(4), touched: 'all', options: opts });
    const p = planFamily({ family: 4, desired: [], removed: new Map([[web.key, web.service]]), kernel: first.next, touched: new Set([web.key]), options: opts });
    expect(p.cmds.map((c) => Object.keys(c)[0])).toEqual(['add', 'add', 'delete', 'flush', 'delete']);
    expect(p.next.services.size).toBe(0);
  });

  it('masquerade adds a postrouting chain and keeps the VIP set in step', () => {
    const m = { ...opts, masquerade: true };
    const p = planFamily({ family: 4, desired: [web], removed: new Map(), kernel: emptyKernelTable(4), touched: 'all', options: m });
    const text = JSON.stringify(p.cmds);
    expect(text).toContain('"hook":"postrouting"');
    expect(text).toContain('{"masquerade":null}');
    expect(text).toContain('{"add":{"element":{"family":"ip","table":"keepalived_ts","name":"vips","elem":["203.0.113.10"]}}}');
    expect([...p.next.vips]).toEqual(['203.0.113.10']);
  });

  it('sh keeps the kernel\'s slots for clients of surviving servers', () => {
    const three = desired(svc({ scheduler: 'sh' }), [dest('198.51.100.21'), dest('198.51.100.22'), dest('198.51.100.23')]);
    const first = planFamily({ family: 4, desired: [three], removed: new Map(), kernel: emptyKernelTable(4), touched: 'all', options: opts });
    const before = first.next.services.get(three.key)!.slots;
    const two = { ...three, dests: three.dests.filter((d) => d.address !== '198.51.100.22') };
    const after = planFamily({ family: 4, desired: [two], removed: new Map(), kernel: first.next, touched: new Set([three.key]), options: opts }).next.services.get(three.key)!.slots;
    before.forEach((k, i) => {
      if (k !== '198.51.100.22|8080') expect(after[i]).toBe(k);
    });
  });
});

describe('reading a listing back', () => {
  it('finds services through the dispatch maps, with their hash and slots', () => {
    const r = serviceRule(desired(svc(), [dest('198.51.100.21'), dest('198.51.100.22')]), undefined);
    const listing = {
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'ip', name: 'keepalived_ts', handle: 1 } },
        { map: { family: 'ip', name: 'services', table: 'keepalived_ts', type: ['ipv4_addr', 'inet_proto', 'inet_service'], map: 'verdict', elem: [[{ concat: ['203.0.113.10', 'tcp', 80] }, { goto: { target: 'vs_tcp_203.0.113.10_80' } }]] } },
        { map: { family: 'ip', name: 'fwmarks', table: 'keepalived_ts', type: 'mark', map: 'verdict', elem: [[7, { goto: { target: 'vs_fwm_7' } }]] } },
        { chain: { family: 'ip', table: 'keepalived_ts', name: 'vs_tcp_203.0.113.10_80' } },
        { rule: { family: 'ip', table: 'keepalived_ts', chain: 'vs_tcp_203.0.113.10_80', comment: r.comment, expr: r.expr } },
        { chain: { family: 'ip', table: 'keepalived_ts', name: 'vs_fwm_7' } },
        { rule: { family: 'ip', table: 'keepalived_ts', chain: 'vs_fwm_7', expr: [{ drop: null }] } },
      ],
    };
    const t = parseTable(4, listing);
    expect(t.present).toBe(true);
    expect(t.baseHash).toBe(''); // base chains missing: rewritten on reconcile
    const web = t.services.get('4/tcp/203.0.113.10/80')!;
    expect(web).toMatchObject({ chain: 'vs_tcp_203.0.113.10_80', hash: r.hash, scheduler: 'rr', slots: ['198.51.100.21|8080', '198.51.100.22|8080'] });
    expect(t.services.get('4/fwmark/7')).toMatchObject({ hash: '', fwmark: 7 });
    expect(parseTable(4, { nftables: [] }).present).toBe(false);
    expect(parseTable(4, 'garbage').services.size).toBe(0);
  });

  it('chain names are readable and distinct per service', () => {
    expect(chainName(svc())).toBe('vs_tcp_203.0.113.10_80');
    expect(chainName(svc({ protocol: 'udp', address: '2001:db8::10', port: 53 }))).toBe('vs_udp_2001.db8..10_53');
    expect(chainName({ fwmark: 1000 })).toBe('vs_fwm_1000');
  });
});
