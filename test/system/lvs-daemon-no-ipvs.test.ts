/**
 * No IPVS in the kernel (as here) and only direct-routing virtual servers, which nftables cannot
 * carry: the real daemon runs VRRP as usual (the VIP is taken), logs one clear error per virtual
 * server, and never exits, with lvs_backend auto (nftables refuses DR) and with lvs_backend ipvs
 * (no table at all). keepalived 2.2.7's checker child dies without IPVS, and the daemon with it.
 * Under auto, the operator then makes :80 a NAT service and reloads: that one starts.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';
import { FRONT_IF, LvsLab, serverIp, SERVERS, VIP, type Daemon } from '../helpers/lvs-lab.js';

const ipvsPresent = existsSync('/proc/net/ip_vs');

function drConf(backend: string, natOn80 = false): string {
  const vs = (head: string, port?: number, kind = 'DR', rsPort = port) => `virtual_server ${head} {
  delay_loop 1
  lb_algo wrr
  lb_kind ${kind}
${port ? '  protocol TCP\n' : ''}${SERVERS.map((s) => `  real_server ${serverIp(s)}${rsPort ? ` ${rsPort}` : ''} {\n    weight 1\n    TCP_CHECK {\n      connect_port 8080\n      connect_timeout 1\n    }\n  }\n`).join('')}}
`;
  return `global_defs {
  router_id d1
  lvs_backend ${backend}
}
vrrp_instance VI_DR {
  state BACKUP
  interface ${FRONT_IF}
  virtual_router_id 61
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
${natOn80 ? vs(`${VIP} 80`, 80, 'NAT', 8080) : vs(`${VIP} 80`, 80)}${vs(`${VIP} 443`, 443)}${vs('fwmark 7')}`;
}

const VS_NAMES = [`[${VIP}]:tcp:80`, `[${VIP}]:tcp:443`, 'FWM 7'];

describe.skipIf(!isRoot || ipvsPresent)(rootTitle('without IPVS, DR-only virtual servers: VRRP runs, one error per virtual server, no exit'), () => {
  const lab = new LvsLab('kts-ln-');
  let d: Daemon | undefined;

  beforeAll(async () => {
    await lab.setup(['d1']);
  }, 150_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`d1 said:\n${d?.log().slice(-6000)}`);
    // A failed case leaves its daemon running: stop it (our own process) before the next case.
    await d?.proc.stop(5000);
    d = undefined;
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  for (const backend of ['auto', 'ipvs']) {
    it(`lvs_backend ${backend}`, async () => {
      d = lab.startDaemon('d1', drConf(backend));
      await d.when(/\(VI_DR\) Entering MASTER STATE/, 90_000);
      // The line is written before the VIP is added (keepalived's order): wait for it, bounded.
      await waitFor(async () => (await lab.holders(VIP, ['d1'])).length === 1, { timeoutMs: 5000, what: 'd1 to hold the VIP' });
      // Several delay_loops and a reload later, still running, still one error per virtual server.
      await new Promise((r) => setTimeout(r, 3000));
      const from = d.log().length;
      d.signal('SIGHUP');
      await waitFor(() => (d!.log(from).match(/Reload complete/g) ?? []).length >= 2, { timeoutMs: 15_000, what: 'both children reloaded' });
      await new Promise((r) => setTimeout(r, 2000));
      expect(d.proc.child.exitCode).toBeNull();
      expect(d.log()).not.toMatch(/Healthcheck child process\(\d+\) died|exited|Respawning/);
      expect(await lab.holders(VIP, ['d1'])).toEqual(['d1']);
      expect(d.log()).not.toMatch(/: warning: /); // a clean configuration: the errors below are the only news
      const errors = d.log().split('\n').filter((l) => /\berror\b|cannot|refus|not started/i.test(l) && !/lvs_backend is a keepalived-ts keyword/.test(l));
      console.log(`lvs_backend ${backend}:\n${errors.join('\n')}`);
      for (const vs of VS_NAMES) {
        const about = errors.filter((l) => l.includes(vs));
        expect(about, `error lines for ${vs}`).toHaveLength(1);
        expect(about[0]).toMatch(backend === 'auto' ? /not started: the nftables backend cannot program it: lvs_method DR needs IPVS/ : /not started: no load-balancer backend can program it: lvs_backend ipvs, and the kernel has no IPVS/);
      }
      // Nothing was programmed: no service in nftables (a stopped daemon leaves its emptied table).
      expect(await lab.nft('d1', 'list', 'ruleset')).not.toMatch(/203\.0\.113\.10 \. tcp|dnat/);
      if (backend === 'auto') {
        // The operator turns :80 into a NAT service and reloads: it starts; the others stay out, unrepeated.
        const at = d.log().length;
        d.writeConf(drConf(backend, true));
        d.signal('SIGHUP');
        await waitFor(async () => (await lab.nft('d1', 'list', 'tables')).includes('keepalived_ts') && (await lab.nft('d1', 'list', 'table', 'ip', 'keepalived_ts')).includes(`${VIP} . tcp . 80 : goto`), { timeoutMs: 15_000, what: ':80 in the nftables table' });
        await new Promise((r) => setTimeout(r, 1500));
        expect(d.log(at)).not.toMatch(/not started/);
        expect(d.log(at)).toMatch(/Gained quorum 1\+0=1 <= 3 for VS \[203\.0\.113\.10\]:tcp:80/);
        expect(d.proc.child.exitCode).toBeNull();
      }
      // A clean stop: exit 0, the VIP released.
      const code = new Promise<number | null>((r) => d!.proc.child.once('exit', (c) => r(c)));
      d.signal('SIGTERM');
      expect(await code).toBe(0);
      expect(await lab.nft('d1', 'list', 'ruleset')).not.toMatch(/203\.0\.113\.10 \. tcp/);
      expect(await lab.holders(VIP, ['d1'])).toEqual([]);
      await d.proc.stop();
      d = undefined;
    }, 180_000);
  }
});
