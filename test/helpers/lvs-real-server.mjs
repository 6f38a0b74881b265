/**
 * A minimal real server for the LVS side-by-side test (plain JavaScript, so it starts in well
 * under a second):
 *
 *   node test/helpers/lvs-real-server.mjs PORT
 *
 * Listens on 0.0.0.0:PORT, answers every HTTP request with 200 "ok" and closes, prints
 * `listening PORT` when ready, then `conn` for every accepted connection and `closed` when it is
 * gone, so a test sees when a checker's probe arrives and when it has finished. Stopping the
 * process is "the server goes down" (connection refused).
 */
import http from 'node:http';

const port = Number(process.argv[2] ?? 80);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2, connection: 'close' });
  res.end('ok');
});
server.on('connection', (sock) => {
  process.stdout.write('conn\n');
  sock.on('error', () => {});
  sock.on('close', () => process.stdout.write('closed\n'));
});
server.listen({ port, host: '0.0.0.0' }, () => process.stdout.write(`listening ${port}\n`));
