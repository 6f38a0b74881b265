/**
 * What a configured vrrp_instance expects of the adverts it receives, as keepalived derives it
 * (version, VRID, auth, advert_int, VIPs, checksum form, unicast peers, strict-mode owner): the
 * VrrpExpectations that protocol/vrrp validateAdvert judges a packet against. The instance plan
 * builds them; the simulator's invariants and the `pcap` command use the same function.
 */
import type { VrrpInstanceConfig } from '../../config/model.js';
import { canonicalIp } from '../../protocol/addr.js';
import { authDataFromPassword, VRRP_PRIORITY_OWNER, type VrrpAuthKind, type VrrpExpectations } from '../../protocol/vrrp/index.js';

/** The instance's authentication, derived once: its kind and its 8-byte key (auth_pass). */
export interface InstanceAuth {
  kind: VrrpAuthKind;
  key?: Uint8Array;
}

export function instanceAuth(inst: VrrpInstanceConfig): InstanceAuth {
  const auth = inst.authentication;
  if (!auth) return { kind: 'none' };
  return { kind: auth.type === 'AH' ? 'ah' : 'pass', key: authDataFromPassword(auth.pass) };
}

export function expectationsFromInstance(inst: VrrpInstanceConfig, auth: InstanceAuth = instanceAuth(inst)): VrrpExpectations {
  return {
    family: inst.family,
    version: inst.version,
    vrids: [inst.vrid],
    authKind: auth.kind,
    authKey: auth.key,
    advertIntervalCs: inst.advertIntervalCs,
    vips: inst.vips.filter((v) => v.family === inst.family).map((v) => canonicalIp(v.address) ?? v.address),
    checkAddresses: true,
    addrListMismatch: 'drop',
    v3Ipv4Checksum: inst.v3ChecksumAsV2 ? 'message-only' : 'pseudo-header',
    mcastGroup: inst.mcastDstIp,
    unicastPeers: inst.unicastPeers.map((p) => ({ address: p.address, minTtl: p.minTtl, maxTtl: p.maxTtl })),
    checkUnicastSrc: inst.checkUnicastSrc,
    ownerIgnoresAdverts: (inst.strict || inst.ownerIgnoreAdverts) && inst.priority === VRRP_PRIORITY_OWNER,
  };
}
