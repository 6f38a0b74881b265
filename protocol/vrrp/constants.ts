/** VRRP wire constants (RFC 3768 §5, RFC 5798 §5, RFC 2338 §5.3.6). */

export const VRRP_TTL = 255;
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** Fixed part of every VRRP message: version/type, VRID, priority, count, auth/interval, checksum. */
export const VRRP_HEADER_BYTES = 8;
/** VRRPv2 authentication data trailer (RFC 3768 §5.3.10). */
export const VRRP_V2_AUTH_BYTES = 8;
export const VRRP_PRIORITY_OWNER = 255;
export const VRRP_PRIORITY_STOP = 0;

/** VRRPv2 Auth Type values (RFC 2338 §5.3.6; "reserved" in RFC 3768). */
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_AH = 2;

export type VrrpAuthKind = 'none' | 'pass' | 'ah';

export function authTypeNumber(kind: VrrpAuthKind): number {
  return kind === 'pass' ? VRRP_AUTH_PASS : kind === 'ah' ? VRRP_AUTH_AH : VRRP_AUTH_NONE;
}

/** Max Adver Int bounds: v2 whole seconds (8 bits), v3 centiseconds (12 bits). */
export const VRRP_V2_MAX_INTERVAL_SEC = 255;
export const VRRP_V3_MAX_INTERVAL_CS = 4095;

/** Length of a VRRP message with `count` addresses (auth data only for v2 over IPv4, as keepalived reckons). */
export function vrrpMessageLength(version: number, family: 4 | 6, count: number): number {
  if (family === 6) return VRRP_HEADER_BYTES + count * 16;
  return VRRP_HEADER_BYTES + count * 4 + (version === 2 ? VRRP_V2_AUTH_BYTES : 0);
}
