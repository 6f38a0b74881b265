/** VRRP codec public API (see docs/protocol.md). */
export * from './constants.js';
export * from './types.js';
export { computeVrrpChecksum, vrrpChecksumOk, type V3Ipv4ChecksumMode, type VrrpChecksumContext } from './checksum.js';
export { authDataFromPassword, passwordMatches } from './auth-pass.js';
export * from './auth-ah.js';
export { decodeVrrp, decodeVrrpMessage, type VrrpDecodeFailure } from './decode.js';
export { encodeVrrpIpv4Packet, encodeVrrpMessage, type VrrpAdvertSpec, type VrrpChecksumAddresses, type VrrpIpv4Options } from './encode.js';
export { validateAdvert, type VrrpVerdict } from './validate.js';
export { buildVrrpFrame, type VrrpFrameSpec } from './frame.js';
export { VRRP_DROP_REASON_TEXT, describeDropReason } from './drop-text.js';
