// A tiny HTTP server that answers every request with its own name (system tests of load balancing).
//   node name-server.mjs NAME PORT      → prints "listening NAME" once it accepts (IPv4 and IPv6)
import http from 'node:http';

const [name, port] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  req.resume();
  res.setHeader('content-type', 'text/plain');
  res.end(`${name}\n`);
});
server.keepAliveTimeout = 120_000; // the binding test holds connections open across table changes
server.listen(Number(port), '::', () => console.log(`listening ${name}`));
process.on('SIGTERM', () => process.exit(0));
