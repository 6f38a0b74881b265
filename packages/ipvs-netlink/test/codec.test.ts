import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  CmdAttr,
  DestAttr,
  FwdMethod,
  GENL_ID_CTRL,
  HOST_LE,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IpvsCmd,
  NLA_F_NESTED,
  NetlinkDecodeError,
  NlmFlag,
  Reader,
  SvcAttr,
  SvcFlag,
  TunFlag,
  TunType,
  canonicalIp,
  decodeDone,
  decodeError,
  decodeFamily,
  decodeGetFamily,
  decodeIpvsMessage,
  describeIpvsError,
  encodeDone,
  encodeError,
  encodeFamily,
  encodeGetFamily,
  encodeIpvsMessage,
  errnoName,
  formatIpv6,
  ipvsVersionText,
  parseIp,
  parseIpv6,
  splitMessages,
  type IpvsMessage,
  type IpvsStats,
} from 'ipvs-netlink/codec';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const REQ = NlmFlag.REQUEST | NlmFlag.ACK;
const hdr = (flags = REQ) => ({ type: 0x24, flags, seq: 7, pid: 99 });

const svcTcp = { af: AF_INET, protocol: IPPROTO_TCP, address: '203.0.113.10', port: 80, scheduler: 'rr', flags: 0, timeout: 0, netmask: '255.255.255.255' };
const destNat = { addressFamily: AF_INET, address: '198.51.100.21', port: 8080, fwdMethod: FwdMethod.MASQ, weight: 1, uThreshold: 0, lThreshold: 0 };

/** The attributes of a nest, as [type, payload hex] in wire order. */
function nestAttrs(bytes: Uint8Array, nestType: number): Array<[number, string]> {
  const r = new Reader(bytes);
  const top = r.attrs(20, bytes.length);
  const nest = top.find((a) => a.type === nestType)!;
  return r.attrs(nest.start, nest.end).map((a) => [a.type, hex(r.bytes(a))]);
}

const stats = (n: bigint): IpvsStats => ({ conns: n, inPkts: n + 1n, outPkts: n + 2n, inBytes: 1n << 40n, outBytes: n + 4n, cps: n + 5n, inPps: n + 6n, outPps: n + 7n, inBps: n + 8n, outBps: n + 9n });

