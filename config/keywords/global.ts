/** `global_defs { … }`. */
import type { Diags } from '../diag.js';
import { parseIp } from '../ip.js';
import type { GlobalDefs } from '../model.js';
import type { Stmt } from '../tree.js';
import { blockWords, boolArg, intArg, needArg, posOf, strArg, timerArg } from '../values.js';
import { GLOBAL_DEFS_KEYWORDS } from './known.js';
import { restrict, table, type Cx, type Handler } from './engine.js';
import { parseScript } from './script.js';

type G = GlobalDefs;

const MAX_TIMER_US = 4294967295;

const flag =
  (key: keyof G): Handler<G> =>
  (g, st, cx) => {
    const v = boolArg(st, 1, cx.d);
    if (v !== undefined) (g as unknown as Record<string, boolean>)[key] = v;
  };

const setFlag =
  (key: keyof G): Handler<G> =>
  (g) => {
    (g as unknown as Record<string, boolean>)[key] = true;
  };

const count =
  (key: keyof G, min: number, max: number): Handler<G> =>
  (g, st, cx) => {
    const v = intArg(st, 1, cx.d, min, max);
    if (v !== undefined) (g as unknown as Record<string, number>)[key] = v;
  };

const secondsMs =
  (key: keyof G, minUs: number, maxUs: number): Handler<G> =>
  (g, st, cx) => {
    const us = timerArg(st, 1, cx.d, minUs, maxUs);
    if (us !== undefined) (g as unknown as Record<string, number>)[key] = us / 1000;
  };

function fifo(st: Stmt, d: Diags): { path: string; user?: string; group?: string } | undefined {
  const path = strArg(st, 1, d, 'fifo path');
  if (path === undefined) return undefined;
  const f: { path: string; user?: string; group?: string } = { path };
  if (st.words[2]) f.user = st.words[2].text;
  if (st.words[3]) f.group = st.words[3].text;
  return f;
}

type FifoKey = 'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo';

/** `*_fifo PATH [user [group]]`. */
const fifoPath =
  (key: FifoKey): Handler<G> =>
  (g, st, cx) => {
    const f = fifo(st, cx.d);
    if (f) g[key] = { ...g[key], ...f };
  };

/** `*_fifo_script SCRIPT`: the script keepalived runs to read the FIFO. */
const fifoScript =
  (key: FifoKey): Handler<G> =>
  (g, st, cx) => {
    const s = parseScript(st, cx.d);
    if (s) g[key] = { path: g[key]?.path ?? '', ...g[key], script: s };
  };

function mcastGroup(st: Stmt, d: Diags, family: 4 | 6): string | undefined {
  const t = needArg(st, 1, d, 'address');
  if (!t) return undefined;
  const ip = parseIp(t.text);
  const ok = ip && ip.family === family && (family === 4 ? ip.bytes[0]! >= 224 && ip.bytes[0]! <= 239 : ip.bytes[0] === 0xff);
  if (!ok) {
    d.error(posOf(st, 1), `${st.words[0]!.text}: '${t.text}' is not an IPv${family} multicast address`, family === 4 ? 'use e.g. 224.0.0.18' : 'use e.g. ff02::12');
    return undefined;
  }
  return ip.address;
}

