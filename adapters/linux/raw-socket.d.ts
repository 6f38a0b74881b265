/** The part of raw-socket 1.8.1 (no bundled types) that the IPv4 VRRP socket uses. */
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';

  export interface RawSocket extends EventEmitter {
    setOption(level: number, option: number, value: number): void;
    setOption(level: number, option: number, value: Buffer, length: number): void;
    send(buffer: Buffer, offset: number, length: number, address: string, afterSend: (error: Error | null, bytes: number) => void): this;
    close(): this;
    on(event: 'message', listener: (buffer: Buffer, source: string) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
  }

  export function createSocket(options: { protocol: number; addressFamily?: number; bufferSize?: number }): RawSocket;
  export const AddressFamily: { IPv4: number; IPv6: number };

  const raw: { createSocket: typeof createSocket; AddressFamily: typeof AddressFamily };
  export default raw;
}
