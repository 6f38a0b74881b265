/**
 * How keepalived 2.2.7 writes servers in its LVS log lines, FIFO lines and mail subjects
 * (check_data.c format_vs / format_rs, lib/utils.c inet_sockaddrtotrio_r / inet_sockaddrtopair,
 * core/smtp.c smtp_alert):
 *
 *   real or address virtual server   [198.51.100.21]:tcp:80     [2001:db8::5]:tcp:80
 *   fwmark virtual server            FWM 7
 *   group virtual server             [web_group]:1
 *   address and port (SMTP_CHECK)    [198.51.100.21]:25
 *
 * Addresses always sit inside brackets, IPv4 too. The protocol is the virtual server's (`none`
 * for fwmark services), and a real server is written with its own address and port even when
 * connect_ip / connect_port send the checks elsewhere.
 */
import type { VirtualServerTarget } from '../../config/model-lvs.js';

export type LvsProtoName = 'tcp' | 'udp' | 'sctp' | 'none';

/** `[addr]:proto:port` (inet_sockaddrtotrio). A missing port prints as 0. */
export function formatTrio(address: string, proto: LvsProtoName, port: number | undefined): string {
  return `[${address}]:${proto}:${port ?? 0}`;
}

/** `[addr]:port` (inet_sockaddrtopair), used by SMTP_CHECK and DNS_CHECK detail. */
export function formatPair(address: string, port: number | undefined): string {
  return `[${address}]:${port ?? 0}`;
}

/**
 * The protocol keepalived prints for a virtual server: none for a fwmark service (the protocol
 * keyword is ignored there), the configured one otherwise.
 */
export function vsProtoName(target: VirtualServerTarget, protocol: 'TCP' | 'UDP' | 'SCTP', groupHasAddresses = true): LvsProtoName {
  if (target.kind === 'fwmark' || (target.kind === 'group' && !groupHasAddresses)) return 'none';
  return protocol.toLowerCase() as LvsProtoName;
}

/**
 * FMT_VS. For a virtual_server_group keepalived prints `[<group>]:<n>`, where n is the number it
 * keeps in the virtual server's port slot (its position among the group's users), not a port.
 */
export function formatVirtualServer(target: VirtualServerTarget, proto: LvsProtoName, groupOrdinal = 0): string {
  if (target.kind === 'group') return `[${target.group}]:${groupOrdinal}`;
  if (target.kind === 'fwmark') return `FWM ${target.fwmark}`;
  return formatTrio(target.address, proto, target.port);
}

/** FMT_RS: the real server's own address and port with the virtual server's protocol. */
export function formatRealServer(rs: { address: string; port?: number }, proto: LvsProtoName): string {
  return formatTrio(rs.address, proto, rs.port);
}

/** notify_fifo / lvs_notify_fifo line for a real server (ipwrapper.c notify_fifo_rs). */
export function rsFifoLine(rs: string, vs: string, state: 'UP' | 'DOWN'): string {
  return `RS ${rs} ${vs} ${state}\n`;
}

/** notify_fifo / lvs_notify_fifo line for a virtual server's quorum (ipwrapper.c notify_fifo_vs). */
export function vsFifoLine(vs: string, state: 'UP' | 'DOWN'): string {
  return `VS ${vs} ${state}\n`;
}

/** The subject of an LVS alert mail (core/smtp.c): the router_id comes from global_defs. */
export function lvsSmtpSubject(routerId: string, e: { scope: 'RS' | 'VS'; vs: string; rs?: string; state: 'UP' | 'DOWN' }): string {
  return e.scope === 'RS'
    ? `[${routerId}] Realserver ${e.rs ?? '?'} of virtual server ${e.vs} - ${e.state}`
    : `[${routerId}] Virtualserver ${e.vs} - ${e.state}`;
}
