/**
 * keepalived 2.2.7's own IPVS generic netlink messages (../shared/ipvs-golden, captured with a
 * shim that plays the kernel; see its README). Read in place, never copied.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from '../helpers/shared.js';

export const GOLDEN_DIR = join(SHARED_DIR, 'ipvs-golden', 'cases');
export const goldenAvailable = existsSync(GOLDEN_DIR);

export interface GoldenMessage {
  process: string;
  name: string;
  flags: number;
  /** nlmsghdr + genlmsghdr + attributes, seq and pid zeroed (messages.norm). */
  hex: string;
}

export function goldenCases(): string[] {
  return goldenAvailable ? readdirSync(GOLDEN_DIR).filter((d) => existsSync(join(GOLDEN_DIR, d, 'messages.norm'))).sort() : [];
}

export function goldenMessages(name: string): GoldenMessage[] {
  return readFileSync(join(GOLDEN_DIR, name, 'messages.norm'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [process, cmd, flags, hex] = l.trim().split(/\s+/);
      return { process: process!, name: cmd!, flags: Number(flags), hex: hex! };
    });
}

/** Zero a message's sequence number and port id, as messages.norm does. */
export function normalised(msg: Uint8Array): string {
  const b = Uint8Array.from(msg);
  b.fill(0, 8, 16);
  return Buffer.from(b).toString('hex');
}
