/**
 * Broken configurations, each with the diagnostic we must give (line + message pattern) and the
 * exit code of `keepalived -t` (2.2.7, in a network namespace with interfaces lo, eth0, eth1).
 * Lines are 1-based in `conf`.
 */

export interface BrokenCase {
  name: string;
  conf: string;
  line: number;
  message: RegExp;
  severity?: 'error' | 'warning';
  /** Expected `keepalived -t` exit status (and ours). */
  exit: number;
}

/** A valid instance (lines 1-7); `extra` lines are inserted at line 4. */
export const inst = (extra = '', name = 'A', vrid = 1): string =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${extra ? `${extra}\n` : ''} virtual_ipaddress {\n  10.0.0.${vrid}\n }\n}\n`;

const vs = (rs: string, head = ' protocol TCP\n lb_algo rr\n lb_kind NAT') => `virtual_server 10.0.0.1 80 {\n${head}\n${rs}\n}\n`;

export const BROKEN: BrokenCase[] = [
  // --- reading: quotes, braces, includes, definitions
  { name: 'unterminated quote', conf: 'global_defs {\n router_id "abc\n}\n', line: 2, message: /unterminated quote/, exit: 5 },
  { name: "extra '}'", conf: 'global_defs {\n router_id a\n}\n}\n', line: 4, message: /extra '\}' found/, exit: 5 },
  { name: "missing '}'", conf: 'global_defs {\n router_id a\n', line: 1, message: /missing '\}': the block of 'global_defs' opened here is still open at the end of the input \(broken\.conf:2\)/, exit: 5 },
  { name: "stray '{'", conf: 'global_defs {\n router_id a\n}\n{\nrouter_id b\n}\n', line: 4, message: /unexpected '\{'/, exit: 5 },
  { name: 'invalid ~SEQ', conf: '~SEQ(i, 1, 0, 5) global_defs {\n', line: 1, message: /invalid ~SEQ values/, exit: 5 },
  { name: "'{' after a keyword without a block, 100 deep", conf: `global_defs {\n${' router_id a {\n'.repeat(100)}${' }\n'.repeat(100)}}\n`, line: 65, message: /blocks nested deeper than the limit of 64 levels/, exit: 5 },
  // --- unknown keywords, with the nearest known keyword
  { name: 'typo autp_pass', conf: inst(' authentication {\n  auth_type PASS\n  autp_pass 1234\n }'), line: 6, message: /unknown keyword 'autp_pass'.*did you mean auth_pass\?/, severity: 'warning', exit: 5 },
  { name: 'glued auth_typePASS', conf: inst(' authentication {\n  auth_typePASS\n  auth_pass 1234\n }'), line: 5, message: /did you mean 'auth_type PASS'\?/, severity: 'warning', exit: 5 },
  { name: 'typo lvs_sync_daemon_inteface', conf: inst(' lvs_sync_daemon_inteface eth0'), line: 4, message: /did you mean lvs_sync_daemon_interface\?/, severity: 'warning', exit: 5 },
  { name: 'typo stmp_connect_timeout', conf: 'global_defs {\n stmp_connect_timeout 30\n}\n', line: 2, message: /did you mean smtp_connect_timeout\?/, severity: 'warning', exit: 5 },
  { name: 'typo at top level', conf: `vrrp_instanec X {\n}\n${inst()}`, line: 1, message: /unknown keyword 'vrrp_instanec' - did you mean vrrp_instance\?/, severity: 'warning', exit: 5 },
  { name: 'keyword newer than 2.2.7', conf: inst(' v3_checksum_as_v2'), line: 4, message: /unknown keyword 'v3_checksum_as_v2'/, severity: 'warning', exit: 5 },
  // --- keywords of a sub-block written in its parent: the message names the block they belong in
  { name: 'auth_pass outside authentication', conf: inst(' auth_pass secret'), line: 4, message: /^unknown keyword 'auth_pass' in vrrp_instance A - 'auth_pass' belongs inside 'authentication \{ \}' of vrrp_instance A$/, severity: 'warning', exit: 5 },
  { name: 'router_id outside global_defs', conf: `router_id lb1\n${inst()}`, line: 1, message: /^unknown keyword 'router_id' - 'router_id' belongs inside 'global_defs \{ \}'$/, severity: 'warning', exit: 5 },
  { name: 'connect_port outside a checker', conf: vs(' real_server 10.0.0.2 80 {\n  weight 1\n  connect_port 8080\n }'), line: 7, message: /'connect_port' belongs inside 'TCP_CHECK \{ \}', 'HTTP_GET \{ \}'.* or 'PING_CHECK \{ \}' of real_server$/, severity: 'warning', exit: 5 },
  // (with a url block: keepalived 2.2.7 -t segfaults, status 139, on an HTTP_GET without one)
  { name: 'path outside url', conf: vs(' real_server 10.0.0.2 80 {\n  HTTP_GET {\n   path /health\n   url {\n    path /\n   }\n  }\n }'), line: 7, message: /'path' belongs inside 'url \{ \}' of HTTP_GET$/, severity: 'warning', exit: 5 },
  // --- values
  { name: 'missing parameter (keepalived aborts)', conf: inst(' priority'), line: 4, message: /'priority' is missing a parameter/, exit: 2 },
  { name: 'vrid 0', conf: inst('').replace('virtual_router_id 1', 'virtual_router_id 0'), line: 3, message: /virtual_router_id: number '0' outside range \[1, 255\]/, exit: 5 },
  { name: 'vrid 256', conf: inst('').replace('virtual_router_id 1', 'virtual_router_id 256'), line: 3, message: /outside range \[1, 255\]/, exit: 5 },
  { name: 'vrid not a number', conf: inst('').replace('virtual_router_id 1', 'virtual_router_id abc'), line: 3, message: /invalid number 'abc'/, exit: 5 },
  { name: 'priority 0', conf: inst(' priority 0'), line: 4, message: /priority: number '0' outside range \[1, 255\]/, exit: 5 },
  { name: 'priority 300', conf: inst(' priority 300'), line: 4, message: /outside range \[1, 255\]/, exit: 5 },
  { name: 'lower-case state', conf: inst(' state master'), line: 4, message: /unknown state 'master', defaulting to BACKUP \(states are case-sensitive: MASTER\)/, exit: 5 },
  { name: 'advert_int 0', conf: inst(' advert_int 0'), line: 4, message: /advert_int: number '0' outside range \[0\.01, 255\]/, exit: 5 },
  { name: 'v2 fractional advert_int', conf: inst(' advert_int 1.5'), line: 4, message: /VRRPv2 advertisement interval 1\.500000s must be an integer\. rounding/, severity: 'warning', exit: 5 },
  { name: 'v3 advert_int too long', conf: inst(' version 3\n advert_int 50'), line: 5, message: /out of range\. Must be less than 40\.96s/, severity: 'warning', exit: 5 },
  { name: 'lower-case auth_type', conf: inst(' authentication {\n  auth_type pass\n  auth_pass x\n }'), line: 5, message: /unknown authentication type 'pass'/, exit: 5 },
  { name: 'auth without password', conf: inst(' authentication {\n  auth_type PASS\n }'), line: 4, message: /Authentication specified but no password given/, severity: 'warning', exit: 5 },
  { name: 'auth_pass longer than 8', conf: inst(' authentication {\n  auth_type PASS\n  auth_pass 123456789\n }'), line: 6, message: /Truncating auth_pass to 8 characters/, severity: 'warning', exit: 5 },
  { name: 'invalid VIP', conf: inst(' virtual_ipaddress {\n  10.0.0.256\n }').replace(' virtual_ipaddress {\n  10.0.0.1\n }\n', ''), line: 5, message: /invalid IP address '10\.0\.0\.256'/, exit: 5 },
  { name: 'VIP prefix 33', conf: inst().replace('10.0.0.1', '10.0.0.1/33'), line: 5, message: /invalid IP address '10\.0\.0\.1\/33'/, exit: 5 },
  { name: 'invalid unicast peer', conf: inst(' unicast_peer {\n  10.0.0.300\n }'), line: 5, message: /invalid unicast peer '10\.0\.0\.300'/, exit: 5 },
  { name: 'global vrrp_garp_interval 0', conf: 'global_defs {\n vrrp_garp_interval 0\n}\n', line: 2, message: /vrrp_garp_interval: number '0' outside range \[0\.000001, 4294\.967295\]/, exit: 5 },
  { name: 'vrrp_version 4', conf: 'global_defs {\n vrrp_version 4\n}\n', line: 2, message: /vrrp_version: number '4' outside range \[2, 3\]/, exit: 5 },
  { name: 'smtp_connect_timeout not a number', conf: 'global_defs {\n smtp_connect_timeout abc\n}\n', line: 2, message: /invalid number 'abc'/, exit: 5 },
  { name: 'vrrp_script weight out of range', conf: 'vrrp_script s {\n script /bin/true\n weight 300\n}\n', line: 3, message: /weight: number '300' outside range \[-253, 253\]/, exit: 5 },
  { name: 'track_interface weight out of range', conf: inst(' track_interface {\n  eth1 weight 300\n }'), line: 5, message: /track_interface eth1 weight: number '300' outside range \[-253, 253\]/, exit: 5 },
  { name: 'track_file weight out of range', conf: `track_file f {\n file /tmp/x\n}\n${inst(' track_file {\n  f weight -300\n }')}`, line: 8, message: /outside range \[-254, 254\]/, exit: 5 },
  // --- references and missing pieces
  { name: 'no virtual_router_id', conf: 'vrrp_instance A {\n interface eth0\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n', line: 1, message: /\(A\) the virtual router id must be set/, exit: 5 },
  { name: 'no interface', conf: 'vrrp_instance A {\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n', line: 1, message: /\(A\) Unknown interface!/, exit: 5 },
  { name: 'instance without a name', conf: 'vrrp_instance {\n interface eth0\n}\n', line: 1, message: /vrrp_instance must have exactly one name/, exit: 5 },
  { name: 'duplicate instance name', conf: inst() + inst('', 'A', 2), line: 8, message: /vrrp_instance A already defined/, exit: 5 },
  { name: 'unknown track_script', conf: inst(' track_script {\n  nosuch\n }'), line: 5, message: /\(A\) track script nosuch not found, ignoring/, exit: 5 },
  { name: 'unknown sync group member', conf: `vrrp_sync_group G {\n group {\n  A\n  B\n }\n}\n${inst()}`, line: 4, message: /Virtual router B specified in sync group G doesn't exist/, exit: 5 },
  { name: 'VRID collision on one interface', conf: inst() + inst('', 'B', 1), line: 8, message: /A and B both use VRID 1 with IPv4 on interface eth0/, exit: 5 },
  { name: 'vrrp_script without script', conf: 'vrrp_script s {\n interval 2\n}\n', line: 1, message: /no script set for vrrp_script s/, exit: 5 },
  { name: 'tracked interface missing', conf: inst(' track_interface {\n  eth7\n }'), line: 5, message: /\(A\) tracked interface eth7 doesn't exist/, severity: 'warning', exit: 5 },
  { name: 'instance interface missing', conf: inst().replace('interface eth0', 'interface eth9'), line: 2, message: /interface eth9 for vrrp_instance A doesn't exist/, severity: 'warning', exit: 5 },
  // --- contradictions keepalived warns about
  { name: 'nopreempt with state MASTER', conf: inst(' state MASTER\n priority 100\n nopreempt'), line: 6, message: /nopreempt will not work with initial state MASTER/, severity: 'warning', exit: 5 },
  { name: 'nopreempt with priority 255', conf: inst(' state MASTER\n nopreempt'), line: 5, message: /nopreempt is incompatible with priority 255/, severity: 'warning', exit: 5 },
  { name: 'preempt_delay with state MASTER', conf: inst(' state MASTER\n priority 100\n preempt_delay 10'), line: 6, message: /preempt delay will not work with initial state MASTER/, severity: 'warning', exit: 5 },
  { name: 'v3 with authentication', conf: inst(' version 3\n authentication {\n  auth_type PASS\n  auth_pass abc\n }'), line: 5, message: /VRRP version 3 does not support authentication/, severity: 'warning', exit: 5 },
  { name: 'vrrp_strict with PASS auth', conf: `global_defs {\n vrrp_strict\n}\n${inst(' priority 255\n authentication {\n  auth_type PASS\n  auth_pass abc\n }')}`, line: 8, message: /Strict mode does not support authentication/, severity: 'warning', exit: 5 },
  { name: 'vrrp_strict with non-owner MASTER', conf: `global_defs {\n vrrp_strict\n}\n${inst(' state MASTER\n priority 100')}`, line: 7, message: /State MASTER must match being address owner/, severity: 'warning', exit: 5 },
  { name: 'mixed VIP families', conf: inst().replace('  10.0.0.1\n', '  10.0.0.1\n  2001:db8::1\n'), line: 6, message: /address family must match VRRP instance \[2001:db8::1\]/, exit: 5 },
  { name: 'unicast_ttl without unicast peers', conf: inst(' unicast_ttl 10'), line: 4, message: /\(A\): Cannot use unicast_ttl without unicast peers - resetting/, severity: 'warning', exit: 5 },
  { name: 'no VIP', conf: 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n}\n', line: 1, message: /No VIP specified/, severity: 'warning', exit: 5 },
  // --- LVS
  { name: 'virtual server without real servers', conf: 'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n}\n', line: 1, message: /has no real servers - ignoring/, exit: 5 },
  { name: 'virtual server without protocol', conf: vs(' real_server 10.0.0.2 80 {\n  weight 1\n }', ' lb_algo rr\n lb_kind NAT'), line: 1, message: /no protocol set - defaulting to UDP/, severity: 'warning', exit: 5 },
  { name: 'negative real server weight', conf: vs(' real_server 10.0.0.2 80 {\n  weight -1\n }'), line: 6, message: /weight: number '-1' outside range/, exit: 5 },
  { name: 'bad HTTP status code', conf: vs(' real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    status_code 999\n   }\n  }\n }'), line: 9, message: /invalid status_code '999'/, exit: 5 },
  { name: 'lower-case lb_kind', conf: vs(' real_server 10.0.0.2 80 {\n  weight 1\n }', ' protocol TCP\n lb_algo rr\n lb_kind dr'), line: 4, message: /invalid lvs_method 'dr'/, exit: 5 },
];
