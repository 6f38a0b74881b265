import { describe, expect, it } from 'vitest';
import type { NetnsLab } from '../../test/helpers/netns.js';
import { everyCpuStalls, lateInStalls, lateMaxOutsideStalls, parseCyclictest, startStallProbe, stallOverlapMs } from '../../bench/lib/stall-probe.js';

// What cyclictest 2.40 printed on this machine with the probe's flags (-p 80 -t -a -q
// --spike=1000), shortened: a warning, one summary line per thread, then the spikes (not in time
// order).
const OUTPUT = `WARN: not setting cpu_dma_latency from cyclictest
T: 0 (14546) P:80 I:1000 C:   3991 Min:      9 Act:   57 Avg:   60 Max:    3342
T: 1 (14547) P:80 I:1000 C:   3990 Min:      5 Act:   39 Avg:   40 Max:   10745

T: 1 Spike:    1045: TS: 1796460483420508
T: 0 Spike:    3342: TS: 1796460484654305
T: 1 Spike:    2071: TS: 1796460481232463
spikes = 3

`;

describe('the machine stall probe (bench/lib/stall-probe.ts)', () => {
  it('reads both threads, the latest wake-up of either, and the stalls in time order', () => {
    const r = parseCyclictest(OUTPUT)!;
    expect(r.threads).toBe(2);
    expect(r.cycles).toBe(7981);
    expect(r.maxMs).toBe(10.745);
    expect(r.stalls).toEqual([
      { thread: 1, lateMs: 2.071, endMs: 1796460481232.463 },
      { thread: 1, lateMs: 1.045, endMs: 1796460483420.508 },
      { thread: 0, lateMs: 3.342, endMs: 1796460484654.305 },
    ]);
  });

  it('has no report when cyclictest printed no summary (it failed to start, or was killed)', () => {
    expect(parseCyclictest('WARN: not setting cpu_dma_latency from cyclictest\n')).toBeUndefined();
    expect(parseCyclictest('')).toBeUndefined();
  });

  it('counts a late advert as due in a stall only when the stall overlaps [due, sent]', () => {
    const stalls = [{ thread: 0, lateMs: 3, endMs: 1000 }]; // the probe stalled over [997, 1000]
    const late = [
      { atMs: 1002, lateMs: 4 }, // due 998: inside the stall
      { atMs: 997.5, lateMs: 2.5 }, // due 995, sent 997.5: overlaps its start
      { atMs: 996, lateMs: 3 }, // due 993, sent 996: ended before the stall
      { atMs: 1010, lateMs: 5 }, // due 1005: after it
      { atMs: 999, lateMs: 1.5 }, // not more than 2 ms late: not counted at all
      { atMs: 999, lateMs: 2 }, // exactly 2 ms: not more than 2
    ];
    expect(lateInStalls(late, stalls, 2)).toMatchObject({ late: 4, inStall: 2 });
    expect(lateInStalls(late, [], 2)).toEqual({ late: 4, inStall: 0, byChance: 0 });
  });

  it("gives the lateness max over the adverts not due in a stall: the daemon's own", () => {
    const stalls = [{ thread: 0, lateMs: 3, endMs: 1000 }]; // [997, 1000]
    const late = [
      { atMs: 1002, lateMs: 4 }, // due 998: in the stall, left out
      { atMs: 1010, lateMs: 2.5 }, // due 1007.5: the daemon's own
      { atMs: 990, lateMs: -0.5 }, // early
      { atMs: 1020, lateMs: 0.3 },
    ];
    expect(lateMaxOutsideStalls(late, stalls)).toBe(2.5);
    expect(lateMaxOutsideStalls(late, [])).toBe(4);
    expect(lateMaxOutsideStalls([{ atMs: 1002, lateMs: 4 }], stalls)).toBeNaN();
    expect(lateMaxOutsideStalls([{ atMs: 990, lateMs: -0.5 }], [])).toBe(-0.5);
  });

  it('says how many late adverts would meet a stall by chance: the same intervals moved by 150 to 900 ms', () => {
    // One advert due at 1,000 and sent at 1,004; stalls that its moved copies (1,150-1,154,
    // 1,300-1,304, …, 1,900-1,904) meet: the 300 and the 900 ms ones, 2 of the 6 moves.
    const late = [{ atMs: 1004, lateMs: 4 }];
    const stalls = [
      { thread: 0, lateMs: 1, endMs: 1302 },
      { thread: 1, lateMs: 2, endMs: 1906 }, // [1,904, 1,906]: touches 1,904
      { thread: 0, lateMs: 1, endMs: 1500 }, // [1,499, 1,500]: misses 1,450-1,454 and 1,600-1,604
    ];
    expect(lateInStalls(late, stalls, 2)).toEqual({ late: 1, inStall: 0, byChance: 2 / 6 });
  });

  it('measures a takeover span against the stalls: the overlap per CPU summed, the CPUs not added', () => {
    const stalls = [
      { thread: 0, lateMs: 4, endMs: 102 }, // [98, 102]: 2 ms inside [100, 110]
      { thread: 0, lateMs: 3, endMs: 108 }, // [105, 108]: 3 ms inside
      { thread: 1, lateMs: 6, endMs: 113 }, // [107, 113]: 3 ms inside
      { thread: 1, lateMs: 2, endMs: 99 }, // [97, 99]: before the span
    ];
    expect(stallOverlapMs(stalls, 100, 110)).toBe(5);
    expect(stallOverlapMs(stalls, 200, 210)).toBe(0);
    expect(stallOverlapMs([], 100, 110)).toBe(0);
  });

  it('finds the spans with every CPU stalled at once, and the lateness max outside them', () => {
    const stalls = [
      { thread: 0, lateMs: 10, endMs: 110 }, // CPU 0 over [100, 110]
      { thread: 0, lateMs: 4, endMs: 112 }, //  and [108, 112]: one span [100, 112]
      { thread: 1, lateMs: 5, endMs: 108 }, // CPU 1 over [103, 108]: both over [103, 108]
      { thread: 1, lateMs: 3, endMs: 203 }, // CPU 1 alone over [200, 203]
      { thread: 0, lateMs: 2, endMs: 311 }, // CPU 0 over [309, 311],
      { thread: 1, lateMs: 6, endMs: 315 }, // CPU 1 over [309, 315]: both over [309, 311]
    ];
    const both = everyCpuStalls(stalls, 2);
    expect(both).toEqual([
      { thread: -1, endMs: 108, lateMs: 5 },
      { thread: -1, endMs: 311, lateMs: 2 },
    ]);
    // A third CPU that never stalled: no span had every CPU stalled.
    expect(everyCpuStalls(stalls, 3)).toEqual([]);
    expect(everyCpuStalls([], 2)).toEqual([]);
    const late = [
      { atMs: 109, lateMs: 6 }, // due 103: in the span of both
      { atMs: 204, lateMs: 3 }, // due 201: CPU 1 alone stalled, counted
      { atMs: 500, lateMs: 1 },
    ];
    expect(lateMaxOutsideStalls(late, both)).toBe(3);
    expect(lateMaxOutsideStalls(late, stalls)).toBe(1);
  });

  it('says why when cyclictest gave no summary, without its power-management warning', async () => {
    const failing = 'WARN: not setting cpu_dma_latency from cyclictest\nUnable to change scheduling policy!\nProbably missing capabilities, either run as root or increase RLIMIT_RTPRIO limits.\n';
    const argvs: string[][] = [];
    const lab = { spawn: (_ns: string, argv: string[]) => (argvs.push(argv), { stop: async () => failing }) } as unknown as NetnsLab;
    const probe = await startStallProbe(lab, 'ns');
    expect(await probe.stop()).toBe('cyclictest printed no summary: Unable to change scheduling policy! | Probably missing capabilities, either run as root or increase RLIMIT_RTPRIO limits.');
    expect(argvs[0]).toEqual(expect.arrayContaining(['--default-system', '-p', '80', '--policy=fifo', '-c', '1']));
    const quiet = { spawn: () => ({ stop: async () => '' }) } as unknown as NetnsLab;
    expect(await (await startStallProbe(quiet, 'ns')).stop()).toBe('cyclictest printed no summary');
  });
});