export const globalTable = table<G, Cx>({
  router_id: (g, st, cx) => {
    // keepalived checks this one itself ("routerid name missing - ignoring") instead of stopping.
    if (st.words[1] === undefined) return cx.d.error(posOf(st), 'router_id name missing - ignoring', 'write: router_id NAME');
    g.routerId = st.words[1].text;
  },
  notification_email: { block: 'values', run: (g, st) => g.notificationEmail.push(...blockWords(st).map((t) => t.text)) },
  notification_email_from: (g, st, cx) => {
    const v = strArg(st, 1, cx.d, 'address');
    if (v !== undefined) g.notificationEmailFrom = v;
  },
  smtp_server: (g, st, cx) => {
    const host = strArg(st, 1, cx.d, 'host');
    if (host === undefined) return;
    const port = st.words[2] ? intArg(st, 2, cx.d, 1, 65535, 'port') : 25;
    g.smtpServer = { host, port: port ?? 25 };
  },
  smtp_connect_timeout: (g, st, cx) => {
    const v = intArg(st, 1, cx.d, 1, 86400, 'seconds');
    if (v !== undefined) g.smtpConnectTimeoutMs = v * 1000;
  },
  smtp_helo_name: (g, st, cx) => {
    const v = strArg(st, 1, cx.d, 'name');
    if (v !== undefined) g.smtpHeloName = v;
  },
  smtp_alert: flag('smtpAlert'),
  smtp_alert_vrrp: flag('smtpAlertVrrp'),
  smtp_alert_checker: flag('smtpAlertChecker'),
  enable_script_security: setFlag('enableScriptSecurity'),
  script_user: (g, st, cx) => {
    const user = strArg(st, 1, cx.d, 'user');
    if (user === undefined) return;
    g.scriptUser = st.words[2] ? { user, group: st.words[2].text } : { user };
  },
  vrrp_garp_interval: secondsMs('vrrpGarpIntervalMs', 1, MAX_TIMER_US),
  vrrp_gna_interval: secondsMs('vrrpGnaIntervalMs', 1, MAX_TIMER_US),
  vrrp_garp_master_delay: (g, st, cx) => {
    const v = intArg(st, 1, cx.d, 0, 86400, 'seconds');
    if (v !== undefined) g.vrrpGarpMasterDelayMs = v * 1000;
  },
  vrrp_garp_master_repeat: count('vrrpGarpMasterRepeat', 0, 0xffffffff),
  vrrp_garp_master_refresh: (g, st, cx) => {
    const v = intArg(st, 1, cx.d, 0, 0xffffffff, 'seconds');
    if (v !== undefined) g.vrrpGarpMasterRefreshMs = v * 1000;
  },
  vrrp_garp_master_refresh_repeat: count('vrrpGarpMasterRefreshRepeat', 0, 0xffffffff),
  vrrp_garp_lower_prio_delay: (g, st, cx) => {
    const v = intArg(st, 1, cx.d, 0, 86400, 'seconds');
    if (v !== undefined) g.vrrpGarpLowerPrioDelayMs = v * 1000;
  },
  vrrp_garp_lower_prio_repeat: count('vrrpGarpLowerPrioRepeat', 0, 0xffffffff),
  vrrp_min_garp: flag('vrrpMinGarp'),
  vrrp_version: (g, st, cx) => {
    const v = intArg(st, 1, cx.d, 2, 3, 'version');
    if (v !== undefined) g.vrrpVersion = v as 2 | 3;
  },
  vrrp_strict: setFlag('vrrpStrict'),
  vrrp_skip_check_adv_addr: flag('vrrpSkipCheckAdvAddr'),
  vrrp_check_unicast_src: setFlag('vrrpCheckUnicastSrc'),
  vrrp_lower_prio_no_advert: flag('vrrpLowerPrioNoAdvert'),
  vrrp_higher_prio_send_advert: flag('vrrpHigherPrioSendAdvert'),
  v3_checksum_as_v2: flag('v3ChecksumAsV2'),
  vrrp_down_timer_adverts: count('vrrpDownTimerAdverts', 1, 100),
  vrrp_mcast_group4: (g, st, cx) => {
    const v = mcastGroup(st, cx.d, 4);
    if (v) g.vrrpMcastGroup4 = v;
  },
  vrrp_mcast_group6: (g, st, cx) => {
    const v = mcastGroup(st, cx.d, 6);
    if (v) g.vrrpMcastGroup6 = v;
  },
  notify_fifo: fifoPath('notifyFifo'),
  notify_fifo_script: fifoScript('notifyFifo'),
  vrrp_notify_fifo: fifoPath('vrrpNotifyFifo'),
  vrrp_notify_fifo_script: fifoScript('vrrpNotifyFifo'),
  lvs_notify_fifo: fifoPath('lvsNotifyFifo'),
  lvs_notify_fifo_script: fifoScript('lvsNotifyFifo'),
  vrrp_startup_delay: secondsMs('vrrpStartupDelayMs', 0, 3600e6),
  max_auto_priority: (g, st, cx) => {
    const v = st.words[1] ? intArg(st, 1, cx.d, -1, 99, 'priority') : 99;
    if (v !== undefined) g.maxAutoPriority = v;
  },
  dynamic_interfaces: setFlag('dynamicInterfaces'),
  lvs_flush: setFlag('lvsFlush'),
  startup_script: (g, st, cx) => {
    const s = parseScript(st, cx.d);
    if (s) g.startupScript = s;
  },
  shutdown_script: (g, st, cx) => {
    const s = parseScript(st, cx.d);
    if (s) g.shutdownScript = s;
  },
});

/** Every other keyword keepalived 2.2.7 accepts in global_defs is kept verbatim in `other`. */
restrict(globalTable, GLOBAL_DEFS_KEYWORDS, (name) => ({
  block: 'any',
  run: (g, st) => {
    g.other[name] = [...st.words.slice(1), ...blockWords(st)].map((t) => t.text);
  },
}));
