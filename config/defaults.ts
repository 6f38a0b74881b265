/**
 * keepalived 2.2.7's defaults, in one place. The compiler starts every block from these values;
 * the rules that depend on other fields (priority from state, state from priority, version from
 * family, accept from strict…) live in config/normalise-vrrp.ts.
 */
import type { GlobalDefs, KeepalivedConfig } from './model.js';

export const VRRP_MCAST_GROUP4 = '224.0.0.18';
export const VRRP_MCAST_GROUP6 = 'ff02::12';
/** Priority of the address owner. */
export const PRIORITY_OWNER = 255;
/** Priority used when `priority` is unset and the state is not MASTER. */
export const PRIORITY_DEFAULT = 100;
export const ADVERT_INT_DEFAULT_CS = 100;
export const DOWN_TIMER_ADVERTS_DEFAULT = 3;
export const SCRIPT_INTERVAL_DEFAULT_MS = 1000;
export const DELAY_LOOP_DEFAULT_MS = 60_000;
export const CONNECT_TIMEOUT_DEFAULT_MS = 5_000;
export const PERSISTENCE_TIMEOUT_DEFAULT_S = 360;
export const SMTP_PORT_DEFAULT = 25;

export function defaultGlobalDefs(): GlobalDefs {
  return {
    notificationEmail: [],
    smtpConnectTimeoutMs: 30_000,
    enableScriptSecurity: false,
    vrrpGarpIntervalMs: 0,
    vrrpGnaIntervalMs: 0,
    vrrpGarpMasterDelayMs: 5_000,
    vrrpGarpMasterRepeat: 5,
    vrrpGarpMasterRefreshMs: 0,
    vrrpGarpMasterRefreshRepeat: 1,
    vrrpMinGarp: false,
    vrrpVersion: 2,
    vrrpStrict: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpCheckUnicastSrc: false,
    vrrpLowerPrioNoAdvert: false,
    vrrpHigherPrioSendAdvert: false,
    v3ChecksumAsV2: false,
    vrrpDownTimerAdverts: DOWN_TIMER_ADVERTS_DEFAULT,
    vrrpMcastGroup4: VRRP_MCAST_GROUP4,
    vrrpMcastGroup6: VRRP_MCAST_GROUP6,
    vrrpStartupDelayMs: 0,
    maxAutoPriority: 0,
    dynamicInterfaces: false,
    lvsFlush: false,
    other: {},
  };
}

export function emptyConfig(files: string[] = []): KeepalivedConfig {
  return {
    files,
    globalDefs: defaultGlobalDefs(),
    staticIpaddresses: [],
    staticRoutes: [],
    staticRules: [],
    vrrpInstances: [],
    vrrpSyncGroups: [],
    vrrpScripts: [],
    trackFiles: [],
    trackProcesses: [],
    virtualServerGroups: [],
    virtualServers: [],
  };
}
