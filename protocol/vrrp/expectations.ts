/**
 * Receive expectations of one configured vrrp_instance, as keepalived derives them
 * (version, VRID, auth, advert_int, VIPs, checksum form, unicast peers, strict-mode owner).
 */
import type { VrrpInstanceConfig } from '../../config/model.js';
import { canonicalIp } from '../addr.js';
import { authDataFromPassword } from './auth-pass.js';
import type { VrrpExpectations } from './types.js';

export function expectationsFromInstance(inst: VrrpInstanceConfig): VrrpExpectations {
  const auth = inst.authentication;
  const authKind = auth?.type === 'AH' ? 'ah' : auth?.type === 'PASS' ? 'pass' : 'none';
  return {
    family: inst.family,
    version: inst.version,
    vrids: [inst.vrid],
    authKind,
    authKey: auth ? authDataFromPassword(auth.pass) : undefined,
    advertIntervalCs: inst.advertIntervalCs,
    vips: inst.vips.filter((v) => v.family === inst.family).map((v) => canonicalIp(v.address) ?? v.address),
    checkAddresses: true,
    addrListMismatch: 'drop',
    v3Ipv4Checksum: inst.v3ChecksumAsV2 ? 'message-only' : 'pseudo-header',
    mcastGroup: inst.mcastDstIp,
    unicastPeers: inst.unicastPeers.map((p) => ({ address: p.address, minTtl: p.minTtl, maxTtl: p.maxTtl })),
    checkUnicastSrc: inst.checkUnicastSrc,
    ownerIgnoresAdverts: (inst.strict || inst.ownerIgnoreAdverts) && inst.priority === 255,
  };
}
