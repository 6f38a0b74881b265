// HTTP load for load-balancing system tests; prints one JSON line with who answered.
//   node lb-client.mjs '{"url":"http://203.0.113.10/","count":1000,"concurrency":4,"sources":["203.0.113.101"],"timeoutMs":2000}'
//     → {"counts":{"s1":334,…},"perSource":{"203.0.113.101":{"s2":20}},"failures":0,"errors":{}}
//   node lb-client.mjs '{"url":…,"hold":3,"goFile":"/tmp/x/go","waitMs":20000}'
//     → opens `hold` keep-alive connections, prints {"first":[names]}, waits for goFile to exist,
//       asks again on the same connections and prints {"second":[names],"reused":[bools]}.
//   node lb-client.mjs '{"url":…,"stream":true,"stopFile":"/tmp/x/stop","maxMs":60000,"paceMs":10,"concurrency":2}'
//     → requests without pause until stopFile exists (or maxMs), each worker waiting paceMs
//       between requests; prints {"stream":[[startMs,endMs,"s1"|"!ECONNREFUSED"],…]} (wall clock)
// Every request has a timeout and every wait a bound; the process always exits.
import http from 'node:http';
import { existsSync } from 'node:fs';

const o = JSON.parse(process.argv[2] ?? '{}');
const timeoutMs = o.timeoutMs ?? 2000;

function ask(opts) {
  return new Promise((resolve) => {
    const req = http.get(o.url, { timeout: timeoutMs, ...opts }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ name: body.trim(), reused: req.reusedSocket }));
      res.on('error', (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
  });
}

if (o.hold) {
  const agents = Array.from({ length: o.hold }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const first = [];
  for (const agent of agents) first.push((await ask({ agent })).name ?? null);
  console.log(JSON.stringify({ first }));
  const deadline = Date.now() + (o.waitMs ?? 20_000);
  while (!existsSync(o.goFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const second = [];
  const reused = [];
  for (const agent of agents) {
    const r = await ask({ agent });
    second.push(r.name ?? null);
    reused.push(Boolean(r.reused));
  }
  console.log(JSON.stringify({ second, reused }));
  for (const a of agents) a.destroy();
} else if (o.stream) {
  const stream = [];
  const deadline = Date.now() + (o.maxMs ?? 60_000);
  const stop = () => Date.now() >= deadline || existsSync(o.stopFile);
  const worker = async () => {
    while (!stop()) {
      const t0 = Date.now();
      const r = await ask({ agent: false, headers: { connection: 'close' } });
      stream.push([t0, Date.now(), r.error || !r.name ? `!${r.error ?? 'empty'}` : r.name]);
      await new Promise((res) => setTimeout(res, o.paceMs ?? 10));
    }
  };
  console.log('streaming');
  await Promise.all(Array.from({ length: o.concurrency ?? 2 }, worker));
  console.log(JSON.stringify({ stream }));
} else {
  const counts = {};
  const perSource = {};
  const errors = {};
  let failures = 0;
  let next = 0;
  const sources = o.sources ?? [];
  const worker = async () => {
    while (next < o.count) {
      const i = next++;
      const src = sources.length ? sources[i % sources.length] : undefined;
      const r = await ask({ agent: false, headers: { connection: 'close' }, ...(src ? { localAddress: src } : {}) });
      if (r.error || !r.name) {
        failures++;
        errors[r.error ?? 'empty'] = (errors[r.error ?? 'empty'] ?? 0) + 1;
        continue;
      }
      counts[r.name] = (counts[r.name] ?? 0) + 1;
      if (src) (perSource[src] ??= {})[r.name] = (perSource[src][r.name] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  console.log(JSON.stringify({ counts, perSource, failures, errors }));
}