describe('IPVS message encoding', () => {
  it('lays a service command out as libipvs does', () => {
    const b = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: svcTcp });
    expect(b.length).toBe(104);
    const v = new DataView(b.buffer);
    expect(v.getUint32(0, HOST_LE)).toBe(104);
    expect([b[16], b[17], b[18], b[19]]).toEqual([IpvsCmd.NEW_SERVICE, 1, 0, 0]);
    // nest type carries NLA_F_NESTED in requests
    expect(v.getUint16(22, HOST_LE)).toBe(CmdAttr.SERVICE | NLA_F_NESTED);
    expect(nestAttrs(b, CmdAttr.SERVICE)).toEqual([
      [SvcAttr.AF, HOST_LE ? '0200' : '0002'],
      [SvcAttr.PROTOCOL, HOST_LE ? '0600' : '0006'],
      [SvcAttr.ADDR, 'cb00710a' + '00'.repeat(12)],
      [SvcAttr.PORT, '0050'],
      [SvcAttr.SCHED_NAME, '727200'],
      [SvcAttr.FLAGS, '00000000ffffffff'],
      [SvcAttr.TIMEOUT, '00000000'],
      [SvcAttr.NETMASK, 'ffffffff'],
    ]);
    // string attributes count their NUL but not the padding: "rr" gives nla_len 7
    expect(v.getUint16(0x44, HOST_LE)).toBe(7);
  });

  it('sends a persistence granularity as mask bytes (IPv4) or a prefix length (IPv6)', () => {
    const v4 = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, netmask: '255.255.255.0', flags: SvcFlag.PERSISTENT, timeout: 300 } });
    expect(nestAttrs(v4, CmdAttr.SERVICE).find(([t]) => t === SvcAttr.NETMASK)![1]).toBe('ffffff00');
    const v6 = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, af: AF_INET6, address: '2001:db8::10', netmask: 64 } });
    const n = nestAttrs(v6, CmdAttr.SERVICE);
    expect(n.find(([t]) => t === SvcAttr.NETMASK)![1]).toBe(HOST_LE ? '40000000' : '00000040');
    expect(n.find(([t]) => t === SvcAttr.ADDR)![1]).toBe('20010db8' + '00'.repeat(11) + '10');
  });

  it('sends FWMARK in place of protocol, address and port', () => {
    const b = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { af: AF_INET, fwmark: 7, scheduler: 'wlc', pe: 'sip', flags: 0, timeout: 0, netmask: '255.255.255.255' } });
    expect(nestAttrs(b, CmdAttr.SERVICE).map(([t]) => t)).toEqual([SvcAttr.AF, SvcAttr.FWMARK, SvcAttr.SCHED_NAME, SvcAttr.PE_NAME, SvcAttr.FLAGS, SvcAttr.TIMEOUT, SvcAttr.NETMASK]);
  });

  it('puts ADDR_FAMILY first in requests and after the counters in kernel messages', () => {
    const req = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_DEST, service: svcTcp, dest: destNat });
    expect(nestAttrs(req, CmdAttr.DEST).map(([t]) => t)).toEqual([DestAttr.ADDR_FAMILY, DestAttr.ADDR, DestAttr.PORT, DestAttr.FWD_METHOD, DestAttr.WEIGHT, DestAttr.U_THRESH, DestAttr.L_THRESH]);
    const dumped = { ...destNat, activeConns: 3, inactConns: 4, persistConns: 5, tunType: 0, tunPort: 0, tunFlags: 0, stats: stats(1n), stats64: stats(2n) };
    const rep = encodeIpvsMessage({ header: hdr(NlmFlag.MULTI), cmd: IpvsCmd.NEW_DEST, dest: dumped });
    expect(nestAttrs(rep, CmdAttr.DEST).map(([t]) => t)).toEqual([
      DestAttr.ADDR, DestAttr.PORT, DestAttr.FWD_METHOD, DestAttr.WEIGHT, DestAttr.TUN_TYPE, DestAttr.TUN_PORT, DestAttr.TUN_FLAGS,
      DestAttr.U_THRESH, DestAttr.L_THRESH, DestAttr.ACTIVE_CONNS, DestAttr.INACT_CONNS, DestAttr.PERSIST_CONNS, DestAttr.ADDR_FAMILY, DestAttr.STATS, DestAttr.STATS64,
    ]);
    // kernel messages carry no NLA_F_NESTED
    expect(new DataView(rep.buffer).getUint16(22, HOST_LE)).toBe(CmdAttr.DEST);
    expect(decodeIpvsMessage(rep).dest).toEqual(dumped);
  });

  it('sends the tunnel type, GUE port and checksum flags of a tunnelled destination', () => {
    const dest = { ...destNat, fwdMethod: FwdMethod.TUNNEL, tunType: TunType.GUE, tunPort: 6080, tunFlags: TunFlag.REMCSUM };
    const b = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_DEST, service: svcTcp, dest });
    const n = nestAttrs(b, CmdAttr.DEST);
    expect(n.find(([t]) => t === DestAttr.TUN_TYPE)![1]).toBe('01');
    expect(n.find(([t]) => t === DestAttr.TUN_PORT)![1]).toBe('17c0');
    expect(n.find(([t]) => t === DestAttr.TUN_FLAGS)![1]).toBe(HOST_LE ? '0200' : '0002');
    expect(decodeIpvsMessage(b).dest).toEqual(dest);
  });
});

