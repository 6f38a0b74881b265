import { describe, expect, it } from 'vitest';
import { compileConfig, compileText } from '../../config/index.js';
import { memFs } from './helpers.js';

const vi = (name: string, vrid: number, extra = '') =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${extra}\n virtual_ipaddress {\n  10.0.0.${vrid}\n }\n}\n`;

describe('include', () => {
  it('expands globs relative to the including file, in sorted order, recursively', () => {
    const fs = memFs({
      '/etc/keepalived/keepalived.conf': 'global_defs {\n router_id main\n}\ninclude conf.d/*.conf\n',
      '/etc/keepalived/conf.d/20-b.conf': vi('B', 2),
      '/etc/keepalived/conf.d/10-a.conf': `${vi('A', 1)}include ../extra/{x,y}.inc\n`,
      '/etc/keepalived/extra/x.inc': vi('X', 3),
      '/etc/keepalived/extra/y.inc': vi('Y', 4),
    });
    const { model, diagnostics } = compileConfig('/etc/keepalived/keepalived.conf', fs.readFile, { listDir: fs.listDir });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(model.vrrpInstances.map((i) => i.name)).toEqual(['A', 'X', 'Y', 'B']);
    expect(model.files).toEqual([
      '/etc/keepalived/keepalived.conf',
      '/etc/keepalived/conf.d/10-a.conf',
      '/etc/keepalived/extra/x.inc',
      '/etc/keepalived/extra/y.inc',
      '/etc/keepalived/conf.d/20-b.conf',
    ]);
    expect(model.vrrpInstances[1]!.source).toEqual({ file: '/etc/keepalived/extra/x.inc', line: 1 });
  });

  it('works inside a block and reports includes that match nothing (as lint: keepalived only logs it)', () => {
    const fs = memFs({
      '/k/main.conf': 'vrrp_instance A {\n include body.inc\n include missing/*.inc\n}\n',
      '/k/body.inc': 'interface eth0\nvirtual_router_id 9\nvirtual_ipaddress {\n 10.1.1.1\n}\n',
    });
    const { model, diagnostics } = compileConfig('/k/main.conf', fs.readFile, { listDir: fs.listDir });
    expect(model.vrrpInstances[0]!.vrid).toBe(9);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: '/k/main.conf', line: 3, kind: 'lint' });
  });

  it('stops include loops', () => {
    const fs = memFs({ '/k/a.conf': 'include b.conf\n', '/k/b.conf': 'include a.conf\n' });
    const { diagnostics } = compileConfig('/k/a.conf', fs.readFile, { listDir: fs.listDir });
    expect(diagnostics).toEqual([
      expect.objectContaining({ file: '/k/b.conf', line: 1, severity: 'error', message: 'include loop: /k/a.conf is already being read (/k/a.conf -> /k/b.conf -> /k/a.conf) - skipping it' }),
    ]);
  });

  it('reports a missing entry file as cannot-run', () => {
    const { diagnostics, model } = compileConfig('/nope.conf', () => undefined);
    expect(model.vrrpInstances).toEqual([]);
    expect(diagnostics[0]).toMatchObject({ kind: 'fatal', severity: 'error' });
  });
});

describe('definitions, conditionals, sequences', () => {
  it('substitutes $NAME and ${NAME}, recursively, and leaves unknown names alone', () => {
    const text = ['$IF=eth1', '$PRIO=1${ONE}0', '$ONE=5', 'vrrp_instance A {', ' interface $IF', ' virtual_router_id 3', ' priority ${PRIO}', ' notify_master "/bin/echo $UNKNOWN"', ' virtual_ipaddress {', '  10.0.0.1', ' }', '}'].join('\n');
    const { model } = compileText(text);
    const a = model.vrrpInstances[0]!;
    expect(a.interface).toBe('eth1');
    expect(a.priority).toBe(150);
    expect(a.notify.master?.argv).toEqual(['/bin/echo', '$UNKNOWN']);
  });

  it('expands multi-line definitions used alone on a line', () => {
    const text = ['$VIPS=virtual_ipaddress { \\', '  10.0.0.1 \\', '}', 'vrrp_instance A {', ' interface eth0', ' virtual_router_id 3', ' $VIPS', '}'].join('\n');
    const { model, diagnostics } = compileText(text);
    expect(diagnostics).toEqual([]);
    expect(model.vrrpInstances[0]!.vips.map((v) => v.address)).toEqual(['10.0.0.1']);
  });

  it('keeps @id lines only on the matching node and @^id lines elsewhere', () => {
    const text = ['vrrp_instance A {', ' interface eth0', ' virtual_router_id 3', ' @lb1 priority 200', ' @^lb1 priority 100', ' virtual_ipaddress {', '  10.0.0.1', ' }', '}'].join('\n');
    expect(compileText(text, 'k.conf', { configId: 'lb1' }).model.vrrpInstances[0]!.priority).toBe(200);
    expect(compileText(text, 'k.conf', { configId: 'lb2' }).model.vrrpInstances[0]!.priority).toBe(100);
    expect(compileText(text).model.vrrpInstances[0]!.priority).toBe(100);
  });

  it('repeats ~SEQ lines, nested, with hex variants', () => {
    const text = [
      '~SEQ(i, 1, 3) vrrp_instance VI_$i { interface eth0 virtual_router_id $i',
      '~SEQ(i, 1, 3) }',
    ].join('\n');
    // Whole blocks on one ~SEQ line: each expansion is one logical line split at braces.
    const one = compileText('~SEQ(i, 3) vrrp_instance VI_$i {\n~SEQ(i, 3) }\n');
    expect(one.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    const seq = compileText(['~SEQ(n, 1, 2, 5) $X=$n', 'global_defs {', ' router_id r$X', '}'].join('\n'));
    expect(seq.model.globalDefs.routerId).toBe('r5');
    const hex = compileText(['~SEQx(v, 9, 11) $H=$v', 'global_defs {', ' router_id $H', '}'].join('\n'));
    expect(hex.model.globalDefs.routerId).toBe('b');
    void text;
  });

  it('reports invalid ~SEQ and recursive definitions without hanging', () => {
    const bad = compileText('~SEQ(i, 1, 0, 5) x\n');
    expect(bad.diagnostics[0]!.message).toMatch(/invalid ~SEQ values/);
    const loop = compileText('$A=$A x\nglobal_defs {\n router_id $A\n}\n');
    expect(loop.diagnostics.some((d) => /too many substitutions/.test(d.message))).toBe(true);
  });
});

describe('braces anywhere on a line', () => {
  it('reads whole blocks written on one line like keepalived', () => {
    const { model, diagnostics } = compileText(
      'vrrp_sync_group G { group { A B } }\nvrrp_instance A { interface eth0\nvirtual_router_id 1\nvirtual_ipaddress { 10.0.0.1/24 dev eth0 } }\n' +
        'vrrp_instance B {\ninterface eth0\nvirtual_router_id 2\nvirtual_ipaddress { 10.0.0.2 }\n}\n',
    );
    expect(diagnostics).toEqual([]);
    expect(model.vrrpSyncGroups[0]!.members).toEqual(['A', 'B']);
    expect(model.vrrpInstances[0]!.vips[0]).toMatchObject({ address: '10.0.0.1', prefixLength: 24, dev: 'eth0' });
  });
});

describe('bounded expansion', () => {
  it('stops an exponential include fan-out and a self-feeding multi-line definition quickly', () => {
    // f0 includes f1 twice, f1 includes f2 twice…: 2^20 reads without a loop.
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`/k/f${i}.conf`] = `include f${i + 1}.conf\ninclude f${i + 1}.conf\n`;
    files['/k/f20.conf'] = '';
    const fs = memFs(files);
    const t0 = performance.now();
    const inc = compileConfig('/k/f0.conf', fs.readFile, { listDir: fs.listDir });
    expect(inc.diagnostics.some((d) => d.kind === 'fatal' && /more than 10000 files included/.test(d.message))).toBe(true);
    const def = compileText('$A=x \\\n$A\n$A\n');
    expect(def.diagnostics.some((d) => /\$A is used inside itself/.test(d.message))).toBe(true);
    const seq = compileText('~SEQ(i, 1000) ~SEQ(j, 1000) ~SEQ(k, 1000) x\n');
    expect(seq.diagnostics.some((d) => d.kind === 'fatal' && /expands to more than/.test(d.message))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
