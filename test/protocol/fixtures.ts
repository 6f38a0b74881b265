/** Loads the hex frame fixtures of test/fixtures/packets/ (captured from keepalived 2.2.7). */
import { SHARED_DIR } from '../helpers/shared.js';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hexToBytes } from '../../protocol/bytes.js';

const here = dirname(new URL(import.meta.url).pathname);
export const FIXTURE_DIR = resolve(here, '../fixtures/packets');
export const SHARED_PCAP_DIR = join(SHARED_DIR, 'pcaps/keepalived-2.2.7');

export interface FixtureFrame {
  tsSec: number;
  tsUsec: number;
  data: Uint8Array;
}

export type FixtureName =
  | 'v2-pass'
  | 'v2-ah'
  | 'v2-noauth-2vips'
  | 'v3-ipv4'
  | 'v3-ipv4-fast'
  | 'v3-ipv6'
  | 'garp-v2'
  | 'na-v3-ipv6';

export const FIXTURE_NAMES: FixtureName[] = [
  'v2-pass',
  'v2-ah',
  'v2-noauth-2vips',
  'v3-ipv4',
  'v3-ipv4-fast',
  'v3-ipv6',
  'garp-v2',
  'na-v3-ipv6',
];

export function loadFrames(name: FixtureName): FixtureFrame[] {
  const text = readFileSync(join(FIXTURE_DIR, `${name}.hex`), 'utf8');
  const out: FixtureFrame[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [ts, hex] = line.trim().split(/\s+/);
    const [sec, usec] = (ts ?? '').split('.');
    const data = hexToBytes(hex ?? '');
    if (!data) throw new Error(`bad hex in fixture ${name}`);
    out.push({ tsSec: Number(sec), tsUsec: Number(usec), data });
  }
  return out;
}

export function firstFrame(name: FixtureName): Uint8Array {
  return loadFrames(name)[0]!.data;
}

export function sharedPcapPath(name: FixtureName): string | undefined {
  const p = join(SHARED_PCAP_DIR, `${name}.pcap`);
  return existsSync(p) ? p : undefined;
}

export function hex(text: string): Uint8Array {
  const b = hexToBytes(text);
  if (!b) throw new Error(`bad hex literal ${text}`);
  return b;
}

/** True when tshark can be run (tests that need it skip with a reason otherwise). */
export function tsharkAvailable(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
