/**
 * Every keepalived config of the shared sample corpus (decided by content: all files except SOURCE.md
 * and the systemd drop-in keepalived.service.d.auth_hmac.conf; docker/keepalived.conf is a config)
 * and every seed configuration compiles:
 * a model comes out, nothing makes keepalived stop or refuse to run, and the only error-severity
 * diagnostics are the ones keepalived itself reports for that file (listed here with the reason).
 * Files are read from /work/shared (never copied); seed configs are transcribed in
 * test/fixtures/config/seeds (see the header of each file).
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKeepalivedConfig, readText, sampleConfigs, SAMPLES_DIR, compileFile, seedFixtures } from './helpers.js';

/** Error diagnostics keepalived 2.2.7 also reports for these files (message patterns). */
const EXPECTED_ERRORS: Record<string, RegExp[]> = {
  // `to 192.168.100./24` is not an address: keepalived says "VRRP parsed invalid IP … skipping IP…".
  'keepalived.conf.vrrp.rules': [/invalid rule to address 192\.168\.100\.\/24/, /invalid rule to address 192\.168\.200\.\/24/],
  // The shipped default config's `vrrp_garp_interval 0` / `vrrp_gna_interval 0` (range starts at 1 µs).
  'keepalived/etc/keepalived/keepalived.conf': [/vrrp_garp_interval: number '0' outside range/, /vrrp_gna_interval: number '0' outside range/],
  'keepalived/etc/keepalived/keepalived.conf.sample.in': [/vrrp_garp_interval: number '0' outside range/, /vrrp_gna_interval: number '0' outside range/],
  // Seed 002 copies the default config's global_defs.
  '002-machine-1.conf': [/vrrp_garp_interval/, /vrrp_gna_interval/],
  '002-machine-2.conf': [/vrrp_garp_interval/, /vrrp_gna_interval/],
  // `vrrp_script check_VI_0` has its script only under `@low`/`@high` ids: keepalived removes it too.
  'keepalived.conf.conditional_conf': [/no script set for vrrp_script check_VI_0/, /track script check_VI_0 not found/],
  // The verbatim anonymised seed (`xxx` addresses, blocks pasted twice): keepalived reports the same.
  '003-active-active-verbatim.conf': [/already defined/, /already defined/, /already defined/, /already defined/, /invalid IP address 'xxx\/23'/, /invalid address 'xxx'/, /already defined/, /invalid address 'xxx'/, /invalid IP address 'xxx\/26'/, /invalid address 'xxx'/, /already defined/, /invalid address 'xxx'/],
  // A one-line fragment: its instance is cut short by the one-line braces (keepalived: "virtual router id must be set").
  '000-sync-group-fragment.conf': [/unexpected '\{' after 'state'/, /the virtual router id must be set/, /Virtual router http specified in sync group VG_1 doesn't exist/, /Virtual router mysql specified in sync group VG_1 doesn't exist/],
};

function check(path: string) {
  const { model, diagnostics } = compileFile(path);
  expect(diagnostics.filter((d) => d.kind === 'abort' || d.kind === 'fatal')).toEqual([]);
  const errors = diagnostics.filter((d) => d.severity === 'error' && d.kind !== 'security' && d.kind !== 'lint').map((d) => d.message);
  const key = path.startsWith(SAMPLES_DIR) ? path.slice(SAMPLES_DIR.length + 1) : basename(path);
  const expected = EXPECTED_ERRORS[key] ?? [];
  expect(errors.length, errors.join('\n')).toBe(expected.length);
  expected.forEach((re, i) => expect(errors[i]).toMatch(re));
  for (const d of diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(0);
    expect(d.message.length).toBeGreaterThan(0);
  }
  return model;
}

describe('sample corpus', () => {
  const files = sampleConfigs();
  it('finds the configs by content and leaves out the rest', () => {
    const all = readdirSync(SAMPLES_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const left = all.map((e) => `${e.parentPath}/${e.name}`).filter((p) => !files.includes(p)).map((p) => basename(p)).sort();
    expect(left).toEqual(['SOURCE.md', 'keepalived.service.d.auth_hmac.conf']);
    expect(isKeepalivedConfig(readText(`${SAMPLES_DIR}/keepalived.service.d.auth_hmac.conf`)!)).toBe(false);
    // docker/keepalived.conf is a keepalived config too (a minimal VRRP instance), so it is in.
    expect(files.some((f) => f.endsWith('docker/keepalived.conf'))).toBe(true);
    expect(files.length).toBe(28);
  });
  for (const f of files) {
    it(`compiles ${f.slice(SAMPLES_DIR.length + 1)}`, () => {
      const m = check(f);
      expect(m.vrrpInstances.length + m.virtualServers.length + m.staticIpaddresses.length).toBeGreaterThan(0);
    });
  }
});

describe('seed configurations', () => {
  for (const f of seedFixtures()) it(`compiles ${basename(f)}`, () => void check(f));
});
