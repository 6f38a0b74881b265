/**
 * Compile time and memory of the keepalived.conf compiler on a generated config with 10,000
 * vrrp_instances (each with a VIP block, unicast peers, a track_script and notify scripts) and
 * 10,000 real_servers (100 virtual servers × 100, each with a TCP_CHECK).
 *
 *   npx tsx --expose-gc bench/config.bench.ts [instances] [realServers]
 *
 * Prints figures; asserts nothing.
 */
import { cpus, loadavg } from 'node:os';
import { compileText, printConfig } from '../config/index.js';

export function generateConfig(instances: number, realServers: number): string {
  const out: string[] = ['global_defs {', '  router_id bench', '  enable_script_security', '  script_user root', '}'];
  out.push('vrrp_script chk {', '  script "/usr/bin/true"', '  interval 2', '  weight -10', '}');
  for (let i = 0; i < instances; i++) {
    const a = 10 + Math.floor(i / 250);
    const b = i % 250;
    out.push(
      `vrrp_instance VI_${i} {`,
      '  state BACKUP',
      `  interface eth${i % 8}`,
      `  virtual_router_id ${(i % 255) + 1}`,
      `  priority ${100 + (i % 50)}`,
      '  advert_int 1',
      `  unicast_src_ip 198.51.${a % 256}.${b + 1}`,
      '  unicast_peer {',
      `    203.0.${a % 256}.${b + 1}`,
      '  }',
      '  authentication {',
      '    auth_type PASS',
      `    auth_pass p${i}`,
      '  }',
      '  virtual_ipaddress {',
      `    10.${a % 256}.${b}.1/24 dev eth${i % 8} label eth${i % 8}:${i % 100}`,
      '  }',
      '  track_script {',
      '    chk',
      '  }',
      '  notify "/usr/local/bin/notify.sh"',
      '}',
    );
  }
  const perVs = 100;
  for (let v = 0; v * perVs < realServers; v++) {
    out.push(`virtual_server 192.168.${Math.floor(v / 200)}.${(v % 200) + 1} 80 {`, '  delay_loop 6', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP');
    for (let r = 0; r < perVs && v * perVs + r < realServers; r++) {
      const n = v * perVs + r;
      out.push(`  real_server 172.16.${Math.floor(n / 250) % 256}.${(n % 250) + 1} 8080 {`, '    weight 1', '    TCP_CHECK {', '      connect_timeout 3', '      retry 2', '      delay_before_retry 2', '    }', '  }');
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function main() {
  const instances = Number(process.argv[2] ?? 10_000);
  const realServers = Number(process.argv[3] ?? 10_000);
  const text = generateConfig(instances, realServers);
  const lines = text.split('\n').length;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const runs: number[] = [];
  let result = compileText(text, 'bench.conf');
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    result = compileText(text, 'bench.conf');
    runs.push(performance.now() - t0);
  }
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const printed = printConfig(result.model);
  const printMs = performance.now() - t1;
  const m = result.model;
  const rsCount = m.virtualServers.reduce((n, v) => n + v.realServers.length, 0);
  console.log(`config: ${instances} vrrp_instances, ${realServers} real_servers, ${lines} lines, ${mb(text.length)} of text`);
  console.log(`compiled: ${m.vrrpInstances.length} instances, ${m.virtualServers.length} virtual servers, ${rsCount} real servers, ${result.diagnostics.length} diagnostics`);
  console.log(`compile time: best ${Math.min(...runs).toFixed(0)} ms, runs ${runs.map((r) => r.toFixed(0)).join(' / ')} ms (${((Math.min(...runs) * 1000) / lines).toFixed(2)} µs/line)`);
  const heapNote = global.gc ? '' : ' (run with --expose-gc for exact figures)';
  console.log(`heap held by the model: ${mb(heapAfter - heapBefore)}${heapNote}; peak rss ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`print (--print): ${printMs.toFixed(0)} ms, ${mb(printed.length)}`);
  console.log(`machine: ${cpus().length} cpus, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared; figures scale with load)`);
}

if (process.argv[1]?.endsWith("config.bench.ts")) main();
