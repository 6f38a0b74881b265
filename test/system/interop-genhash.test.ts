/**
 * Side by side with keepalived 2.2.7's genhash (/usr/bin/genhash, a link to keepalived) in a lab
 * namespace: the request our HTTP_GET sends is byte for byte keepalived's for each
 * http_protocol, with and without virtualhost, over IPv4 and IPv6; our genhash prints the same
 * digest for a Content-Length answer, and (deliberately, docs/lvs.md) not for a chunked one,
 * where keepalived hashes the chunk framing. keepalived's genhash exits 0 even when the server is
 * gone; ours exits 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Prober, ProbeTarget } from '../../actors/lvs/prober-port.js';
import { createProber } from '../../adapters/probe/prober.js';
import { isRoot, NetnsLab, type LabProcess } from '../helpers/netns.js';
import { checker, probeOnce, startServer, url } from '../helpers/probe-lab.js';

const GENHASH = '/usr/bin/genhash';
const have = isRoot && existsSync(GENHASH);
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe.skipIf(!have)(have ? 'HTTP_GET and genhash beside keepalived 2.2.7' : 'HTTP_GET and genhash beside keepalived 2.2.7 [skipped: needs root and /usr/bin/genhash]', () => {
  const lab = new NetnsLab('kts-gh-');
  let ns = '';
  let server: LabProcess;
  let prober: Prober;

  beforeAll(async () => {
    ns = await lab.namespace('n');
    await lab.exec(ns, ['ip', 'addr', 'add', '198.51.100.2/32', 'dev', 'lo']);
    await lab.exec(ns, ['ip', 'addr', 'add', '2001:db8::2/128', 'dev', 'lo', 'nodad']);
    server = await startServer(lab, ns, 'capture', 8000);
    prober = createProber({ scripts: { run: () => ({ cancel() {} }) }, netns: ns });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await lab.cleanup();
  });

  const lastRequest = (from: number): string => {
    const lines = server.output().slice(from).split('\n').filter((l) => l.startsWith('request-raw '));
    return JSON.parse(lines.at(-1)!.slice('request-raw '.length)) as string;
  };
  const keepalived = async (args: string[]) => {
    const from = server.output().length;
    const r = await lab.exec(ns, [GENHASH, ...args, '-t', '3'], { timeoutMs: 10_000 });
    return { request: r.code === 0 && r.stdout.match(/^[0-9a-f]{32}$/m) ? lastRequest(from) : '', digest: r.stdout.match(/^[0-9a-f]{32}$/m)?.[0], code: r.code, out: r.stdout + r.stderr };
  };
  const ours = async (target: ProbeTarget, protocol: string | undefined, vhost: string | undefined) => {
    const from = server.output().length;
    const r = await probeOnce(prober, checker('HTTP_GET', { urls: [url('/page')], ...(protocol ? { httpProtocol: protocol } : {}), ...(vhost ? { virtualhost: vhost } : {}) }), target, 3000);
    expect(r.outcome).toMatchObject({ ok: true });
    return lastRequest(from);
  };

  it('sends the same request bytes for every http_protocol, virtualhost and address family', async () => {
    for (const [address, family] of [['198.51.100.2', 4], ['2001:db8::2', 6]] as const) {
      for (const protocol of [undefined, '1.0C', '1.1']) {
        for (const vhost of [undefined, 'www.example.com']) {
          const k = await keepalived(['-s', address, '-p', '8000', '-u', '/page', ...(protocol ? ['-P', protocol] : []), ...(vhost ? ['-V', vhost] : [])]);
          expect(k.request, k.out).not.toBe('');
          expect(await ours({ family, address, port: 8000 }, protocol, vhost)).toBe(k.request);
        }
      }
    }
  }, 120_000);

  it('prints the same digest for a Content-Length answer, the de-chunked one for a chunked answer, and fails where keepalived says 0', async () => {
    const cli = (args: string[]) => lab.exec(ns, [process.execPath, '--import', 'tsx', 'adapters/node/cli.ts', 'genhash', ...args], { timeoutMs: 30_000 });
    const plainK = await keepalived(['-s', '198.51.100.2', '-p', '8000', '-u', '/']);
    const plainO = await cli(['-s', '198.51.100.2', '-p', '8000', '-u', '/']);
    expect(plainO.code).toBe(0);
    expect(plainO.stdout.trim()).toBe(plainK.digest);
    expect(plainK.digest).toBe(md5('hello world'));

    const chunkedK = await keepalived(['-s', '198.51.100.2', '-p', '8000', '-u', '/chunked', '-P', '1.1']);
    const chunkedO = await cli(['-s', '198.51.100.2', '-p', '8000', '-u', '/chunked', '-P', '1.1']);
    expect(chunkedO.stdout.trim()).toBe(md5('hello world'));
    expect(chunkedK.digest).toBe(md5('6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n'));

    const goneK = await keepalived(['-s', '198.51.100.2', '-p', '8001', '-u', '/']);
    const goneO = await cli(['-s', '198.51.100.2', '-p', '8001', '-u', '/']);
    expect(goneK.code).toBe(0);
    expect(goneO.code).toBe(1);
    expect(goneO.stderr).toContain('Error connecting server 198.51.100.2:8001: Connection refused (ECONNREFUSED)');
  }, 120_000);
});
