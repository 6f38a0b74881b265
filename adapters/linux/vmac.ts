/**
 * use_vmac: a macvlan interface carrying the VRRP virtual MAC (RFC 9568 §7.3), as keepalived
 * builds it: mode private on the base interface, MAC 00:00:5e:00:01:VRID (IPv4) or
 * 00:00:5e:00:02:VRID (IPv6), named vrrp.VRID unless a name is given, no kernel-generated IPv6
 * link-local (addrgenmode none); an IPv6 VMAC that sends the adverts gets the base interface's
 * link-local instead, without DAD, as keepalived gives it. Sysctls, as keepalived sets them:
 *   on the VMAC:  arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1
 *   on the base:  arp_ignore=1, arp_filter=1, restored to their old values when its last VMAC goes.
 * The link is created with ip(8) (run inside the namespace), the sysctls written through
 * /proc/sys, which resolves to the namespace of the thread that opens it.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { errorText } from './native.js';
import { inNetns } from './netns.js';

export interface VmacSpec {
  baseIfname: string;
  vrid: number;
  family: 4 | 6;
  /** use_vmac NAME; default vrrp.VRID */
  name?: string;
  /** IPv6 VMAC carrying the adverts: this link-local goes on it (nodad). */
  linkLocal?: string;
}

export function vmacName(spec: VmacSpec): string {
  return spec.name ?? `vrrp.${spec.vrid}`;
}

export function vmacMac(family: 4 | 6, vrid: number): string {
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}`;
}

const VMAC_SYSCTLS: [string, string][] = [
  ['arp_ignore', '1'],
  ['accept_local', '1'],
  ['rp_filter', '0'],
  ['promote_secondaries', '1'],
];
const BASE_SYSCTLS: [string, string][] = [
  ['arp_ignore', '1'],
  ['arp_filter', '1'],
];

const confPath = (ifname: string, key: string): string => `/proc/sys/net/ipv4/conf/${ifname}/${key}`;

export class VmacManager {
  /** base interface → VMACs on it and the base sysctl values to restore. */
  private readonly bases = new Map<string, { vmacs: Set<string>; saved: [string, string][] }>();

  constructor(private readonly netns?: string) {}

  /** Create (or re-create, if a stale one exists) the VMAC and bring it up; done(error, ifname). */
  create(spec: VmacSpec, done: (error: string | undefined, ifname: string) => void): void {
    const name = vmacName(spec);
    const invalid = !/^[A-Za-z0-9._-]{1,15}$/.test(name)
      ? `bad VMAC interface name '${name}'`
      : !Number.isInteger(spec.vrid) || spec.vrid < 1 || spec.vrid > 255
        ? `bad VRID ${spec.vrid}`
        : undefined;
    if (invalid) {
      setImmediate(() => done(invalid, name));
      return;
    }
    this.ip(['link', 'del', name], () => {
      this.ip(['link', 'add', 'link', spec.baseIfname, 'name', name, 'address', vmacMac(spec.family, spec.vrid), 'type', 'macvlan', 'mode', 'private'], (err) => {
        if (err) return done(`cannot create VMAC ${name} on ${spec.baseIfname}: ${err}`, name);
        this.ip(['link', 'set', 'dev', name, 'addrgenmode', 'none'], (err2) => {
          if (err2) return done(`VMAC ${name}: ${err2}`, name);
          const sysctlError = this.sysctls(name, spec.baseIfname);
          if (sysctlError) return done(`VMAC ${name}: ${sysctlError}`, name);
          this.ip(['link', 'set', 'dev', name, 'up'], (err3) => {
            if (err3 || !spec.linkLocal) return done(err3 ? `VMAC ${name}: ${err3}` : undefined, name);
            // IPv6 adverts leave from the VMAC with our link-local source: give it that address.
            this.ip(['-6', 'addr', 'add', `${spec.linkLocal}/64`, 'dev', name, 'nodad'], (err4) => done(err4 ? `VMAC ${name}: link-local ${spec.linkLocal}: ${err4}` : undefined, name));
          });
        });
      });
    });
  }

  /** Delete a VMAC; restores the base interface's sysctls when it was the last one. */
  remove(name: string, done: (error?: string) => void): void {
    this.ip(['link', 'del', name], (err) => {
      for (const [base, entry] of this.bases) {
        if (!entry.vmacs.delete(name) || entry.vmacs.size > 0) continue;
        this.bases.delete(base);
        try {
          inNetns(this.netns, () => entry.saved.forEach(([k, v]) => writeFileSync(confPath(base, k), v)));
        } catch {
          /* the base interface may be gone too */
        }
      }
      done(err ? `cannot delete VMAC ${name}: ${err}` : undefined);
    });
  }

  private sysctls(vmac: string, base: string): string | undefined {
    try {
      inNetns(this.netns, () => {
        for (const [k, v] of VMAC_SYSCTLS) writeFileSync(confPath(vmac, k), v);
        let entry = this.bases.get(base);
        if (!entry) {
          entry = { vmacs: new Set(), saved: BASE_SYSCTLS.map(([k]) => [k, readFileSync(confPath(base, k), 'utf8').trim()]) };
          this.bases.set(base, entry);
          for (const [k, v] of BASE_SYSCTLS) writeFileSync(confPath(base, k), v);
        }
        entry.vmacs.add(vmac);
      });
      return undefined;
    } catch (e) {
      return errorText(e);
    }
  }

  private ip(args: string[], done: (error?: string) => void): void {
    try {
      inNetns(this.netns, () =>
        execFile('ip', args, { timeout: 5000, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => done(err ? String(stderr).trim() || err.message : undefined)),
      );
    } catch (e) {
      setImmediate(() => done(errorText(e)));
    }
  }
}
