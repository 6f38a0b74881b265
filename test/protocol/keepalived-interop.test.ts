/**
 * System test (root): Debian's keepalived 2.2.7 accepts adverts built by our codec.
 *
 * Namespaces kts-b-br (bridge), kts-b-k (keepalived, 198.51.100.12, fe80::12) and kts-b-t
 * (our sender, 198.51.100.21, fe80::21). keepalived runs five BACKUP instances at priority 100;
 * we send priority-200 adverts for each, once a second for 7 s (> Master_Down_Interval 3.6 s):
 *   VRID 61 v2 AH, 62 v2 PASS, 63 v3 IPv4, 65 v3 IPv6: accepted ⇒ they stay BACKUP, no error logged.
 *   VRID 64 v2 AH with the wrong key (negative twin): rejected ⇒ keepalived logs the bad ICV and
 *   takes over as MASTER, proving the test can fail.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../protocol/bytes.js';
import { authDataFromPassword, encodeVrrpIpv4Packet, encodeVrrpMessage, type VrrpAdvertSpec } from '../../protocol/vrrp/index.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const KEEPALIVED = '/usr/sbin/keepalived';
const NS = { br: 'kts-b-br', k: 'kts-b-k', t: 'kts-b-t' };
const isRoot = process.getuid?.() === 0;
const haveKeepalived = existsSync(KEEPALIVED);
const skipReason = !isRoot ? 'needs root (network namespaces)' : !haveKeepalived ? `needs ${KEEPALIVED}` : '';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
const inNs = (ns: string, ...args: string[]) => ip('-n', ns, ...args);

function teardown(): void {
  for (const ns of Object.values(NS)) {
    try {
      ip('netns', 'del', ns);
    } catch {
      /* not there */
    }
  }
}

const CONF = `global_defs {
    router_id kts-b-k
}
vrrp_instance VI_AH {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority 100
    advert_int 1
    authentication {
        auth_type AH
        auth_pass secret
    }
    virtual_ipaddress {
        198.51.100.161/24
    }
}
vrrp_instance VI_PASS {
    state BACKUP
    interface eth0
    virtual_router_id 62
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        198.51.100.162/24
    }
}
vrrp_instance VI_V3 {
    state BACKUP
    interface eth0
    virtual_router_id 63
    version 3
    priority 100
    advert_int 1
    virtual_ipaddress {
        198.51.100.163/24
    }
}
vrrp_instance VI_BAD {
    state BACKUP
    interface eth0
    virtual_router_id 64
    priority 100
    advert_int 1
    authentication {
        auth_type AH
        auth_pass secret
    }
    virtual_ipaddress {
        198.51.100.164/24
    }
}
vrrp_instance VI_V6 {
    state BACKUP
    interface eth0
    virtual_router_id 65
    priority 100
    advert_int 1
    virtual_ipaddress {
        2001:db8::165/64
    }
}
`;

const SRC = '198.51.100.21';
const KEY = authDataFromPassword('secret');
const v2 = (vrid: number, vip: string): VrrpAdvertSpec => ({ version: 2, family: 4, vrid, priority: 200, advertIntervalCs: 100, addresses: [vip] });

function round(i: number): string {
  const seq = i + 1;
  const id = (n: number) => i * 4 + n + 1;
  const pkts = [
    encodeVrrpIpv4Packet({ ...v2(61, '198.51.100.161'), authKind: 'ah', authKey: KEY }, { src: SRC, dst: '224.0.0.18', ipId: id(0), ahSequence: seq }),
    encodeVrrpIpv4Packet({ ...v2(62, '198.51.100.162'), authKind: 'pass', authKey: KEY }, { src: SRC, dst: '224.0.0.18', ipId: id(1) }),
    encodeVrrpIpv4Packet({ ...v2(63, '198.51.100.163'), version: 3 }, { src: SRC, dst: '224.0.0.18', ipId: id(2) }),
    encodeVrrpIpv4Packet({ ...v2(64, '198.51.100.164'), authKind: 'ah', authKey: authDataFromPassword('wrong') }, { src: SRC, dst: '224.0.0.18', ipId: id(3), ahSequence: seq }),
  ].map(bytesToHex);
  const v6 = encodeVrrpMessage({ version: 3, family: 6, vrid: 65, priority: 200, advertIntervalCs: 100, addresses: ['2001:db8::165'] }, { src: 'fe80::21', dst: 'ff02::12' });
  return [...pkts, `v6|ff02::12|${bytesToHex(v6)}`].join(',');
}

