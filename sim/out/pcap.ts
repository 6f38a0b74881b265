/**
 * Collects every frame put on any simulated wire and writes a classic pcap (Ethernet link
 * type) with protocol/pcap.ts. Timestamps are the simulation's wall clock (2026-01-01 + sim time).
 */
import { writePcap } from '../../protocol/pcap.js';

export class PcapCollector {
  private readonly records: Array<{ tsSec: number; tsUsec: number; data: Uint8Array }> = [];

  constructor(private readonly wallOriginMs: number) {}

  readonly capture = (tUs: number, _segment: string, bytes: Uint8Array): void => {
    const us = this.wallOriginMs * 1000 + tUs;
    this.records.push({ tsSec: Math.floor(us / 1e6), tsUsec: us % 1e6, data: bytes });
  };

  get count(): number {
    return this.records.length;
  }

  bytes(): Uint8Array {
    return writePcap(this.records);
  }
}
