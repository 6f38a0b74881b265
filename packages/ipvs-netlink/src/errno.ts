/**
 * Linux errno numbers as names, and what each means for an IPVS command. The kernel answers a
 * failed request with NLMSG_ERROR carrying -errno; IPVS distinguishes a missing service (ESRCH)
 * from a missing destination or scheduler (ENOENT), which libnl folds together. We keep them apart.
 */
import { IpvsCmd, ipvsCmdName } from './constants.js';

const NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  28: 'ENOSPC',
  34: 'ERANGE',
  38: 'ENOSYS',
  71: 'EPROTO',
  90: 'EMSGSIZE',
  92: 'ENOPROTOOPT',
  93: 'EPROTONOSUPPORT',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
  99: 'EADDRNOTAVAIL',
  105: 'ENOBUFS',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
};

export const Errno = Object.fromEntries(Object.entries(NAMES).map(([n, name]) => [name, Number(n)])) as Record<string, number>;

/** "ESRCH" for 3; "E123" for a number it does not know. */
export function errnoName(errno: number): string {
  const e = Math.abs(errno);
  return NAMES[e] ?? `E${e}`;
}

const GENERIC: Record<string, string> = {
  EPERM: 'operation not permitted (IPVS needs CAP_NET_ADMIN)',
  EINVAL: 'invalid argument (a required attribute is missing or out of range)',
  ENOMEM: 'out of memory',
  EAFNOSUPPORT: 'address family not supported',
  ERANGE: 'value out of range',
  EOPNOTSUPP: 'operation not supported',
  EMSGSIZE: 'message too long',
  ETIMEDOUT: 'no answer from the kernel',
};

/** What an errno means for the given IPVS command, in the words ipvsadm's users know. */
export function describeIpvsError(cmd: number, errno: number): string {
  const name = errnoName(errno);
  const service = cmd === IpvsCmd.NEW_SERVICE || cmd === IpvsCmd.SET_SERVICE || cmd === IpvsCmd.DEL_SERVICE || cmd === IpvsCmd.GET_SERVICE;
  const dest = cmd === IpvsCmd.NEW_DEST || cmd === IpvsCmd.SET_DEST || cmd === IpvsCmd.DEL_DEST || cmd === IpvsCmd.GET_DEST;
  const daemon = cmd === IpvsCmd.NEW_DAEMON || cmd === IpvsCmd.DEL_DAEMON;
  let what: string | undefined;
  if (name === 'EEXIST') what = service ? 'service already exists' : dest ? 'destination already exists' : daemon ? 'sync daemon already running' : undefined;
  else if (name === 'ESRCH') what = daemon ? 'no such sync daemon' : 'no such service';
  else if (name === 'ENOENT')
    what = cmd === IpvsCmd.NEW_SERVICE || cmd === IpvsCmd.SET_SERVICE ? 'scheduler or persistence engine not found' : dest ? 'no such destination' : 'not found';
  else if (name === 'EBUSY' && daemon) what = 'sync daemon busy';
  what ??= GENERIC[name] ?? 'error';
  return `${ipvsCmdName(cmd)}: ${name} (${what})`;
}
