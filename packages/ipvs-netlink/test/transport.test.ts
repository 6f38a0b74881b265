import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createNetlinkTransport, openIpvs } from 'ipvs-netlink';

/** A stand-in for the `netlink` package's RawNetlinkSocket that records what the transport does. */
function fakeModule() {
  const log: string[] = [];
  let onMessage: ((b: Buffer) => void) | undefined;
  class RawNetlinkSocket {
    constructor(protocol: number, opts: { recvBufferSize?: number }) {
      log.push(`new ${protocol} rcvbuf=${opts.recvBufferSize}`);
    }
    on(ev: string, cb: (b: Buffer) => void) {
      if (ev === 'message') onMessage = cb;
    }
    send(msg: Uint8Array, opts: { port: number }, cb: (e?: Error) => void) {
      log.push(`send ${msg.length} to ${opts.port}`);
      cb();
    }
    address() {
      return { port: 4242 };
    }
    ref() {
      log.push('ref');
    }
    unref() {
      log.push('unref');
    }
    close() {
      log.push('close');
    }
  }
  return { mod: { RawNetlinkSocket }, log, receive: (b: Buffer) => onMessage?.(b) };
}

describe('netlink transport', () => {
  it('opens a NETLINK_GENERIC socket through the given wrapper, idle sockets do not hold the loop', () => {
    const f = fakeModule();
    let wrapped = 0;
    const t = createNetlinkTransport({ netlinkModule: f.mod, around: (create) => (wrapped++, create()) });
    expect(wrapped).toBe(1);
    expect(t.portId).toBe(4242);
    const got: number[] = [];
    t.listen((d) => got.push(d.length), () => {});
    t.setBusy?.(true);
    t.send(new Uint8Array(20));
    f.receive(Buffer.alloc(36));
    t.setBusy?.(false);
    t.close();
    t.close();
    expect(got).toEqual([36]);
    expect(f.log).toEqual(['new 16 rcvbuf=1048576', 'unref', 'ref', 'send 20 to 0', 'unref', 'close']);
  });
});

// The kernel under test: IPVS loaded, not there at all, or loadable as a module (resolving the
// family would load it, changing the host, so that case is skipped).
const ipvsLoaded = existsSync('/sys/module/ip_vs');
const depFile = `/lib/modules/${release()}/modules.dep`;
const loadable = !ipvsLoaded && existsSync(depFile) && /\/ip_vs\.ko/.test(readFileSync(depFile, 'utf8'));
let netlinkLoads = true;
try {
  await import('netlink');
} catch {
  netlinkLoads = false;
}

describe.skipIf(loadable || !netlinkLoads)('the real kernel (netlink package socket)', () => {
  it(ipvsLoaded ? 'resolves IPVS and reads its version' : 'reports a kernel without IPVS as absent, without throwing', async () => {
    const r = await openIpvs();
    if (ipvsLoaded) {
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect((await r.client.getInfo()).version).toBeGreaterThan(0);
        r.client.close();
      }
    } else {
      expect(r).toMatchObject({ ok: false, reason: 'absent', errno: 'ENOENT' });
    }
  });
});
