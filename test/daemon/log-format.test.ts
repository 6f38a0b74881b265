import { describe, expect, it } from 'vitest';
import { consoleLine, ctimeStamp, logFileFor, quotedCommandLine, syslogPriority, syslogTag } from '../../adapters/node/daemon/log-format.js';
import { nextRespawnDelayMs, DEFAULT_BACKOFF } from '../../adapters/node/daemon/backoff.js';

describe('log line shapes', () => {
  it('console and log file lines look like keepalived -l output', () => {
    // keepalived: "Sun Nov 22 01:24:00 2026: (VI_2) Entering MASTER STATE"
    const d = new Date(2026, 10, 22, 1, 24, 0);
    expect(consoleLine(d, '(VI_2) Entering MASTER STATE')).toBe('Sun Nov 22 01:24:00 2026: (VI_2) Entering MASTER STATE');
    // single-digit days are space padded, as C's %e
    expect(ctimeStamp(new Date(2026, 0, 5, 9, 3, 7))).toBe('Mon Jan  5 09:03:07 2026');
  });

  it('syslog tags and priorities', () => {
    expect(syslogTag('vrrp', 1234)).toBe('Keepalived_vrrp[1234]');
    expect(syslogTag('checker', 7)).toBe('Keepalived_healthcheckers[7]');
    expect(syslogTag('parent', 1)).toBe('Keepalived[1]');
    // LOG_DAEMON (3) * 8 + LOG_INFO (6)
    expect(syslogPriority('daemon', 'info')).toBe(30);
    expect(syslogPriority('local7', 'error')).toBe(23 * 8 + 3);
    expect(syslogPriority('user', 'debug')).toBe(15);
    // keepalived's detail lines (-D) are LOG_INFO
    expect(syslogPriority('daemon', 'detail')).toBe(30);
    expect(syslogPriority('local0', 'warning')).toBe(132);
  });

  it('-g file names get _vrrp / _healthcheckers before the last dot (keepalived(8))', () => {
    expect(logFileFor('/var/log/keepalived.log', 'parent')).toBe('/var/log/keepalived.log');
    expect(logFileFor('/var/log/keepalived.log', 'vrrp')).toBe('/var/log/keepalived_vrrp.log');
    expect(logFileFor('/var/log/keepalived.log', 'checker')).toBe('/var/log/keepalived_healthcheckers.log');
    expect(logFileFor('/var/log/ka', 'vrrp')).toBe('/var/log/ka_vrrp');
    expect(logFileFor('/var/log.d/ka', 'vrrp')).toBe('/var/log.d/ka_vrrp');
    expect(logFileFor('/var/log/.hidden', 'vrrp')).toBe('/var/log/.hidden_vrrp');
  });

  it('quotes the command line like keepalived\'s start-up log', () => {
    expect(quotedCommandLine(['/usr/sbin/keepalived', '-n', '-l'])).toBe("'/usr/sbin/keepalived' '-n' '-l'");
  });
});

describe('respawn backoff', () => {
  const p = DEFAULT_BACKOFF;
  it('doubles from 1 s to a 60 s cap while the child keeps dying young', () => {
    const delays: number[] = [];
    let d: number | undefined;
    for (let i = 0; i < 9; i++) delays.push((d = nextRespawnDelayMs(d, 500, p)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });
  it('starts over after a child that ran for a minute', () => {
    expect(nextRespawnDelayMs(32000, 60_000, p)).toBe(1000);
    expect(nextRespawnDelayMs(32000, 59_999, p)).toBe(60000);
  });
});
