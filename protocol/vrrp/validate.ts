/**
 * VRRP receive, layer 2: judge a decoded advert against one instance's expectations, in
 * keepalived 2.2.7's order (vrrp.md K-25: dispatcher VRID demux, then `vrrp_check_packet`),
 * covering RFC 3768 §7.1 / RFC 5798 §7.1 (R-31..R-39). The first failing check wins; non-fatal
 * findings come back as warnings on the accepted advert.
 */
import { canonicalIp, formatIp, parseIp, VRRP_IPV4_GROUP, VRRP_IPV6_GROUP } from '../addr.js';
import { fail, ok, type Result } from '../result.js';
import { ahAcceptRxSequence, ahIcvOk, ahSpiFor } from './auth-ah.js';
import { passwordMatches } from './auth-pass.js';
import { internetChecksum } from '../checksum.js';
import { vrrpChecksumOk, type VrrpChecksumContext } from './checksum.js';
import { authTypeNumber, VRRP_AUTH_AH, VRRP_AUTH_NONE, VRRP_AUTH_PASS, VRRP_TTL, VRRP_TYPE_ADVERTISEMENT } from './constants.js';
import type { VrrpAccepted, VrrpAdvert, VrrpDropReason, VrrpExpectations, VrrpWarning } from './types.js';

export type VrrpVerdict = Result<VrrpAccepted, VrrpDropReason>;

export function validateAdvert(a: VrrpAdvert, x: VrrpExpectations): VrrpVerdict {
  const warnings: VrrpWarning[] = [];
  const unicast = (x.unicastPeers?.length ?? 0) > 0;
  const checkAddresses = x.checkAddresses ?? true;

  // Dispatcher: one socket per family, demux by VRID (K-23).
  if (a.family !== x.family) return fail('wrong-family', `IPv${a.family} advert for an IPv${x.family} instance`);
  if (!x.vrids.includes(a.vrid)) return fail('vrid-unknown', `VRID ${a.vrid} is not configured here`);

  // AH header present iff auth_type AH (IPv4).
  if (a.family === 4 && (a.ah !== undefined) !== (x.authKind === 'ah')) {
    return fail('auth-type-mismatch', a.ah ? 'received AH header but auth type is not AH' : 'no AH header but auth type is AH');
  }
  // the complete message, no more, no less.
  if (a.message.length !== a.expectedLength) {
    return fail('bad-length', `VRRP packet too ${a.message.length > a.expectedLength ? 'long' : 'short'}: ${a.message.length} bytes, expected ${a.expectedLength} for version ${a.version} with ${a.count} addresses`);
  }
  // TTL/hop limit 255, multicast only (K-4).
  if (!unicast && a.ttl !== -1 && a.ttl !== VRRP_TTL) return fail('bad-ttl', `TTL/hop limit ${a.ttl}, expected 255`);
  //
  if (a.version !== x.version) return fail('bad-version', `version ${a.version}, expected ${x.version}`);

  let ahSequence: number | undefined;
  if (x.version === 2) {
    // R-36 / K-19
    if (a.authType !== VRRP_AUTH_NONE && a.authType !== VRRP_AUTH_PASS && a.authType !== VRRP_AUTH_AH) {
      return fail('bad-auth-type', `auth type ${a.authType}`);
    }
    if (a.authType !== authTypeNumber(x.authKind)) {
      return fail('auth-type-mismatch', `auth type ${a.authType}, expected ${authTypeNumber(x.authKind)}`);
    }
    if (x.authKind === 'pass' && !passwordMatches(a.authData, x.authKey ?? new Uint8Array(8))) {
      return fail('auth-mismatch', 'invalid password');
    }
    if (x.authKind === 'ah') {
      const ah = checkAh(a, x, unicast);
      if (!ah.ok) return ah;
      ahSequence = ah.value;
    }
    // v2 interval must match (keepalived drops, K-6).
    if (a.advertIntervalCs !== x.advertIntervalCs) {
      return fail('interval-mismatch', `advert interval ${a.intervalField} s, ours ${x.advertIntervalCs / 100} s`);
    }
  }
  if (a.type !== VRRP_TYPE_ADVERTISEMENT) return fail('bad-type', `packet type ${a.type}`);
  if (x.rfcChecks && x.version === 3) {
    const r = rfcOnlyChecks(a);
    if (r) return r;
  }
  const countMismatch = checkAddresses && a.count !== x.vips.length;
  if (countMismatch && (x.addrListMismatch ?? 'drop') === 'drop') {
    return fail('addr-count-mismatch', `advert lists ${a.count} addresses, we have ${x.vips.length}`);
  }
  // R-34 (IPv6 too: on AF_PACKET and in the simulator there is no kernel to do it for us).
  const sum = checkChecksum(a, x, unicast);
  if (!sum.ok) return sum;
  if (sum.value.warnings.length > 0) warnings.push(...sum.value.warnings);

  // Multicast packets on a unicast instance and vice versa (K-4).
  if (a.dst.isMulticast === unicast) {
    return fail('cast-mismatch', `expected ${unicast ? 'unicast' : 'multicast'} packet, got ${unicast ? 'multicast' : 'unicast'} to ${a.dst}`);
  }
  if (x.ownerIgnoresAdverts) return fail('owner-ignores-adverts', 'address owner ignores adverts (strict mode)');

  if (checkAddresses) {
    const list = checkVipList(a, x);
    if (list) {
      if ((x.addrListMismatch ?? 'drop') === 'drop') return fail(list.code, list.detail);
      warnings.push(list);
    }
    if (unicast && x.checkUnicastSrc) {
      const src = a.src.text;
      const peer = x.unicastPeers?.find((p) => p.address === src || canonicalIp(p.address) === src);
      if (!peer) return fail('unicast-src-unknown', `unicast source ${a.src} is not a unicast peer`);
      if ((peer.minTtl !== undefined && a.ttl < peer.minTtl) || (peer.maxTtl !== undefined && a.ttl > peer.maxTtl)) {
        return fail('unicast-ttl-out-of-range', `TTL ${a.ttl} outside ${peer.minTtl ?? 0}..${peer.maxTtl ?? 255} for ${a.src}`);
      }
    }
  }
  // R-37 v3: adopt, log (K-6).
  if (x.version === 3 && a.advertIntervalCs !== x.advertIntervalCs) {
    warnings.push({ code: 'interval-mismatch', detail: `advert interval ${a.advertIntervalCs} cs, ours ${x.advertIntervalCs} cs` });
  }
  return ok({ advert: a, warnings, ahSequence, useOldUnicastChecksum: sum.value.oldUnicast || undefined });
}