describe('IPVS message round trips', () => {
  const cases: Array<[string, IpvsMessage]> = [
    ['GET_INFO', { header: hdr(), cmd: IpvsCmd.GET_INFO }],
    ['SET_INFO reply', { header: hdr(0), cmd: IpvsCmd.SET_INFO, info: { version: 0x010201, connTabSize: 4096 } }],
    ['SET_CONFIG', { header: hdr(), cmd: IpvsCmd.SET_CONFIG, timeouts: { tcp: 7200, tcpFin: 120, udp: 300 } }],
    ['SET_CONFIG tcp only', { header: hdr(), cmd: IpvsCmd.SET_CONFIG, timeouts: { tcp: 60 } }],
    ['GET_SERVICE dump', { header: hdr(NlmFlag.REQUEST | NlmFlag.DUMP), cmd: IpvsCmd.GET_SERVICE }],
    ['NEW_SERVICE udp persistent', { header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, protocol: IPPROTO_UDP, flags: SvcFlag.PERSISTENT | SvcFlag.SCHED1 | SvcFlag.SCHED2, timeout: 300, netmask: '255.255.0.0' } }],
    ['SET_SERVICE with a partial flag mask', { header: hdr(), cmd: IpvsCmd.SET_SERVICE, service: { ...svcTcp, flags: SvcFlag.ONEPACKET, flagsMask: SvcFlag.ONEPACKET } }],
    ['NEW_SERVICE v6', { header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { af: AF_INET6, protocol: 132, address: '2001:db8::10', port: 443, scheduler: 'mh', flags: 0x18, timeout: 0, netmask: 128 } }],
    ['GET_DEST dump', { header: hdr(NlmFlag.REQUEST | NlmFlag.DUMP), cmd: IpvsCmd.GET_DEST, service: { af: AF_INET, fwmark: 12 } }],
    ['dumped service', { header: hdr(NlmFlag.MULTI), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, flags: SvcFlag.HASHED, pe: 'sip', stats: stats(10n), stats64: stats(1n << 33n) } }],
    ['DR dest, v4 in v6 tunnel', { header: hdr(), cmd: IpvsCmd.NEW_DEST, service: { af: AF_INET6, protocol: IPPROTO_TCP, address: '2001:db8::10', port: 80, scheduler: 'rr', flags: 0, timeout: 0, netmask: 128 }, dest: { ...destNat, fwdMethod: FwdMethod.TUNNEL, tunType: TunType.IPIP } }],
    ['DEL_DEST without ADDR_FAMILY (old headers)', { header: hdr(), cmd: IpvsCmd.DEL_DEST, service: svcTcp, dest: { address: '198.51.100.22', port: 80, fwdMethod: 3, weight: 3, uThreshold: 0, lThreshold: 0 } }],
    ['NEW_DAEMON v4 group', { header: hdr(), cmd: IpvsCmd.NEW_DAEMON, daemon: { state: 1, mcastIfn: 'eth0', syncId: 5, syncMaxlen: 1400, mcastPort: 8848, mcastTtl: 2, mcastGroup: '224.0.0.81' } }],
    ['NEW_DAEMON v6 group', { header: hdr(), cmd: IpvsCmd.NEW_DAEMON, daemon: { state: 2, mcastIfn: 'eth1', syncId: 0, mcastGroup: 'ff02::1:81' } }],
    ['DEL_DAEMON', { header: hdr(), cmd: IpvsCmd.DEL_DAEMON, daemon: { state: 2, syncId: 0 } }],
    ['non-ASCII interface name', { header: hdr(), cmd: IpvsCmd.NEW_DAEMON, daemon: { state: 1, mcastIfn: 'brücke0', syncId: 1 } }],
    ['nests without NLA_F_NESTED (libnl < 3.5)', { header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: svcTcp, nestedFlag: false }],
    ['FLUSH', { header: hdr(), cmd: IpvsCmd.FLUSH }],
    ['ZERO one service', { header: hdr(), cmd: IpvsCmd.ZERO, service: svcTcp }],
  ];
  it.each(cases)('%s: decode(encode(m)) is m and encode(decode(b)) is b', (_name, m) => {
    const b = encodeIpvsMessage(m);
    const back = decodeIpvsMessage(b);
    expect(back).toEqual(m);
    expect(hex(encodeIpvsMessage(back))).toBe(hex(b));
  });

  it('keeps several messages in one datagram apart', () => {
    const a = encodeIpvsMessage(cases[5]![1]);
    const b = encodeIpvsMessage(cases[12]![1]);
    const both = new Uint8Array([...a, ...b]);
    expect(splitMessages(both).map(hex)).toEqual([hex(a), hex(b)]);
  });
});

describe('bad values to encode', () => {
  it('an address of the wrong family or no address at all is a TypeError', () => {
    expect(() => encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, af: AF_INET6 } })).toThrow(TypeError);
    expect(() => encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, address: '203.0.113' } })).toThrow(/not an IP address/);
    expect(() => encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: { ...svcTcp, netmask: '255.255.0' } })).toThrow(TypeError);
  });
});

describe('malformed input', () => {
  const good = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_DEST, service: svcTcp, dest: destNat });
  it('a message cut anywhere gives NetlinkDecodeError, never another exception', () => {
    for (let n = 0; n < good.length; n++) {
      const cut = good.slice(0, n);
      try {
        decodeIpvsMessage(cut);
      } catch (e) {
        expect(e).toBeInstanceOf(NetlinkDecodeError);
      }
    }
  });
  it('random corruption gives a message or NetlinkDecodeError', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const b = good.slice();
      for (let k = 0; k < 4; k++) b[20 + (rnd() % (b.length - 20))] = rnd();
      try {
        decodeIpvsMessage(b);
      } catch (e) {
        expect(e).toBeInstanceOf(NetlinkDecodeError);
      }
    }
  });
  it('a service nest without AF is refused', () => {
    const b = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.DEL_SERVICE, service: svcTcp });
    // turn the AF attribute (type 1) into an unknown type 0x3f
    new DataView(b.buffer).setUint16(26, 0x3f, HOST_LE);
    expect(() => decodeIpvsMessage(b)).toThrow(/without IPVS_SVC_ATTR_AF/);
  });
});

