/** `sim --config …`: host naming, the cross-node lint, fault errors, partitions, LVS-only configs (issue 9 items 8, 9, 12). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../adapters/node/commands/sim.js';
import { nameConfigs } from '../../sim/cli/adhoc.js';

const dir = mkdtempSync(join(tmpdir(), 'ka-sim-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (prio: number, pass = 'secret') => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority ${prio}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass ${pass}
    }
    virtual_ipaddress { 198.51.100.100/24 }
}
`;

function file(path: string, text: string): string {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
  return path;
}

file('n1/keepalived.conf', node(150));
file('n2/keepalived.conf', node(100));
file('lb1.conf', node(150));
file('lb2.conf', node(100));
file('bad-pass/lb1.conf', node(150, 'secret1'));
file('bad-pass/lb2.conf', node(100, 'secret2'));
file('lvs.conf', 'virtual_server 198.51.100.50 80 {\n    lb_kind DR\n    protocol TCP\n    real_server 198.51.100.21 80 {\n        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n}\n');

async function sim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sim --config host names (item 8)', () => {
  it('two keepalived.conf files in two folders are two hosts named after their folders', async () => {
    const r = await sim(['--config', 'n1/keepalived.conf', '--config', 'n2/keepalived.conf', '--until', '10s']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('n1 + n2 (from --config)');
    expect(r.out).toMatch(/n1\s+daemon start/);
    expect(r.out).toMatch(/n2\s+daemon start/);
    expect(r.out).toMatch(/n1\/VI_1\s+BACKUP → MASTER/);
  });

  it('--config NAME=PATH names a host; a name two hosts would share is an error', async () => {
    const named = await sim(['--config', 'east=n1/keepalived.conf', '--config', 'west=n2/keepalived.conf', '--until', '10s', '--fault', '5s crash west']);
    expect(named.code).toBe(0);
    expect(named.out).toContain('east + west (from --config)');
    expect(named.out).toContain('⚡ fault        crash west');
    const clash = await sim(['--config', 'lb1.conf', '--config', 'lb1=n2/keepalived.conf']);
    expect(clash.code).toBe(2);
    expect(clash.err).toBe('--config lb1.conf and --config lb1=n2/keepalived.conf would both be host "lb1": give one of them another name with --config NAME=PATH');
  });

  it('names: file name, folder for keepalived.conf or a shared file name, explicit NAME=', () => {
    expect(nameConfigs(['lb1.conf', '/etc/lb2.conf'])).toEqual([
      { name: 'lb1', path: 'lb1.conf' },
      { name: 'lb2', path: '/etc/lb2.conf' },
    ]);
    expect(nameConfigs(['a/x.conf', 'b/x.conf', 'c/y.conf'])).toEqual([
      { name: 'a', path: 'a/x.conf' },
      { name: 'b', path: 'b/x.conf' },
      { name: 'y', path: 'c/y.conf' },
    ]);
    expect(nameConfigs(['/etc/keepalived/keepalived.conf', 'n2/keepalived.conf'])).toEqual([
      { name: 'keepalived', path: '/etc/keepalived/keepalived.conf' },
      { name: 'n2', path: 'n2/keepalived.conf' },
    ]);
    expect(nameConfigs(['x.conf', 'x.conf'])).toEqual({ error: expect.stringContaining('would both be host "x"') });
    expect(nameConfigs(['a/n/k.conf', 'b/n/k.conf'])).toEqual({ error: expect.stringContaining('would both be host "n"') });
  });

  it('an observer never takes a config host\'s name', async () => {
    file('client.conf', node(150));
    const r = await sim(['--config', 'client.conf', '--config', 'lb2.conf', '--until', '10s']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/client_\s+ARP cache: 198\.51\.100\.100 → 02:00:00:00:01:01 \(client\/eth0\)/);
  });
});

describe('sim --config runs the cross-node lint first (item 9)', () => {
  it('prints the auth mismatch the run will show as two masters', async () => {
    const r = await sim(['--config', 'bad-pass/lb1.conf', '--config', 'bad-pass/lb2.conf', '--quiet', '--no-shrink']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cross-node check of the configs/);
    expect(r.err).toMatch(/bad-pass\/lb2\.conf:\d+:\d+: error: auth_pass of VRID 51 \(IPv4\) differs between nodes/);
  });

  it('says nothing when the configs agree', async () => {
    const r = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--until', '5s']);
    expect(r.err).not.toContain('cross-node');
  });
});

describe('sim --config faults and limits (item 12)', () => {
  it('a partition that leaves the client out is refused, with the way to say where it goes', async () => {
    const r = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s partition lb1 | lb2 for 10s']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      [
        "--fault #1: client is on no side of the partition; say where: '… partition lb1 client | lb2', or '… partition lb1 | lb2 | client' to cut it off from both",
        '    10s partition lb1 | lb2 for 10s',
        '        ^',
      ].join('\n'),
    );
    const placed = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s partition lb1 | lb2 client for 10s', '--until', '30s']);
    expect(placed.code).toBe(0);
    expect(placed.out).toContain('partition eth0 [lb1] | [lb2,client]');
    const island = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s partition lb1 | lb2 | client for 10s', '--until', '30s']);
    expect(island.out).toContain('partition eth0 [lb1] | [lb2] | [client]');
  });

  it('fault errors name the --fault and point at the word, not a line of generated YAML', async () => {
    const host = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s crash lb1', '--fault', '20s crash lb3']);
    expect(host.code).toBe(2);
    expect(host.err).toBe(['--fault #2: unknown host "lb3" (hosts: lb1, lb2, client)', '    20s crash lb3', '              ^'].join('\n'));
    expect(host.err).not.toContain('(command line)');
    const nic = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s link lb1/eth9 down']);
    expect(nic.err).toBe(['--fault #1: host lb1 has no NIC "eth9"', '    10s link lb1/eth9 down', '                 ^'].join('\n'));
    const kind = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s crahs lb1']);
    expect(kind.err.split('\n')[0]).toBe('--fault #1: unknown kind crahs (did you mean crash?); kinds: crash restart kill stop start pause resume reload link partition heal loss delay drift script priority server');
    expect(kind.err.split('\n')[2]).toBe('        ^');
    const dur = await sim(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s crash lb1 for 1y']);
    expect(dur.err.split('\n')).toEqual(['--fault #1: bad duration "1y" (use e.g. "5s", "250ms", "2m")', '    10s crash lb1 for 1y', '                      ^']);
  });

  it('an LVS-only config says plainly there is nothing to simulate', async () => {
    const r = await sim(['--config', 'lvs.conf']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('nothing to simulate: lvs.conf has no vrrp_instance (only 1 virtual_server block: --config builds no real servers to check; declare them in a scenario file, as examples/lvs-web-pool-sorry-server.yaml does)');
    const mixed = await sim(['--config', 'lvs.conf', '--config', 'lb1.conf', '--until', '5s']);
    expect(mixed.code).toBe(0);
    expect(mixed.err).toContain('warning: lvs: lvs.conf: 1 virtual_server block runs with no real servers behind it (--config builds none), so every check fails; declare them in a scenario file, as examples/lvs-web-pool-sorry-server.yaml does');
  });
});
