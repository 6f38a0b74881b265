/**
 * Notifications through the runtime: keepalived's notify_* and `notify` argv, the FIFO line
 * format and SMTP subjects, in order, one at a time; group notifies with GROUP and priority 0.
 */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../config/index.js';
import { createRuntime } from '../../actors/runtime.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';

const CONF = `
global_defs {
  router_id lb1
  notification_email { ops@example.org }
  notification_email_from ka@lb1.example.org
  smtp_server 203.0.113.25
  vrrp_notify_fifo /run/keepalived.fifo
}
vrrp_sync_group G1 {
  group { VI_1 VI_2 }
  notify /etc/keepalived/group.sh
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  notify_master "/etc/keepalived/master.sh VI_1"
  notify_backup /etc/keepalived/backup.sh
  notify /etc/keepalived/notify.sh
  smtp_alert
  virtual_ipaddress { 198.51.100.100/24 }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 150
  advert_int 1
  virtual_ipaddress { 198.51.100.101/24 }
}`;

describe('notifications through the runtime', () => {
  it('run in keepalived order, one at a time, exactly once per transition', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.scripts['/etc/keepalived/master.sh'] = { exitCode: 0, durationMs: 200 };
    const rt = createRuntime(a.ports(), compileText(CONF).model, { name: 'a' });
    const notes: Array<[number, string, string]> = [];
    rt.on((e: RuntimeEvent) => {
      if (e.type === 'notify') notes.push([e.at, e.target, e.argv.join(' ')]);
    });
    rt.start();
    lan.clock.runUntil(5000);
    const lines = notes.map(([, target, argv]) => `${target}: ${argv}`);
    expect(lines).toEqual([
      'INSTANCE/VI_1: /etc/keepalived/backup.sh',
      'INSTANCE/VI_1: /etc/keepalived/notify.sh INSTANCE VI_1 BACKUP 150',
      '/run/keepalived.fifo: INSTANCE "VI_1" BACKUP 150',
      'smtp: [lb1] VRRP Instance VI_1 - Entering BACKUP state',
      // The group leaves INIT as soon as its first member has started.
      'GROUP/G1: /etc/keepalived/group.sh GROUP G1 BACKUP 0',
      '/run/keepalived.fifo: GROUP "G1" BACKUP 0',
      '/run/keepalived.fifo: INSTANCE "VI_2" BACKUP 150',
      // Both members time out together (3.414062 s): the group goes MASTER first, then its members.
      'GROUP/G1: /etc/keepalived/group.sh GROUP G1 MASTER 0',
      '/run/keepalived.fifo: GROUP "G1" MASTER 0',
      'INSTANCE/VI_1: /etc/keepalived/master.sh VI_1',
      'INSTANCE/VI_1: /etc/keepalived/notify.sh INSTANCE VI_1 MASTER 150',
      '/run/keepalived.fifo: INSTANCE "VI_1" MASTER 150',
      'smtp: [lb1] VRRP Instance VI_1 - Entering MASTER state',
      '/run/keepalived.fifo: INSTANCE "VI_2" MASTER 150',
    ]);
    // Serialised: the master script takes 200 ms, so what follows it starts 200 ms later.
    const master = notes.findIndex(([, , argv]) => argv === '/etc/keepalived/master.sh VI_1');
    expect(notes[master + 1]![0] - notes[master]![0]).toBe(200);
    expect(a.fifo.map((f) => f.line)).toEqual(lines.filter((l) => l.startsWith('/run')).map((l) => l.slice('/run/keepalived.fifo: '.length)));
    expect(a.mails.map((m) => m.subject)).toEqual(['[lb1] VRRP Instance VI_1 - Entering BACKUP state', '[lb1] VRRP Instance VI_1 - Entering MASTER state']);
    expect(a.logLines()).toEqual(expect.arrayContaining(['VRRP_Group(G1) Syncing instances to MASTER state']));
  });

  it('stop() runs STOP notifies for instances then groups before runtime.stopped', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rt = createRuntime(a.ports(), compileText(CONF).model, { name: 'a' });
    const seen: string[] = [];
    rt.on((e) => {
      if (e.type === 'notify' && e.target.startsWith('/run')) seen.push(e.argv[0]!);
      if (e.type === 'runtime.stopped') seen.push('stopped');
    });
    rt.start();
    lan.clock.runUntil(4000);
    seen.length = 0;
    rt.stop();
    lan.clock.runUntil(10_000);
    expect(seen).toEqual(['INSTANCE "VI_1" STOP 150', 'INSTANCE "VI_2" STOP 150', 'GROUP "G1" STOP 0', 'stopped']);
    expect(a.vips()).toEqual([]);
  });
});
