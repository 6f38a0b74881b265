/** systemIds of the VRRP subsystem's actors (see actors/names.ts for the shared ones). */
export const instanceId = (name: string) => `vrrp/${name}`;
export const groupId = (name: string) => `group/${name}`;
export const trackingId = (instance: string) => `tracking/${instance}`;
/** Receive socket per interface and family, shared by the instances on it. */
export const socketKey = (ifname: string, family: 4 | 6) => `${ifname}/${family}`;
export const socketId = (key: string) => `vrrp-socket/${key}`;