describe.skipIf(skipReason !== '')(`keepalived 2.2.7 accepts our adverts${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-b-interop-'));
  let keepalived: ChildProcess | undefined;
  let log = '';

  beforeAll(async () => {
    teardown();
    try {
      for (const ns of Object.values(NS)) ip('netns', 'add', ns);
      inNs(NS.br, 'link', 'add', 'br0', 'type', 'bridge');
      inNs(NS.br, 'link', 'set', 'br0', 'up');
      for (const [side, v4, v6] of [['k', '198.51.100.12/24', 'fe80::12/64'], ['t', '198.51.100.21/24', 'fe80::21/64']] as const) {
        const ns = NS[side];
        inNs(NS.br, 'link', 'add', `v${side}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        inNs(NS.br, 'link', 'set', `v${side}`, 'master', 'br0', 'up');
        inNs(ns, 'link', 'set', 'eth0', 'addrgenmode', 'none');
        inNs(ns, 'link', 'set', 'lo', 'up');
        inNs(ns, 'link', 'set', 'eth0', 'up');
        inNs(ns, 'addr', 'add', v4, 'dev', 'eth0');
        inNs(ns, '-6', 'addr', 'add', v6, 'dev', 'eth0', 'nodad');
      }
      const conf = join(dir, 'keepalived.conf');
      writeFileSync(conf, CONF);
      const logFile = join(dir, 'keepalived.log');
      keepalived = spawn('ip', ['netns', 'exec', NS.k, KEEPALIVED, '-n', '-l', '-D', '-P', '-f', conf, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      keepalived.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      keepalived.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      await new Promise((r) => setTimeout(r, 1000));
      const rounds = Array.from({ length: 7 }, (_, i) => round(i));
      execFileSync('ip', ['netns', 'exec', NS.t, process.execPath, '--import', 'tsx', join(ROOT, 'test/protocol/helpers/send-raw.ts'), 'eth0', '1000', ...rounds], {
        cwd: ROOT,
        timeout: 20_000,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await new Promise((r) => setTimeout(r, 500));
      writeFileSync(logFile, log);
    } finally {
      keepalived?.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (keepalived && keepalived.exitCode === null) keepalived.kill('SIGKILL');
      teardown();
    }
  }, 40_000);

  afterAll(() => {
    if (keepalived && keepalived.exitCode === null) keepalived.kill('SIGKILL');
    teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  const linesOf = (inst: string) => log.split('\n').filter((l) => l.includes(`(${inst})`));

  it.each(['VI_AH', 'VI_PASS', 'VI_V3', 'VI_V6'])('%s: keepalived accepts our priority-200 adverts and stays BACKUP', (inst) => {
    const lines = linesOf(inst);
    expect(lines.some((l) => l.includes('Entering BACKUP STATE')), lines.join('\n')).toBe(true);
    expect(lines.filter((l) => /Entering MASTER STATE|invalid|Invalid|mismatch|too short|too long|wrong version|unexpected/.test(l))).toEqual([]);
  });

  it('VI_BAD (negative twin): a wrong AH key is rejected and keepalived takes over', () => {
    const lines = linesOf('VI_BAD');
    expect(lines.some((l) => l.includes('IPSEC-AH : invalid IPSEC HMAC-MD5'))).toBe(true);
    expect(lines.some((l) => l.includes('Entering MASTER STATE'))).toBe(true);
  });

  it('no kts-b- namespace is left behind', () => {
    const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(list).not.toMatch(/kts-b-/);
  });
});
