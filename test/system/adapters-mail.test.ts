/**
 * Mailer round trip through nodemailer to a local smtp-server on 127.0.0.1:<ephemeral>: the
 * envelope, HELO name and raw message are read back. Also: an SMTP server that never greets is
 * given up on after smtp_connect_timeout. Local loopback only; no root needed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeMailer } from '../../adapters/node/mailer.js';

interface Received {
  from: string;
  to: string[];
  helo: string;
  raw: string;
}

describe('Mailer (nodemailer → smtp-server on loopback)', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          received.push({
            from: from ? from.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            helo: session.hostNameAppearsAs,
            raw: Buffer.concat(chunks).toString(),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers a keepalived alert: envelope, HELO name, headers and body', async () => {
    const mailer = createNodeMailer();
    const error = await new Promise<string | undefined>((resolve) =>
      mailer.send(
        { host: '127.0.0.1', port, connectTimeoutMs: 5000, helo: 'lb1.example.org' },
        { from: 'keepalived@example.org', to: ['ops@example.org', 'oncall@example.org'], subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state', text: '=> VRRP Instance is now owning VRRP VIPs <=' },
        resolve,
      ),
    );
    expect(error).toBeUndefined();
    expect(received).toHaveLength(1);
    const m = received[0]!;
    expect(m.from).toBe('keepalived@example.org');
    expect(m.to).toEqual(['ops@example.org', 'oncall@example.org']);
    expect(m.helo).toBe('lb1.example.org');
    expect(m.raw).toMatch(/^Subject: \[lb1\] VRRP Instance VI_1 - Entering MASTER state\r$/m);
    expect(m.raw).toMatch(/^From: keepalived@example\.org\r$/m);
    expect(m.raw).toMatch(/^To: ops@example\.org, oncall@example\.org\r$/m);
    expect(m.raw).toMatch(/^X-Mailer: keepalived-ts\r$/m);
    expect(m.raw).toContain('=> VRRP Instance is now owning VRRP VIPs <=');
  });

  it('uses the host name as HELO when no smtp_helo_name is given', async () => {
    const mailer = createNodeMailer({ defaultHelo: 'backup-node' });
    const error = await new Promise<string | undefined>((resolve) =>
      mailer.send({ host: '127.0.0.1', port, connectTimeoutMs: 5000 }, { from: 'a@example.org', to: ['b@example.org'], subject: 's', text: 't' }, resolve),
    );
    expect(error).toBeUndefined();
    expect(received.at(-1)?.helo).toBe('backup-node');
  });

  it('gives up after smtp_connect_timeout when the server never greets, and reports refused connections', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const mailer = createNodeMailer();
    const t0 = performance.now();
    const error = await new Promise<string | undefined>((resolve) =>
      mailer.send({ host: '127.0.0.1', port: silentPort, connectTimeoutMs: 400 }, { from: 'a@example.org', to: ['b@example.org'], subject: 's', text: 't' }, resolve),
    );
    const elapsed = performance.now() - t0;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(error).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*(Greeting never received|Timeout)/i);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(5000);

    const refused = await new Promise<string | undefined>((resolve) =>
      mailer.send({ host: '127.0.0.1', port: silentPort, connectTimeoutMs: 1000 }, { from: 'a@example.org', to: ['b@example.org'], subject: 's', text: 't' }, resolve),
    );
    expect(refused).toMatch(/ECONNREFUSED/);
  });
});
