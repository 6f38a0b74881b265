/** `global_defs { … }`. */
import type { Diags } from '../diag.js';
import { IpAddress } from '../../protocol/addr.js';
import { parseListen } from '../listen.js';
import type { GlobalDefs, LvsSyncDaemonConfig, LvsTimeoutsConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { append, blockWords, boolArg, intArg, needArg, posOf, strArg, timerArg } from '../values.js';
import { GLOBAL_DEFS_KEYWORDS } from './known.js';
import { nearestKeyword } from '../suggest.js';
import { restrict, table, type Cx, type Handler } from './engine.js';
import { parseScript, userKeywordAt } from './script.js';

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
  const ip = IpAddress.parse(t.text);
  const ok = ip && ip.family === family && ip.isMulticast;
  if (!ok) {
    d.error(posOf(st, 1), `${st.words[0]!.text}: '${t.text}' is not an IPv${family} multicast address`, family === 4 ? 'use e.g. 224.0.0.18' : 'use e.g. ff02::12');
    return undefined;
  }
  return ip.text;
}

export const globalTable = table<G, Cx>({
  router_id: (g, st, cx) => {
    // keepalived checks this one itself ("routerid name missing - ignoring") instead of stopping.
    if (st.words[1] === undefined) return cx.d.error(posOf(st), 'router_id name missing - ignoring', 'write: router_id NAME');
    g.routerId = st.words[1].text;
  },
  notification_email: { block: 'values', run: (g, st) => append(g.notificationEmail, blockWords(st).map((t) => t.text)) },
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
    userKeywordAt.set(g.scriptUser, posOf(st, 1));
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
  lvs_flush_on_stop: lvsFlushOnStop,
  lvs_flush_onstop: lvsFlushOnStop,
  lvs_timeouts: lvsTimeouts,
  lvs_sync_daemon: lvsSyncDaemon,
  startup_script: (g, st, cx) => {
    const s = parseScript(st, cx.d);
    if (s) g.startupScript = s;
  },
  shutdown_script: (g, st, cx) => {
    const s = parseScript(st, cx.d);
    if (s) g.shutdownScript = s;
  },
});

/** `lvs_flush_on_stop [VS]`. */
function lvsFlushOnStop(g: G, st: Stmt, cx: Cx): void {
  const arg = st.words[1];
  if (!arg) g.lvsFlushOnStop = 'full';
  else if (arg.text === 'VS') g.lvsFlushOnStop = 'vs';
  else cx.d.error(posOf(st, 1), `Unknown lvs_flush_on_stop type ${arg.text}`, 'write: lvs_flush_on_stop, or lvs_flush_on_stop VS');
}

const LVS_MAX_TIMEOUT = 86400 * 31;

/** `lvs_timeouts [tcp N] [tcpfin N] [udp N]`: keepalived's messages, each bad part ignored. */
function lvsTimeouts(g: G, st: Stmt, cx: Cx): void {
  if (st.words.length < 3) {
    cx.d.error(posOf(st), 'lvs_timeouts requires at least one option', 'write: lvs_timeouts tcp 900 tcpfin 120 udp 300');
    return;
  }
  const keys = { tcp: 'tcp', tcpfin: 'tcpFin', udp: 'udp' } as const;
  const t: LvsTimeoutsConfig = { ...g.lvsTimeouts };
  for (let i = 1; i < st.words.length; i++) {
    const word = st.words[i]!.text;
    const key = keys[word as keyof typeof keys];
    if (!key) {
      cx.d.error(posOf(st, i), `Unknown option ${word} specified for lvs_timeouts`, 'options: tcp N, tcpfin N, udp N');
      continue;
    }
    const v = st.words[i + 1];
    if (!v) {
      cx.d.error(posOf(st, i), `No value specified for lvs_timeout ${word} - ignoring`);
      continue;
    }
    i++;
    if (!/^\d+$/.test(v.text) || Number(v.text) > LVS_MAX_TIMEOUT) cx.d.error(posOf(st, i), `Invalid lvs_timeout ${word} (${v.text}) - ignoring`, `use seconds in [0, ${LVS_MAX_TIMEOUT}]`);
    else t[key] = Number(v.text);
  }
  if (Object.keys(t).length) g.lvsTimeouts = t;
}

