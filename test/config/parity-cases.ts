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

/** One virtual server whose only real server has this checker block. */
export const vsWithChecker = (checker: string, globals = ''): string =>
  `${globals ? `global_defs {\n${globals}\n}\n` : ''}virtual_server 203.0.113.10 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 198.51.100.21 80 {\n  ${checker}\n }\n}\n`;

export const PARITY_CASES: ParityCase[] = [
  { name: 'bare param_match', conf: trackProcess('process sshd', 'param_match'), exit: 0 },
  { name: 'bare param_match before parameters', conf: trackProcess('param_match', 'process sshd -D'), exit: 0 },
  { name: 'param_match with an unknown type', conf: trackProcess('process sshd', 'param_match bogus'), exit: 5 },
  { name: 'process name longer than 15 bytes (keepalived-ts lint only)', conf: trackProcess('process haproxy-ingress-ctl'), exit: 0 },
  // LVS (issue 11): a deprecated keyword is a configuration error in 2.2.7; check scripts without
  // script security are a security finding; with it (and a user to run them) all is well.
  { name: 'nb_get_retry in HTTP_GET', conf: vsWithChecker('HTTP_GET {\n   url {\n    path /\n   }\n   nb_get_retry 3\n  }'), exit: 5 },
  { name: 'retry in HTTP_GET', conf: vsWithChecker('HTTP_GET {\n   url {\n    path /\n   }\n   retry 3\n  }'), exit: 0 },
  { name: 'MISC_CHECK without enable_script_security', conf: vsWithChecker('MISC_CHECK {\n   misc_path /bin/true\n  }'), exit: 6 },
  { name: 'MISC_CHECK with enable_script_security and script_user root', conf: vsWithChecker('MISC_CHECK {\n   misc_path /bin/true\n  }', ' enable_script_security\n script_user root'), exit: 0 },
];
