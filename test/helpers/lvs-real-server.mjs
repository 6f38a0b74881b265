/**
 * A minimal real server for the LVS side-by-side test and bench (plain JavaScript, so it starts
 * in well under a second):
 *
 *   node test/helpers/lvs-real-server.mjs PORT[,PORT…|FIRST-LAST] [--count]
 *
 * Listens on 0.0.0.0 at each port, answers every HTTP request with 200 "ok", prints
 * `listening PORT` when ready (the first port), and then `conn` for every accepted connection so
 * a test sees when a checker's probe arrives — or, with --count, `conns N` once a second (the
 * connections accepted in that second), for benches at thousands of checks a second. Stopping the
 * process is "the server goes down" (connection refused).
 */
import http from 'node:http';

const spec = process.argv[2] ?? '80';
const count = process.argv.includes('--count');
const ports = spec.includes('-')
  ? Array.from({ length: Number(spec.split('-')[1]) - Number(spec.split('-')[0]) + 1 }, (_, i) => Number(spec.split('-')[0]) + i)
  : spec.split(',').map(Number);

let accepted = 0;
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2, connection: 'close' });
  res.end('ok');
});
server.on('connection', (sock) => {
  accepted++;
  if (!count) process.stdout.write('conn\n');
  sock.on('error', () => {});
});
if (count) setInterval(() => {
  process.stdout.write(`conns ${accepted}\n`);
  accepted = 0;
}, 1000);

let pending = ports.length;
for (const port of ports) {
  const s = port === ports[0] ? server : http.createServer(server.listeners('request')[0]);
  if (s !== server) s.on('connection', server.listeners('connection')[0]);
  s.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => {
    if (--pending === 0) process.stdout.write(`listening ${ports[0]}\n`);
  });
}
