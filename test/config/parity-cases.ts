/**
 * Small configs whose `keepalived -t` exit status (2.2.7, in the parity test's namespace) is
 * recorded here, for behaviour that has no error diagnostic of its own (accepted keywords,
 * keepalived-ts-only lint). keepalived-parity.test.ts checks the recorded status against the
 * binary; the unit tests check ours against the recorded status.
 */
export interface ParityCase {
  name: string;
  conf: string;
  /** `keepalived -t` exit status. */
  exit: number;
}

/** A vrrp_track_process block with the given body lines. */
export const trackProcess = (...body: string[]): string => `vrrp_track_process p {\n${body.map((l) => ` ${l}\n`).join('')}}\n`;

export const PARITY_CASES: ParityCase[] = [
  { name: 'bare param_match', conf: trackProcess('process sshd', 'param_match'), exit: 0 },
  { name: 'bare param_match before parameters', conf: trackProcess('param_match', 'process sshd -D'), exit: 0 },
  { name: 'param_match with an unknown type', conf: trackProcess('process sshd', 'param_match bogus'), exit: 5 },
  { name: 'process name longer than 15 bytes (keepalived-ts lint only)', conf: trackProcess('process haproxy-ingress-ctl'), exit: 0 },
];
