/**
 * Who claims a VIP in a capture: gratuitous ARP and unsolicited NA frames name the MAC that
 * hosts on the LAN will send the VIP's traffic to. `keepalived-ts pcap` judges each claim against
 * the VRRP routers of that VIP (from the configuration, else from the address lists of the
 * adverts in the capture): a claim is right when it comes from a MAC that sends the VRID's adverts
 * (or is the instance's virtual MAC with use_vmac). At the end it compares where hosts' caches
 * point (the last claim) with the master heard last: a difference is the stale-ARP hazard.
 * Pure: facts in, verdict text out.
 */

/** A virtual router a VIP belongs to. */
export interface RouterOfVip {
  family: 4 | 6;
  vrid: number;
  /** Instance name (from the configuration) or '' when learnt from adverts. */
  name: string;
  /** use_vmac: the MAC a claim may also carry. */
  vmac?: string;
}

interface Sender {
  ip: string;
  lastUs: number;
  lastPriority: number;
}

interface LastMaster {
  ip: string;
  mac: string;
  atUs: number;
}

interface Claim {
  mac: string;
  ip?: string;
  count: number;
  firstUs: number;
  lastUs: number;
}

export interface ClaimVerdict {
  ok: boolean;
  /** Text after "=>". */
  text: string;
}

const routerKey = (family: number, vrid: number) => `${family}|${vrid}`;

export class VipClaims {
  /** VIP → the routers it belongs to. */
  private readonly routersOf = new Map<string, RouterOfVip[]>();
  private readonly fromConfig: boolean;
  /** Per router: MAC → the sender using it. */
  private readonly senders = new Map<string, Map<string, Sender>>();
  private readonly lastMaster = new Map<string, LastMaster>();
  private readonly claims = new Map<string, Map<string, Claim>>();
  private readonly lastClaim = new Map<string, { mac: string; atUs: number }>();

  constructor(configured: Array<{ vip: string; router: RouterOfVip }>) {
    this.fromConfig = configured.length > 0;
    for (const { vip, router } of configured) this.addRouter(vip, router);
  }

  private addRouter(vip: string, r: RouterOfVip): void {
    const list = this.routersOf.get(vip) ?? [];
    if (!list.some((x) => x.family === r.family && x.vrid === r.vrid)) list.push(r);
    this.routersOf.set(vip, list);
  }

  /** An advert that reached (or would reach) the routers: who sends for which VRID from which MAC. */
  noteAdvert(atUs: number, family: 4 | 6, vrid: number, ip: string, mac: string, priority: number, addresses: readonly string[]): void {
    const key = routerKey(family, vrid);
    if (!this.fromConfig) for (const a of addresses) this.addRouter(a, { family, vrid, name: '' });
    let byMac = this.senders.get(key);
    if (!byMac) this.senders.set(key, (byMac = new Map()));
    byMac.set(mac, { ip, lastUs: atUs, lastPriority: priority });
    if (priority > 0) this.lastMaster.set(key, { ip, mac, atUs });
  }

  isVip(address: string): boolean {
    return this.routersOf.has(address);
  }

  private vridText(routers: RouterOfVip[]): string {
    return routers.map((r) => `${r.name ? `${r.name} ` : ''}VRID ${r.vrid}`).join(', ');
  }

  /**
   * Record that `mac` claims `address` (a gratuitous ARP / unsolicited NA, or any ARP/NA for a
   * VIP) and judge it when the address is a VIP; call after every advert has been noted.
   */
  judge(atUs: number, address: string, mac: string): ClaimVerdict | undefined {
    const vip = address;
    const perVip = this.claims.get(vip) ?? new Map<string, Claim>();
    this.claims.set(vip, perVip);
    const c = perVip.get(mac) ?? { mac, count: 0, firstUs: atUs, lastUs: atUs };
    c.count++;
    c.lastUs = atUs;
    perVip.set(mac, c);
    this.lastClaim.set(vip, { mac, atUs });
    const routers = this.routersOf.get(vip);
    if (!routers) return undefined;
    const where = this.vridText(routers);
    const vmac = routers.find((r) => r.vmac === mac);
    if (vmac) return { ok: true, text: `ok (virtual MAC of ${where})` };
    const known: string[] = [];
    for (const r of routers) {
      const byMac = this.senders.get(routerKey(r.family, r.vrid));
      const s = byMac?.get(mac);
      if (s) {
        c.ip = s.ip;
        return { ok: true, text: `ok (${mac} sends the adverts of ${where} from ${s.ip})` };
      }
      for (const [m, x] of byMac ?? []) known.push(`${x.ip} ${m}`);
      if (r.vmac) known.push(`virtual MAC ${r.vmac}`);
    }
    if (known.length === 0) return { ok: true, text: `unverified (no advert of ${where} in the capture)` };
    return { ok: false, text: `WRONG-MAC (${mac} sends no advert of ${where}; its routers: ${known.join(', ')})` };
  }

  /** One line per VIP claimed: by whom, and whether hosts now point at the master heard last. */
  summary(format: (us: number) => string): { lines: string[]; stale: number } {
    const lines: string[] = [];
    let stale = 0;
    for (const [vip, perVip] of this.claims) {
      const who = [...perVip.values()].map((c) => `${c.mac}${c.ip ? ` (${c.ip})` : ''} ×${c.count} ${format(c.firstUs)}${c.count > 1 ? `…${format(c.lastUs)}` : ''}`);
      const routers = this.routersOf.get(vip);
      if (!routers) {
        lines.push(`-- ${vip}: claimed by ${who.join(', ')} (not a VIP of ${this.fromConfig ? 'the configuration' : 'any advert in the capture'})`);
        continue;
      }
      let line = `-- VIP ${vip}: claimed by ${who.join(', ')}`;
      const last = this.lastClaim.get(vip)!;
      const masters = routers.map((r) => this.lastMaster.get(routerKey(r.family, r.vrid))).filter((m): m is LastMaster => m !== undefined);
      const master = masters.sort((a, b) => b.atUs - a.atUs)[0];
      const vmac = routers.some((r) => r.vmac === last.mac);
      // Stale: the master went on advertising after the last claim, yet hosts point elsewhere.
      if (master && !vmac && master.mac !== last.mac && master.atUs > last.atUs) {
        stale++;
        line += `; STALE: hosts send its traffic to ${last.mac} (last claim, ${format(last.atUs)}) but the master heard last is ${master.ip} (${master.mac}, ${format(master.atUs)}): it never re-announced the VIP (garp_master_refresh helps)`;
      } else if (master && master.mac === last.mac) {
        line += `; hosts send its traffic to ${last.mac}, the master heard last`;
      }
      lines.push(line);
    }
    return { lines, stale };
  }
}
