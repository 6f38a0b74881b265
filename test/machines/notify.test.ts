/**
 * The notifier: keepalived's notify argv, FIFO lines and SMTP subjects, emitted exactly once per
 * transition and run strictly one at a time in order, with timeouts (SimClock, exact timing).
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { notifierMachine, stateJobs, type NotifierConfig, type NotifyJob } from '../../machines/notify/notifier.machine.js';

const cfg = (over: Partial<NotifierConfig> = {}): NotifierConfig => ({
  targets: [
    {
      scope: 'INSTANCE',
      name: 'VI_1',
      scripts: { master: { argv: ['/etc/ka/master.sh', 'VI_1'] }, backup: { argv: ['/etc/ka/backup.sh'] }, fault: { argv: ['/etc/ka/fault.sh'] }, notify: { argv: ['/etc/ka/notify.sh'], user: 'nobody' } },
      notifyDeleted: false,
      smtpAlert: true,
      notifyPriorityChanges: true,
    },
    { scope: 'GROUP', name: 'G1', scripts: { notify: { argv: ['/etc/ka/g.sh'] } }, notifyDeleted: false, smtpAlert: false, notifyPriorityChanges: false },
  ],
  fifos: ['/run/ka.fifo'],
  mail: { server: { host: '203.0.113.25', port: 25, connectTimeoutMs: 30_000 }, from: 'ka@lb1', to: ['ops@example.org'], routerId: 'lb1', noEmailFaults: false },
  scriptTimeoutMs: 5000,
  fifoTimeoutMs: 1000,
  mailTimeoutMs: 40_000,
  ...over,
});

function run(durations: (job: NotifyJob) => number, config = cfg()) {
  const clock = new SimClock();
  const log: Array<[number, string, string]> = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const runJob = fromCallback<EventObject, NotifyJob>(({ input, sendBack }) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    let done = false;
    const id = clock.setTimeout(() => {
      done = true;
      concurrent--;
      sendBack({ type: 'notify.jobDone', seq: input.seq, ok: true });
    }, durations(input));
    return () => {
      if (!done) concurrent--;
      clock.clearTimeout(id);
    };
  });
  const actor = createActor(notifierMachine.provide({ actors: { runJob } }), { clock, input: config });
  const describeJob = (j: NotifyJob) => (j.kind === 'script' ? j.argv.join(' ') : j.kind === 'fifo' ? `${j.path} <- ${j.line}` : `mail ${j.subject} / ${j.text}`);
  actor.on('notify.started', (e) => log.push([clock.now(), 'start', describeJob(e.job)]));
  actor.on('notify.finished', (e) => log.push([clock.now(), e.outcome, describeJob(e.job)]));
  actor.start();
  return { clock, actor, log, maxConcurrent: () => maxConcurrent };
}

describe('notify jobs (keepalived vrrp_notify.c)', () => {
  it('orders notify_<state>, then `notify` with INSTANCE name STATE priority, then FIFO, then SMTP', () => {
    const jobs = stateJobs(cfg(), { scope: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150 });
    expect(jobs).toEqual([
      { kind: 'script', target: 'INSTANCE/VI_1', argv: ['/etc/ka/master.sh', 'VI_1'], timeoutMs: 5000 },
      { kind: 'script', target: 'INSTANCE/VI_1', argv: ['/etc/ka/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '150'], user: 'nobody', timeoutMs: 5000 },
      { kind: 'fifo', target: 'INSTANCE/VI_1', path: '/run/ka.fifo', line: 'INSTANCE "VI_1" MASTER 150', timeoutMs: 1000 },
      {
        kind: 'mail',
        target: 'INSTANCE/VI_1',
        server: { host: '203.0.113.25', port: 25, connectTimeoutMs: 30_000 },
        from: 'ka@lb1',
        to: ['ops@example.org'],
        subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
        text: '=> VRRP Instance is now owning VRRP VIPs <=',
        timeoutMs: 40_000,
      },
    ]);
  });

  it('a group passes GROUP and priority 0', () => {
    const jobs = stateJobs(cfg(), { scope: 'GROUP', name: 'G1', state: 'BACKUP', priority: 200 });
    expect(jobs.map((j) => (j.kind === 'script' ? j.argv : j.kind === 'fifo' ? j.line : j.subject))).toEqual([
      ['/etc/ka/g.sh', 'GROUP', 'G1', 'BACKUP', '0'],
      'GROUP "G1" BACKUP 0',
    ]);
  });

  it('a removed instance is FAULT without notify_deleted and DELETED with it', () => {
    const plain = stateJobs(cfg(), { scope: 'INSTANCE', name: 'VI_1', state: 'DELETED', priority: 100 });
    expect(plain.map((j) => (j.kind === 'script' ? j.argv[0] : j.kind))).toEqual(['/etc/ka/fault.sh', '/etc/ka/notify.sh', 'fifo', 'mail']);
    const base = cfg();
    const c = { ...base, targets: [{ ...base.targets[0]!, notifyDeleted: true, scripts: { ...base.targets[0]!.scripts, deleted: { argv: ['/etc/ka/deleted.sh'] } } }, ...base.targets.slice(1)] };
    const del = stateJobs(c, { scope: 'INSTANCE', name: 'VI_1', state: 'DELETED', priority: 100 });
    expect(del.map((j) => (j.kind === 'script' ? j.argv.join(' ') : j.kind === 'fifo' ? j.line : j.kind))).toEqual([
      '/etc/ka/deleted.sh',
      '/etc/ka/notify.sh INSTANCE VI_1 DELETED 100',
      'INSTANCE "VI_1" DELETED 100',
    ]);
  });

  it('finds each target among many by scope and name, the first of a key winning, and follows a new targets list', () => {
    const base = cfg({ fifos: [], mail: undefined });
    const many = Array.from({ length: 1000 }, (_, k) => ({ ...base.targets[0]!, name: `VI_${k + 1}`, scripts: { master: { argv: [`/etc/ka/master-${k + 1}.sh`] } } }));
    const shadowed = { ...many[499]!, scripts: { master: { argv: ['/etc/ka/shadowed.sh'] } } };
    const c = { ...base, targets: [...many, shadowed, { ...base.targets[1]!, name: 'VI_7' }] };
    const argv = (conf: NotifierConfig, scope: 'INSTANCE' | 'GROUP', name: string) =>
      stateJobs(conf, { scope, name, state: 'MASTER', priority: 100 }).map((j) => (j.kind === 'script' ? j.argv.join(' ') : j.kind));
    expect(argv(c, 'INSTANCE', 'VI_1000')).toEqual(['/etc/ka/master-1000.sh']);
    expect(argv(c, 'INSTANCE', 'VI_500')).toEqual(['/etc/ka/master-500.sh']);
    // A GROUP of an instance's name is another target.
    expect(argv(c, 'GROUP', 'VI_7')).toEqual(['/etc/ka/g.sh GROUP VI_7 MASTER 0']);
    expect(argv(c, 'INSTANCE', 'VI_1001')).toEqual([]);
    // A reconfigure hands over a new list: its targets, not the old list's.
    const next = { ...c, targets: [{ ...many[0]!, scripts: { master: { argv: ['/etc/ka/new.sh'] } } }] };
    expect(argv(next, 'INSTANCE', 'VI_1')).toEqual(['/etc/ka/new.sh']);
    expect(argv(next, 'INSTANCE', 'VI_1000')).toEqual([]);
    expect(argv(c, 'INSTANCE', 'VI_1')).toEqual(['/etc/ka/master-1.sh']);
  });

  it('no_email_faults suppresses FAULT mail', () => {
    const c = cfg();
    c.mail = { ...c.mail!, noEmailFaults: true };
    expect(stateJobs(c, { scope: 'INSTANCE', name: 'VI_1', state: 'FAULT', priority: 100 }).some((j) => j.kind === 'mail')).toBe(false);
  });
});

describe('notifier actor', () => {
  it('runs one job at a time in order, across back-to-back transitions', () => {
    const r = run((j) => (j.kind === 'script' ? 300 : 10));
    r.actor.send({ type: 'notify.state', scope: 'INSTANCE', name: 'VI_1', state: 'BACKUP', priority: 100 });
    r.actor.send({ type: 'notify.state', scope: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 });
    r.clock.runUntil(5000);
    expect(r.log).toEqual([
      [0, 'start', '/etc/ka/backup.sh'],
      [300, 'ok', '/etc/ka/backup.sh'],
      [300, 'start', '/etc/ka/notify.sh INSTANCE VI_1 BACKUP 100'],
      [600, 'ok', '/etc/ka/notify.sh INSTANCE VI_1 BACKUP 100'],
      [600, 'start', '/run/ka.fifo <- INSTANCE "VI_1" BACKUP 100'],
      [610, 'ok', '/run/ka.fifo <- INSTANCE "VI_1" BACKUP 100'],
      [610, 'start', 'mail [lb1] VRRP Instance VI_1 - Entering BACKUP state / => VRRP Instance is no longer owning VRRP VIPs <='],
      [620, 'ok', 'mail [lb1] VRRP Instance VI_1 - Entering BACKUP state / => VRRP Instance is no longer owning VRRP VIPs <='],
      [620, 'start', '/etc/ka/master.sh VI_1'],
      [920, 'ok', '/etc/ka/master.sh VI_1'],
      [920, 'start', '/etc/ka/notify.sh INSTANCE VI_1 MASTER 100'],
      [1220, 'ok', '/etc/ka/notify.sh INSTANCE VI_1 MASTER 100'],
      [1220, 'start', '/run/ka.fifo <- INSTANCE "VI_1" MASTER 100'],
      [1230, 'ok', '/run/ka.fifo <- INSTANCE "VI_1" MASTER 100'],
      [1230, 'start', 'mail [lb1] VRRP Instance VI_1 - Entering MASTER state / => VRRP Instance is now owning VRRP VIPs <='],
      [1240, 'ok', 'mail [lb1] VRRP Instance VI_1 - Entering MASTER state / => VRRP Instance is now owning VRRP VIPs <='],
    ]);
    expect(r.maxConcurrent()).toBe(1);
  });

  it('a hung script is abandoned at its timeout and the rest still run', () => {
    const r = run((j) => (j.kind === 'script' && j.argv[0] === '/etc/ka/master.sh' ? 60_000 : 1), cfg({ mail: undefined }));
    r.actor.send({ type: 'notify.state', scope: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 });
    r.clock.runUntil(10_000);
    expect(r.log).toEqual([
      [0, 'start', '/etc/ka/master.sh VI_1'],
      [5000, 'timeout', '/etc/ka/master.sh VI_1'],
      [5000, 'start', '/etc/ka/notify.sh INSTANCE VI_1 MASTER 100'],
      [5001, 'ok', '/etc/ka/notify.sh INSTANCE VI_1 MASTER 100'],
      [5001, 'start', '/run/ka.fifo <- INSTANCE "VI_1" MASTER 100'],
      [5002, 'ok', '/run/ka.fifo <- INSTANCE "VI_1" MASTER 100'],
    ]);
  });

  it('the same state twice is notified once; a new transition is notified again', () => {
    const r = run(() => 1, cfg({ mail: undefined, targets: [] }));
    for (const state of ['BACKUP', 'BACKUP', 'MASTER', 'MASTER', 'BACKUP'] as const) {
      r.actor.send({ type: 'notify.state', scope: 'INSTANCE', name: 'VI_1', state, priority: 100 });
    }
    r.clock.runUntil(100);
    expect(r.log.filter((l) => l[1] === 'ok').map((l) => l[2])).toEqual([
      '/run/ka.fifo <- INSTANCE "VI_1" BACKUP 100',
      '/run/ka.fifo <- INSTANCE "VI_1" MASTER 100',
      '/run/ka.fifo <- INSTANCE "VI_1" BACKUP 100',
    ]);
  });

  it('priority changes and lower-priority adverts become FIFO lines', () => {
    const r = run(() => 1, cfg({ mail: undefined }));
    r.actor.send({ type: 'notify.priority', name: 'VI_1', state: 'MASTER', priority: 80 });
    r.actor.send({ type: 'notify.masterRxLowerPri', name: 'VI_1', priority: 80 });
    r.clock.runUntil(100);
    expect(r.log.filter((l) => l[1] === 'ok').map((l) => l[2])).toEqual([
      '/run/ka.fifo <- INSTANCE "VI_1" MASTER_PRIORITY 80',
      '/run/ka.fifo <- INSTANCE "VI_1" MASTER_RX_LOWER_PRI 80',
    ]);
  });

  it('a stale completion from an abandoned job does not finish the next one', () => {
    const clock = new SimClock();
    const outcomes: string[] = [];
    const runJob = fromCallback<EventObject, NotifyJob>(({ input, sendBack }) => {
      // Every job reports the *first* job's seq after 10 ms: only the first may be finished by it.
      clock.setTimeout(() => sendBack({ type: 'notify.jobDone', seq: 1, ok: true }), input.seq === 1 ? 6000 : 10);
    });
    const a = createActor(notifierMachine.provide({ actors: { runJob } }), { clock, input: cfg({ mail: undefined }) });
    a.on('notify.finished', (e) => outcomes.push(`${e.job.seq}:${e.outcome}@${clock.now()}`));
    a.start();
    a.send({ type: 'notify.state', scope: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 });
    clock.runUntil(20_000);
    expect(outcomes).toEqual(['1:timeout@5000', '2:timeout@10000', '3:timeout@11000']);
  });
});
