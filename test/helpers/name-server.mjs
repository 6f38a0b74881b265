// A tiny HTTP server that answers every request with its own name (system tests of load balancing).
//   node name-server.mjs NAME PORT [PORT…]   → prints "listening NAME" once it accepts on every port
//                                              (IPv4 and IPv6)
import http from 'node:http';

const [name, ...ports] = process.argv.slice(2);
let waiting = ports.length;
for (const port of ports) {
  const server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'text/plain');
    res.end(`${name}\n`);
  });
  server.keepAliveTimeout = 120_000; // the binding test holds connections open across table changes
  server.listen(Number(port), '::', () => {
    if (--waiting === 0) console.log(`listening ${name}`);
  });
}
process.on('SIGTERM', () => process.exit(0));
