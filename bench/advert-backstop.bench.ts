/**
 * How late the advert backstop's thread (native/advert-backstop.c) sends what it holds while the
 * main thread is held up, with the other CPUs busy too, as they are during a pause of V8's
 * collector (its helper threads mark and compact beside the main thread). No network and no
 * root: AF_UNIX datagram sockets stand in for the VRRP socket.
 *
 *   npx tsx bench/advert-backstop.bench.ts [--slots 250] [--pause 40] [--rounds 20] [--busy 2]
 *
 * Each round holds --slots datagrams, due evenly spread from 5 ms into a --pause ms busy spell
 * of the main thread to 5 ms before its end, with --busy worker threads spinning over the same
 * spell; then takes them all back. A datagram's lateness is when the thread sent it (take time − take's "ms ago")
 * minus its due time (arm time + its delay + the grace BackstopSlots adds). Prints the
 * lateness's median, p99 and max over all rounds, and how many were sent at all (the rest the
 * main thread would have sent: none should be). Asserts nothing.
 */
import { Worker } from 'node:worker_threads';
import { netio } from '../adapters/linux/native.js';
import { BACKSTOP_GRACE_MS, BackstopSlots } from '../adapters/linux/advert-backstop.js';
import { fmt, percentile } from './lib/stats.js';
import { flag } from './lib/flags.js';
import { AF_UNIX, SOCK_DGRAM, unixDgramReceiver } from '../test/helpers/unix-dgram.js';

const slotsPerRound = Number(flag('slots', '250'));
const pauseMs = Number(flag('pause', '40'));
const rounds = Number(flag('rounds', '20'));
const busyThreads = Number(flag('busy', '2'));

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function main(): Promise<void> {
  const io = netio();
  // A receiver per slot: an AF_UNIX datagram socket queues only net.unix.max_dgram_qlen datagrams.
  const receivers = Array.from({ length: slotsPerRound }, (_, i) => unixDgramReceiver(io, `backstop-bench-${i}`));
  const tx = io.socket(AF_UNIX, SOCK_DGRAM, 0);
  const slots = new BackstopSlots(io, (m) => console.error(m));
  const late: number[] = [];
  let sent = 0;
  let held = 0;
  const drainBuf = Buffer.alloc(64);
  const spin = `const { workerData } = require('node:worker_threads'); const end = Date.now() + workerData; while (Date.now() < end);`;
  for (let r = 0; r < rounds; r++) {
    const due: number[] = [];
    const workers = Array.from({ length: busyThreads }, () => new Worker(spin, { eval: true, workerData: pauseMs + 20 }));
    await new Promise((res) => setTimeout(res, 20)); // the workers spinning
    for (let i = 0; i < slotsPerRound; i++) {
      const inMs = 5 + (i * (pauseMs - 10)) / slotsPerRound;
      due.push(performance.now() + inMs + BACKSTOP_GRACE_MS); // read before the arm: lateness, if off, is overstated
      slots.hold(`s${i}`, tx, Buffer.from(`r${r} s${i}`), receivers[i]!.addr, null, inMs);
      held++;
    }
    busy(pauseMs);
    for (let i = 0; i < slotsPerRound; i++) {
      const ago = slots.take(`s${i}`);
      const now = performance.now();
      if (ago < 0) continue;
      sent++;
      late.push(now - ago - due[i]!);
    }
    for (const rx of receivers) while (io.recvmsg(rx.fd, drainBuf, Buffer.alloc(128), Buffer.alloc(64)));
    await Promise.all(workers.map((w) => w.terminate()));
  }
  slots.close(tx);
  io.close(tx);
  for (const rx of receivers) io.close(rx.fd);
  const [, , errors, realtime] = io.backstopStats();
  console.log(`advert backstop: ${rounds} rounds of ${slotsPerRound} datagrams over a ${pauseMs}-ms busy spell of the main thread, ${busyThreads} other threads spinning; the thread ${realtime ? 'at realtime priority (SCHED_FIFO 1)' : 'an ordinary one (no realtime priority allowed)'}`);
  console.log(`  sent by the backstop: ${sent} of ${held} (${errors} sends failed); lateness after the due time + ${BACKSTOP_GRACE_MS} ms grace, ms: median ${fmt(percentile(late, 50), 3)}, p99 ${fmt(percentile(late, 99), 3)}, max ${fmt(Math.max(...late), 3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