function checkAh(a: VrrpAdvert, x: VrrpExpectations, unicast: boolean): Result<number, VrrpDropReason> {
  if (!a.ah || !a.ahBytes || !a.ipHeader) return fail('auth-type-mismatch', 'no AH header but auth type is AH');
  if (!ahIcvOk(a.ipHeader, a.ahBytes, a.message, x.authKey ?? new Uint8Array(8), unicast)) {
    return fail('auth-mismatch', 'invalid IPsec AH HMAC-MD5-96 (mutated fields or wrong password)');
  }
  if (a.ah.spi !== ahSpiFor(a.src.bytes)) return fail('ah-spi-mismatch', `AH SPI 0x${a.ah.spi.toString(16)} is not the source ${a.src}`);
  const next = ahAcceptRxSequence({ sequence: x.ahSequence ?? 0, cycled: false }, a.ah.sequence);
  if (!next) return fail('ah-replay', `AH sequence ${a.ah.sequence} already processed (counter ${x.ahSequence ?? 0})`);
  return ok(next.sequence);
}

function rfcOnlyChecks(a: VrrpAdvert): { ok: false; reason: VrrpDropReason; detail: string } | undefined {
  if (a.count === 0) return fail('zero-count', 'v3 advert with no addresses (RFC 9568 §5.2.5)');
  if (a.intervalField === 0) return fail('zero-interval', 'v3 Max Adver Int 0 (RFC 9568 §7.1)');
  const first = a.addresses[0];
  if (a.family === 6 && !first?.isLinkLocal) {
    return fail('first-address-not-link-local', `first IPv6 address ${a.addresses[0] ?? '?'} is not link-local (RFC 5798 §5.2.9)`);
  }
  return undefined;
}

const CHECKSUM_OK: { warnings: VrrpWarning[]; oldUnicast: boolean } = Object.freeze({ warnings: Object.freeze([]) as unknown as VrrpWarning[], oldUnicast: false });