/** `lvs_sync_daemon IFNAME [inst NAME] [id N] [maxlen N] [port N] [ttl N] [group ADDR]` (and the old `IFNAME INSTANCE [SYNCID]`). */
function lvsSyncDaemon(g: G, st: Stmt, cx: Cx): void {
  if (g.lvsSyncDaemon) {
    cx.d.error(posOf(st), `lvs_sync_daemon has already been specified as ${g.lvsSyncDaemon.interface} ${g.lvsSyncDaemon.instance ?? ''} - ignoring`);
    return;
  }
  const ifname = st.words[1]?.text;
  if (ifname === undefined) {
    cx.d.error(posOf(st), 'lvs_sync_daemon requires interface', 'write: lvs_sync_daemon IFNAME [inst VRRP_INSTANCE] [id N]');
    return;
  }
  if (ifname.length >= 16) {
    cx.d.error(posOf(st, 1), `lvs_sync_daemon interface name '${ifname}' too long - ignoring`);
    return;
  }
  const c: LvsSyncDaemonConfig = { interface: ifname };
  const num = (i: number, min: number, max: number, bad: string): number | undefined => {
    const t = st.words[i]!.text;
    if (/^\d+$/.test(t) && Number(t) >= min && Number(t) <= max) return Number(t);
    cx.d.error(posOf(st, i), bad.replace('%s', t));
    return undefined;
  };
  const opts: Record<string, (i: number) => void> = {
    inst: (i) => {
      if (c.instance !== undefined) cx.d.error(posOf(st, i), `lvs_sync_daemon vrrp instance has already been specified as ${c.instance} - ignoring`);
      else c.instance = st.words[i]!.text;
    },
    id: (i) => (c.syncId = num(i, 0, 255, 'Invalid syncid (%s) - defaulting to vrid') ?? c.syncId),
    maxlen: (i) => (c.maxlen = num(i, 1, 65535 - 20 - 8, 'Invalid lvs_sync_daemon maxlen (%s) - ignoring') ?? c.maxlen),
    port: (i) => (c.port = num(i, 1, 65535, 'Invalid lvs_sync_daemon port (%s) - ignoring') ?? c.port),
    ttl: (i) => (c.ttl = num(i, 1, 255, 'Invalid lvs_sync_daemon ttl (%s) - ignoring') ?? c.ttl),
    group: (i) => {
      const t = st.words[i]!.text;
      const ip = IpAddress.parse(t);
      const multicast = ip?.isMulticast;
      if (!ip) cx.d.error(posOf(st, i), `Invalid lvs_sync_daemon group (${t}) - ignoring`);
      else if (!multicast) cx.d.error(posOf(st, i), `lvs_sync_daemon group address ${t} is not multicast - ignoring`);
      else c.group = t;
    },
  };
  for (let i = 2; i < st.words.length; i++) {
    const word = st.words[i]!.text;
    const opt = opts[word];
    if (opt) {
      if (i === st.words.length - 1) {
        cx.d.error(posOf(st, i), word === 'id' ? 'No value specified for lvs_sync_daemon id, defaulting to vrid' : `No value specified for lvs_sync_daemon ${word} - ignoring`);
        continue;
      }
      opt(++i);
    } else if (i === 2) {
      c.instance = word;
    } else if (i === 3) {
      const id = num(3, 0, 255, 'Invalid syncid (%s) - defaulting to vrid');
      if (id !== undefined) {
        cx.d.error(posOf(st, 3), 'Please use keyword "id" before lvs_sync_daemon SYNCID');
        c.syncId = id;
      }
    } else {
      cx.d.error(posOf(st, i), `Unknown option ${word} specified for lvs_sync_daemon`);
    }
  }
  g.lvsSyncDaemon = c;
}

/** Every other keyword keepalived 2.2.7 accepts in global_defs is kept verbatim in `other`. */
restrict(globalTable, GLOBAL_DEFS_KEYWORDS, (name) => ({
  block: 'any',
  run: (g, st) => {
    g.other[name] = [...st.words.slice(1), ...blockWords(st)].map((t) => t.text);
  },
}));

/**
 * `lvs_backend ipvs|nftables|auto` (ours, not keepalived's): which load-balancer table the checker
 * child programs. auto (the default) takes IPVS when the kernel has it, else nftables.
 */
globalTable.set('lvs_backend', {
  run: (g, st, cx) => {
    const v = strArg(st, 1, cx.d, 'ipvs|nftables|auto');
    if (v === undefined) return;
    if (v !== 'ipvs' && v !== 'nftables' && v !== 'auto') {
      const near = nearestKeyword(v, ['ipvs', 'nftables', 'auto']);
      return cx.d.error(posOf(st, 1), `unknown lvs_backend '${v}'${near ? ` (did you mean ${near.keyword}?)` : ''}`, 'use ipvs, nftables or auto');
    }
    g.lvsBackend = v;
    cx.d.lint('info', posOf(st), 'lvs_backend is a keepalived-ts keyword: keepalived 2.2.7 reports it as unknown', 'remove it before running this file with keepalived');
  },
});

/**
 * Keywords of keepalived-ts's own, after the restriction to 2.2.7's set (keepalived 2.2.7 reports
 * them as unknown and goes on; `check --print` leaves them out). docs/config.md lists them.
 */
globalTable.set('keepalived_ts_metrics', {
  run: (g, st, cx) => {
    const t = needArg(st, 1, cx.d, '[ADDR:]PORT');
    if (!t) return;
    const l = parseListen(t.text);
    if ('error' in l) return cx.d.error(posOf(st, 1), `keepalived_ts_metrics: ${l.error}`);
    g.metricsListen = l;
  },
});
