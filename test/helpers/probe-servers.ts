/**
 * Real servers for the probe system tests, one per process, started inside a lab namespace:
 *
 *   node --import tsx test/helpers/probe-servers.ts KIND PORT [--cert F --key F] [--rcode N]
 *
 * KIND: http (answers "hello <path>", 404 for /missing, chunked for /chunked), https (same over
 * TLS, asks for a client certificate without requiring one), dribble (HTTP that sends one byte
 * every 100 ms and never ends), smtp (smtp-server), smtp-multiline (a hand-written greeting
 * `220-…` / `220 …`), dns (answers every query with an SOA, RCODE from --rcode), udp-echo,
 * capture (prints each raw request as JSON, answers "hello world", chunked for /chunked),
 * tcp-peer (sends nothing; prints `peer from=ADDR:PORT end=fin|rst` when the client closes).
 * Listens on [::] (IPv4 too), prints `listening KIND PORT` when ready and one line per request
 * (`request …`) for the tests to read. Stopping the process is "the server goes down".
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import { decode, encode } from 'dns-packet';
import { SMTPServer } from 'smtp-server';

const [kind, portText, ...rest] = process.argv.slice(2);
const port = Number(portText);
const flag = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function web(req: http.IncomingMessage, res: http.ServerResponse): void {
  const sock = req.socket as tls.TLSSocket;
  const peerCert = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
  const client = peerCert && 'subject' in peerCert && peerCert.subject ? peerCert.subject.CN : '-';
  say(`request ${req.method} ${req.url} HTTP/${req.httpVersion} host=${req.headers.host ?? '-'} ua=${req.headers['user-agent'] ?? '-'} connection=${req.headers.connection ?? '-'} from=${req.socket.remoteAddress}:${req.socket.remotePort} sni=${sock.servername || '-'} client=${client}`);
  if (req.url === '/missing') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end('not here');
  }
  if (req.url === '/chunked') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('hello ');
    return void setTimeout(() => res.end('chunked'), 20);
  }
  const body = `hello ${req.url}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listening(): void {
  say(`listening ${kind} ${port}`);
}

switch (kind) {
  case 'http':
    http.createServer(web).listen(port, '::', listening);
    break;
  case 'https':
    https
      .createServer({ cert: readFileSync(flag('--cert')!), key: readFileSync(flag('--key')!), requestCert: true, rejectUnauthorized: false }, web)
      .listen(port, '::', listening);
    break;
  case 'dribble':
    net
      .createServer((c) => {
        say(`request dribble from=${c.remoteAddress}`);
        c.write('HTTP/1.0 200 OK\r\n');
        const t = setInterval(() => c.write('X-Slow: y\r\n'), 100);
        c.on('close', () => clearInterval(t));
        c.on('error', () => clearInterval(t));
      })
      .listen(port, '::', listening);
    break;
  case 'smtp': {
    const s = new SMTPServer({ authOptional: true, disableReverseLookup: true, banner: 'probe test', onConnect: (session, cb) => (say(`request smtp from=${session.remoteAddress}`), cb()) });
    s.listen(port, '::', listening);
    break;
  }
  case 'smtp-multiline':
    net
      .createServer((c) => {
        say(`request smtp-multiline from=${c.remoteAddress}`);
        c.write('220-mail.example.net ESMTP\r\n220-this greeting has\r\n220 three lines\r\n');
        let buf = '';
        c.on('data', (d) => {
          buf += d.toString('latin1');
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            say(`request smtp-line ${line}`);
            if (/^HELO /i.test(line)) c.write('250 pleased to meet you\r\n');
            else if (/^QUIT/i.test(line)) c.end('221 bye\r\n');
            else c.write('500 what\r\n');
          }
        });
        c.on('error', () => undefined);
      })
      .listen(port, '::', listening);
    break;
  case 'dns': {
    const rcode = Number(flag('--rcode') ?? 0);
    const s = dgram.createSocket({ type: 'udp6', ipv6Only: false });
    s.on('message', (m, r) => {
      const q = decode(m);
      const question = q.questions?.[0];
      say(`request dns id=${q.id} type=${question?.type} name=${question?.name || '.'} rd=${(q.flags ?? 0) & 0x100 ? 1 : 0} from=${r.address}`);
      const answer = encode({
        type: 'response',
        id: q.id ?? 0,
        flags: (q.flags ?? 0) | rcode,
        questions: q.questions ?? [],
        answers: rcode ? [] : [{ type: 'SOA', name: question?.name ?? '.', data: { mname: 'ns.example.', rname: 'hostmaster.example.', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 60 } }],
      });
      s.send(answer, r.port, r.address);
    });
    s.bind(port, '::', listening);
    break;
  }
  case 'capture':
    net
      .createServer((c) => {
        let raw = '';
        c.on('data', (d) => {
          raw += d.toString('latin1');
          if (!raw.includes('\r\n\r\n')) return;
          say(`request-raw ${JSON.stringify(raw)}`);
          if (raw.startsWith('GET /chunked ')) c.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n');
          else c.end('HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nhello world');
        });
        c.on('error', () => undefined);
      })
      .listen(port, '::', listening);
    break;
  case 'tcp-peer':
    net
      .createServer((c) => {
        const from = `${c.remoteAddress}:${c.remotePort}`;
        let told = false;
        const tell = (end: string): void => {
          if (!told) say(`peer from=${from} end=${end}`);
          told = true;
          c.destroy();
        };
        c.on('end', () => tell('fin'));
        c.on('error', (e: NodeJS.ErrnoException) => tell(e.code === 'ECONNRESET' ? 'rst' : (e.code ?? 'error')));
        c.resume();
      })
      .listen(port, '::', listening);
    break;
  case 'udp-echo': {
    const s = dgram.createSocket({ type: 'udp6', ipv6Only: false });
    s.on('message', (m, r) => {
      say(`request udp ${m.length} bytes from=${r.address}`);
      s.send(m, r.port, r.address);
    });
    s.bind(port, '::', listening);
    break;
  }
  default:
    process.stderr.write(`unknown server kind ${kind}\n`);
    process.exit(2);
}