function checkChecksum(
  a: VrrpAdvert,
  x: VrrpExpectations,
  unicast: boolean,
): Result<{ warnings: VrrpWarning[]; oldUnicast: boolean }, VrrpDropReason> {
  // VRRPv2 sums the message alone (no pseudo-header, no modes): the common case, checked directly.
  if (a.version === 2 && internetChecksum(a.message) === 0) return ok(CHECKSUM_OK);
  const base: VrrpChecksumContext = { version: a.version, family: a.family, src: a.src.bytes, dst: a.dst.bytes };
  const v3v4 = a.version === 3 && a.family === 4;
  const mode = v3v4 ? (x.v3Ipv4Checksum ?? 'pseudo-header') : 'pseudo-header';
  const compat = x.unicastChecksumCompat ?? 'auto';
  const primary: VrrpChecksumContext = { ...base, v3Ipv4Mode: mode, dst: unicast && compat === 'old' ? groupBytes(a, x) : a.dst.bytes };
  if (vrrpChecksumOk(a.message, primary)) return ok({ warnings: [], oldUnicast: false });
  if (v3v4 && mode === 'message-only' && vrrpChecksumOk(a.message, { ...base, v3Ipv4Mode: 'pseudo-header' })) {
    return ok({ warnings: [{ code: 'other-checksum-form', detail: 'v3 checksum uses the IPv4 pseudo-header (RFC 5798 form)' }], oldUnicast: false });
  }
  if (v3v4 && mode === 'pseudo-header' && unicast && compat === 'auto' && vrrpChecksumOk(a.message, { ...base, v3Ipv4Mode: mode, dst: groupBytes(a, x) })) {
    return ok({ warnings: [{ code: 'old-unicast-checksum', detail: 'setting unicast VRRPv3 checksum to old version' }], oldUnicast: true });
  }
  return fail('bad-checksum', `invalid VRRPv${a.version} checksum 0x${a.checksum.toString(16).padStart(4, '0')}`);
}

/** The multicast group as pseudo-header destination (old unicast checksum form, K-3). */
function groupBytes(a: VrrpAdvert, x: VrrpExpectations): Uint8Array {
  return parseIp(x.mcastGroup ?? (a.family === 6 ? VRRP_IPV6_GROUP : VRRP_IPV4_GROUP))?.bytes ?? a.dst.bytes;
}

/**
 * Each VIP's bytes when its text is the canonical text of those bytes (what IpAddress.text would
 * write), else null: for such a VIP, an address has that text exactly when it has those bytes, so
 * the in-order comparison below needs no text per received address. Kept per VIP list (the
 * expectations' list lives as long as its configuration).
 */
const canonicalVipBytes = new WeakMap<readonly string[], Array<Uint8Array | null>>();

function vipBytesOf(vips: readonly string[]): Array<Uint8Array | null> {
  let out = canonicalVipBytes.get(vips);
  if (!out) {
    out = vips.map((vip) => {
      const p = parseIp(vip);
      return p && formatIp(p.bytes) === vip ? p.bytes : null;
    });
    canonicalVipBytes.set(vips, out);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The advert's VIP list against ours (K-5): the same list in the same order, or the same set. */
function checkVipList(a: VrrpAdvert, x: VrrpExpectations): VrrpWarning & { code: 'addr-count-mismatch' | 'addr-list-mismatch' } | undefined {
  if (a.count !== x.vips.length) {
    return { code: 'addr-count-mismatch', detail: `expected ${x.vips.length} VIPs but received ${a.count}` };
  }
  // Same list, same order: every address's text is the VIP's (compared as bytes, see vipBytesOf).
  const want = vipBytesOf(x.vips);
  let inOrder = true;
  for (let i = 0; i < want.length && inOrder; i++) {
    const got = a.addresses[i];
    const w = want[i]!;
    inOrder = got !== undefined && w !== null && sameBytes(got.bytes, w);
  }
  if (inOrder) return undefined;
  const got = new Set(a.addresses.map((ip) => ip.text));
  for (const vip of x.vips) {
    const c = got.has(vip) ? vip : (canonicalIp(vip) ?? vip);
    if (!got.has(c)) return { code: 'addr-list-mismatch', detail: `VIP ${c} not present in the advert` };
  }
  return undefined;
}
