/**
 * Which load-balancer table the checker child programs (issue 12's rule), from global_defs'
 * `lvs_backend` (ours; default auto):
 *
 *   auto       IPVS when the kernel has it (openIpvsTable succeeds), else nftables for what it can
 *              carry (NftLbTable refuses the rest per service), else no table at all
 *   ipvs       IPVS, or no table when the kernel has none
 *   nftables   nftables, even when IPVS is there
 *
 * "No table" is a backend that refuses every service with the reason, so the LVS subsystem logs
 * one clear error per virtual server and runs none of them, while VRRP runs on. Never an exit:
 * keepalived's checker dies when IPVS is missing (and the whole daemon with it).
 */
import { existsSync } from 'node:fs';
import type { LbCommand, LbError, LbMethod, LbService, LbTablePort, LbTableView } from '../../actors/lvs/lb-port.js';
import type { Logger } from '../../actors/ports.js';
import { openIpvsTable } from '../linux/lb-ipvs.js';
import { NftLbTable } from '../linux/nft/backend.js';

export type LvsBackendChoice = 'ipvs' | 'nftables' | 'auto';

/** A backend that carries nothing: every service is refused with `reason`. */
export class NoLbTable implements LbTablePort {
  readonly backend = 'none';
  constructor(readonly reason: string) {}
  refuses(_service: LbService, _methods: LbMethod[]): string | undefined {
    return this.reason;
  }
  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void {
    setImmediate(() => done(commands.map((command) => ({ command, message: this.reason }))));
  }
  view(done: (view: LbTableView) => void): void {
    setImmediate(() => done({ backend: this.backend, services: [] }));
  }
  flush(done: (error: string | undefined) => void): void {
    setImmediate(() => done(undefined));
  }
  close(): void {}
}

function nftInstalled(): boolean {
  return ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));
}

export interface LbBackendOptions {
  choice: LvsBackendChoice;
  netns?: string;
  logger: Logger;
  /** Tests: what to try instead of the real kernel and program. */
  openIpvs?: typeof openIpvsTable;
  nft?: () => LbTablePort | undefined;
}

/** The table for this node, said once in the log. Never rejects. */
export function chooseLbTable(o: LbBackendOptions): Promise<LbTablePort> {
  const log = o.logger;
  const nft = (): LbTablePort | undefined =>
    o.nft ? o.nft() : nftInstalled() ? new NftLbTable({ ...(o.netns !== undefined ? { netns: o.netns } : {}), log: (line) => log.log('notice', line) }) : undefined;
  if (o.choice === 'nftables') {
    const t = nft();
    if (t) log.log('info', 'LVS: load-balancer backend nftables (lvs_backend nftables)');
    else log.log('error', 'LVS: lvs_backend nftables, but the nft program is not installed: no virtual server can be programmed');
    return Promise.resolve(t ?? new NoLbTable('lvs_backend nftables, and the nft program is not installed (install nftables)'));
  }
  const open = o.openIpvs ?? openIpvsTable;
  return new Promise((resolve) => {
    open({ ...(o.netns !== undefined ? { netns: o.netns } : {}), logger: log }, (r) => {
      if (r.ok) {
        log.log('info', `LVS: load-balancer backend ipvs (IPVS ${r.table.info.version >> 16}.${(r.table.info.version >> 8) & 0xff}.${r.table.info.version & 0xff})`);
        return resolve(r.table);
      }
      if (o.choice === 'ipvs') {
        log.log('error', `LVS: lvs_backend ipvs, but ${r.message}: no virtual server can be programmed`);
        return resolve(new NoLbTable(`lvs_backend ipvs, and ${r.message}`));
      }
      const t = nft();
      if (t) {
        log.log('info', `LVS: ${r.message}; load-balancer backend nftables (NAT virtual servers only)`);
        return resolve(t);
      }
      log.log('error', `LVS: ${r.message}, and the nft program is not installed: no virtual server can be programmed`);
      resolve(new NoLbTable(`${r.message}, and nftables is not installed (install nftables, or load IPVS: modprobe ip_vs)`));
    });
  });
}