describe('netlink errors, ACKs and dumps', () => {
  const req = encodeIpvsMessage({ header: hdr(), cmd: IpvsCmd.NEW_SERVICE, service: svcTcp });
  it('an ACK is 36 bytes, capped, echoing only the header', () => {
    const ack = encodeError(req, 0, 99);
    expect(ack.length).toBe(36);
    const e = decodeError(ack);
    expect(e).toMatchObject({ errno: 0, request: { seq: 7, type: 0x24 } });
    expect(e.header.flags & NlmFlag.CAPPED).toBe(NlmFlag.CAPPED);
  });
  it('an error echoes the whole request', () => {
    const err = encodeError(req, 17, 99);
    expect(err.length).toBe(20 + req.length);
    expect(decodeError(err).errno).toBe(17);
    expect(errnoName(17)).toBe('EEXIST');
  });
  it('reads the extended ACK message', () => {
    const ack = encodeError(req, 22, 99);
    const tlv = new Uint8Array([12, 0, 1, 0, ...new TextEncoder().encode('bad AF\0'), 0]);
    const withTlv = new Uint8Array([...ack, ...tlv]);
    const v = new DataView(withTlv.buffer);
    v.setUint32(0, withTlv.length, HOST_LE);
    v.setUint16(6, NlmFlag.ACK_TLVS, HOST_LE);
    expect(decodeError(withTlv).message).toBe('bad AF');
  });
  it('NLMSG_DONE carries the dump status', () => {
    expect(decodeDone(encodeDone(3, 9)).errno).toBe(0);
    expect(decodeDone(encodeDone(3, 9, 4)).errno).toBe(4);
  });
  it('names errors as ipvsadm users know them, ESRCH apart from ENOENT', () => {
    expect(describeIpvsError(IpvsCmd.NEW_DEST, 3)).toBe('IPVS_CMD_NEW_DEST: ESRCH (no such service)');
    expect(describeIpvsError(IpvsCmd.SET_DEST, 2)).toBe('IPVS_CMD_SET_DEST: ENOENT (no such destination)');
    expect(describeIpvsError(IpvsCmd.NEW_SERVICE, 2)).toContain('scheduler');
    expect(describeIpvsError(IpvsCmd.NEW_SERVICE, 17)).toContain('service already exists');
    expect(describeIpvsError(IpvsCmd.FLUSH, 1)).toContain('EPERM');
  });
});

describe('nlctrl family messages', () => {
  it('GETFAMILY "IPVS" is 32 bytes with a 9-byte name attribute', () => {
    const b = encodeGetFamily('IPVS', 1, 2);
    expect(b.length).toBe(32);
    expect(hex(b.subarray(16))).toBe('03010000' + (HOST_LE ? '09000200' : '00090002') + '4950565300000000');
    expect(decodeGetFamily(b)).toMatchObject({ name: 'IPVS', header: { type: GENL_ID_CTRL } });
  });
  it('NEWFAMILY round trip', () => {
    const f = { id: 0x24, name: 'IPVS', version: 1, hdrSize: 0, maxAttr: 6, ops: [{ id: 1, flags: 0xb }, { id: 4, flags: 0xf }], mcastGroups: [{ name: 'events', id: 9 }] };
    expect(decodeFamily(encodeFamily(f, 1, 2))).toEqual(f);
  });
});

describe('addresses', () => {
  it.each([
    ['2001:db8::10', '2001:db8::10'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:198.51.100.1', '::ffff:198.51.100.1'],
    ['64:ff9b::198.51.100.1', '64:ff9b::c633:6401'],
  ])('%s is written %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });
  it.each(['1:2:3:4:5:6:7', '1::2::3', ':1', '1:2:3:4:5:6:7:8:9', '12345::', '198.51.100', '198.51.100.256', '01.2.3.4', 'g::1'])('%s is not an address', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
  it('formats what it parses', () => {
    expect(formatIpv6(parseIpv6('fe80::1:2')!)).toBe('fe80::1:2');
    expect(ipvsVersionText(0x010201)).toBe('1.2.1');
  });
});
