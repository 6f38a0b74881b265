/**
 * ipvs-netlink against keepalived 2.2.7's captured messages: every message decodes and encodes
 * back to the same bytes, and typed values build the bytes keepalived sent.
 */
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  DaemonState,
  FwdMethod,
  IPPROTO_TCP,
  IpvsCmd,
  NlmFlag,
  SvcFlag,
  decodeGetFamily,
  decodeIpvsMessage,
  encodeGetFamily,
  encodeIpvsMessage,
  ipvsCmdName,
  type IpvsMessage,
} from 'ipvs-netlink';
import { goldenAvailable, goldenCases, goldenMessages, normalised } from './golden.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const FAMILY = 0x20;
const header = { type: FAMILY, flags: NlmFlag.REQUEST | NlmFlag.ACK, seq: 0, pid: 0 };

describe.skipIf(!goldenAvailable)('keepalived 2.2.7 IPVS messages: decode then encode', () => {
  for (const name of goldenCases()) {
    it(`${name}: every message round-trips byte for byte`, () => {
      const msgs = goldenMessages(name);
      expect(msgs.length).toBeGreaterThan(3);
      for (const m of msgs) {
        if (m.name === 'CTRL_CMD_GETFAMILY') {
          expect(decodeGetFamily(bytes(m.hex)).name).toBe('IPVS');
          expect(normalised(encodeGetFamily('IPVS', 0, 0))).toBe(m.hex);
          continue;
        }
        const msg = decodeIpvsMessage(bytes(m.hex));
        expect(ipvsCmdName(msg.cmd)).toBe(m.name);
        expect(msg.header.flags).toBe(m.flags);
        expect(Buffer.from(encodeIpvsMessage(msg)).toString('hex')).toBe(m.hex);
      }
    });
  }
});

const web = { af: AF_INET, protocol: IPPROTO_TCP, address: '203.0.113.10', port: 80 };
const plain = { flags: 0, timeout: 0, netmask: '255.255.255.255' };
const dest = (last: number, fwdMethod: number, weight: number) => ({
  addressFamily: AF_INET,
  address: `198.51.100.${last}`,
  port: 80,
  fwdMethod,
  weight,
  uThreshold: 0,
  lThreshold: 0,
});

/** [case, index in messages.norm, typed message] */
const built: Array<[string, number, Omit<IpvsMessage, 'header'>]> = [
  ['01-nat-rr-tcp', 2, { cmd: IpvsCmd.NEW_SERVICE, service: { ...web, scheduler: 'rr', ...plain } }],
  ['01-nat-rr-tcp', 4, { cmd: IpvsCmd.NEW_DEST, service: { ...web, scheduler: 'rr', ...plain }, dest: dest(22, FwdMethod.MASQ, 3) }],
  ['01-nat-rr-tcp', 5, { cmd: IpvsCmd.DEL_DEST, service: { ...web, scheduler: 'rr', ...plain }, dest: dest(22, FwdMethod.MASQ, 3) }],
  ['01-nat-rr-tcp', 7, { cmd: IpvsCmd.DEL_SERVICE, service: { ...web, scheduler: 'rr', ...plain } }],
  ['02-dr-wlc-persist-inhibit', 2, { cmd: IpvsCmd.NEW_SERVICE, service: { ...web, scheduler: 'wlc', ...plain, flags: SvcFlag.PERSISTENT, timeout: 300 } }],
  ['02-dr-wlc-persist-inhibit', 5, { cmd: IpvsCmd.SET_DEST, service: { ...web, scheduler: 'wlc', ...plain }, dest: dest(22, FwdMethod.DROUTE, 0) }],
  ['02-dr-wlc-persist-inhibit', 7, { cmd: IpvsCmd.DEL_DEST, service: { ...web, scheduler: 'wlc', ...plain }, dest: dest(22, FwdMethod.DROUTE, 3) }],
  ['02-dr-wlc-persist-inhibit', 8, { cmd: IpvsCmd.DEL_SERVICE, service: { ...web, scheduler: 'wlc', ...plain, flags: SvcFlag.PERSISTENT, timeout: 300 } }],
  ['05-ipv6-nat', 2, { cmd: IpvsCmd.NEW_SERVICE, service: { af: AF_INET6, protocol: IPPROTO_TCP, address: '2001:db8::10', port: 443, scheduler: 'rr', flags: 0, timeout: 0, netmask: 128 } }],
  [
    '05-ipv6-nat',
    3,
    {
      cmd: IpvsCmd.NEW_DEST,
      service: { af: AF_INET6, protocol: IPPROTO_TCP, address: '2001:db8::10', port: 443, scheduler: 'rr', flags: 0, timeout: 0, netmask: 128 },
      dest: { addressFamily: AF_INET6, address: '2001:db8::21', port: 443, fwdMethod: FwdMethod.MASQ, weight: 1, uThreshold: 0, lThreshold: 0 },
    },
  ],
  ['08-extra-syncd-checker', 2, { cmd: IpvsCmd.DEL_DAEMON, daemon: { state: DaemonState.MASTER, syncId: 0 } }],
  ['08-extra-syncd-checker', 3, { cmd: IpvsCmd.DEL_DAEMON, daemon: { state: DaemonState.BACKUP, syncId: 0 } }],
  ['08-extra-syncd-checker', 4, { cmd: IpvsCmd.NEW_DAEMON, daemon: { state: DaemonState.MASTER, mcastIfn: 'ipg08a', syncId: 5, syncMaxlen: 1400, mcastPort: 8848, mcastTtl: 2 } }],
  ['08-extra-syncd-checker', 5, { cmd: IpvsCmd.NEW_DAEMON, daemon: { state: DaemonState.BACKUP, mcastIfn: 'ipg08a', syncId: 5, syncMaxlen: 1400, mcastPort: 8848, mcastTtl: 2 } }],
  ['01-nat-rr-tcp', 1, { cmd: IpvsCmd.GET_INFO }],
];

describe.skipIf(!goldenAvailable)('keepalived 2.2.7 IPVS messages: built from typed values', () => {
  it.each(built)('%s message %i', (name, index, body) => {
    const m = goldenMessages(name)[index]!;
    expect(ipvsCmdName(body.cmd)).toBe(m.name);
    expect(Buffer.from(encodeIpvsMessage({ ...body, header })).toString('hex')).toBe(m.hex);
  });
});
