/**
 * errno names → strerror(3) text, and the one line a failed VRRP send reports. The daemon's
 * sockets (adapters/linux/vrrp4-socket.ts, vrrp6-socket.ts) and the simulator's
 * (sim/ports/vrrp-net.ts) both build their send errors here, so the same failure reads the
 * same on both sides: "eth0 send to 224.0.0.18: Network is unreachable".
 */

/** glibc's strerror texts for the errors sockets and probes meet. */
export const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EHOSTDOWN: 'Host is down',
  ENETDOWN: 'Network is down',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  ENODEV: 'No such device',
  ENXIO: 'No such device or address',
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  EPROTO: 'Protocol error',
  EMSGSIZE: 'Message too long',
  ENOBUFS: 'No buffer space available',
  EAGAIN: 'Resource temporarily unavailable',
  EBADF: 'Bad file descriptor',
};

/** strerror text for an errno name; `fallback` (or the name itself) when the table lacks it. */
export function strerror(code: string, fallback?: string): string {
  return STRERROR[code] ?? fallback ?? code;
}

/**
 * A VRRP socket's send failure: `<ifname> send to <dst>: <strerror>`. `code` is the errno name;
 * `fallback` is the text to show when the name is not in the table (the error's own message).
 */
export function sendErrorText(ifname: string, dst: string, code: string | undefined, fallback = 'unknown error'): string {
  return `${ifname} send to ${dst}: ${code ? strerror(code, fallback) : fallback}`;
}
