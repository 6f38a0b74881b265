/**
 * The committed Mermaid diagram of the instance machine (docs/statecharts/vrrpInstance.mmd) is the
 * exporter's output for the current machine, and shows the RFC transitions by name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import { loadMachines, toMermaid } from '../../sim/tools/export-diagrams.js';

const committed = () => readFileSync(new URL('../../docs/statecharts/vrrpInstance.mmd', import.meta.url), 'utf8');

describe('instance statechart diagram', () => {
  it('docs/statecharts/vrrpInstance.mmd is up to date (regenerate: npx tsx sim/tools/export-diagrams.ts)', () => {
    expect(committed()).toBe(toMermaid(instanceMachine));
  });

  it('shows named delays, guards and the R-25 internal transition', () => {
    const text = toMermaid(instanceMachine);
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(text).toContain('vrrpInstance_backup_countdown --> vrrpInstance_backup_countdown : net.advert [repeatsKnownMaster] (internal)');
    expect(text).toContain('vrrpInstance_master_advertising --> vrrpInstance_master_advertising : track.priority (internal)');
    expect(text).toContain('vrrpInstance_master_advertising --> vrrpInstance_fault : xstate.error.actor.adverTimer');
    expect(text).not.toContain('adverTimerExpired');
    expect(text).toContain('vrrpInstance_backup --> vrrpInstance_backup_countdown : net.advert [backupAcceptsAdvert]');
    expect(text).toContain('vrrpInstance_backup --> vrrpInstance_backup : net.advert (internal)');
    expect(text).toContain('vrrpInstance_master --> vrrpInstance_backup : net.advert [advertBeatsUs]');
    expect(text).toMatch(/note right of vrrpInstance_master\n {4}RFC 5798 §6\.4\.3[^\n]*\n {2}end note\n/);
  });

  it('the exporter finds the machines of a folder, one diagram id each', async () => {
    const found = await loadMachines(new URL('../../machines/vrrp', import.meta.url).pathname);
    const ids = found.map(({ machine }) => machine.id);
    expect(ids).toContain('vrrpInstance');
    expect(new Set(ids).size).toBe(ids.length);
  });
});
