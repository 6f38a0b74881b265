/**
 * No IPVS in the kernel (as here) and only direct-routing virtual servers, which nftables cannot
 * carry: the real daemon runs VRRP as usual (the VIP is taken), logs one clear error per virtual
 * server, and never exits, with lvs_backend auto (nftables refuses DR) and with lvs_backend ipvs
 * (no table at all). keepalived 2.2.7's checker child dies without IPVS, and the daemon with it.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';
import { FRONT_IF, LvsLab, serverIp, SERVERS, VIP, type Daemon } from '../helpers/lvs-lab.js';

const ipvsPresent = existsSync('/proc/net/ip_vs');

function drConf(backend: string): string {
  const vs = (head: string) => `virtual_server ${head} {
  delay_loop 1
  lb_algo wrr
  lb_kind DR
  protocol TCP
${SERVERS.map((s) => `  real_server ${serverIp(s)} 8080 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('')}}
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
${vs(`${VIP} 80`)}${vs(`${VIP} 443`)}${vs('fwmark 7')}`;
}

const VS_NAMES = [`[${VIP}]:tcp:80`, `[${VIP}]:tcp:443`, 'FWM 7'];

describe.skipIf(!isRoot || ipvsPresent)(rootTitle('without IPVS, DR-only virtual servers: VRRP runs, one error per virtual server, no exit'), () => {
  const lab = new LvsLab('kts-ln-');
  let d: Daemon | undefined;

  beforeAll(async () => {
    await lab.setup(['d1']);
  }, 150_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`d1 said:\n${d?.log().slice(-6000)}`);
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  for (const backend of ['auto', 'ipvs']) {
    it(`lvs_backend ${backend}`, async () => {
      d = lab.startDaemon('d1', drConf(backend));
      await d.when(/\(VI_DR\) Entering MASTER STATE/, 90_000);
      expect(await lab.holders(VIP, ['d1'])).toEqual(['d1']);
      // Several delay_loops and a reload later, still running, still one error per virtual server.
      await new Promise((r) => setTimeout(r, 3000));
      const from = d.log().length;
      d.signal('SIGHUP');
      await waitFor(() => (d!.log(from).match(/Reload complete/g) ?? []).length >= 2, { timeoutMs: 15_000, what: 'both children reloaded' });
      await new Promise((r) => setTimeout(r, 2000));
      expect(d.proc.child.exitCode).toBeNull();
      expect(d.log()).not.toMatch(/Healthcheck child process\(\d+\) died|exited|Respawning/);
      expect(await lab.holders(VIP, ['d1'])).toEqual(['d1']);
      const errors = d.log().split('\n').filter((l) => /\berror\b|cannot|refus/i.test(l) && !/lvs_backend is a keepalived-ts keyword/.test(l));
      console.log(`lvs_backend ${backend}:\n${errors.join('\n')}`);
      for (const vs of VS_NAMES) {
        const about = errors.filter((l) => l.includes(vs));
        expect(about, `error lines for ${vs}`).toHaveLength(1);
        expect(about[0]).toMatch(backend === 'auto' ? /not started: the nftables backend cannot program it: lvs_method DR needs IPVS/ : /not started: no load-balancer backend can program it: lvs_backend ipvs, and the kernel has no IPVS/);
      }
      // Nothing was programmed: no table of ours.
      expect(await lab.nft('d1', 'list', 'tables')).not.toContain('keepalived_ts');
      // A clean stop: exit 0, the VIP released.
      const code = new Promise<number | null>((r) => d!.proc.child.once('exit', (c) => r(c)));
      d.signal('SIGTERM');
      expect(await code).toBe(0);
      expect(await lab.holders(VIP, ['d1'])).toEqual([]);
      await d.proc.stop();
      d = undefined;
    }, 180_000);
  }
});
