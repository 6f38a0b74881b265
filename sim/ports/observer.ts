/** What the simulated ports report to the world (trace, timeline, invariant monitor). */
import type { LogLevel, MailMessage, ScriptResult, ScriptSpec } from '../../actors/ports.js';
import type { Host } from '../host/host.js';
import type { Nic } from '../net/nic.js';

export interface PortObserver {
  onAddressChange(host: Host, nic: Nic, address: string, added: boolean): void;
  onScript(host: Host, spec: ScriptSpec, result: ScriptResult): void;
  onMail(host: Host, message: MailMessage): void;
  onLog(host: Host, level: LogLevel, message: string): void;
  onFileLine(host: Host, path: string, line: string): void;
  /** A frame the daemon could not put on the wire (interface down, no such interface, no route). */
  onSendError(host: Host, ifname: string, error: string): void;
}
