/**
 * Where a VRRP socket sends from: a buffer of its own, off the V8 heap, that each outgoing
 * datagram is copied into. The addon reads a Buffer's bytes in place only when they are off the
 * heap already; a fresh small Uint8Array (every advert is one) is moved off the heap by V8 first,
 * a malloc'd backing store per send that the next GC frees. At 1,000 adverts a second that cost
 * more than this copy (docs/benchmarks.md, "Steady state of the VRRP child").
 */
/** Largest datagram sent through the send buffer; a larger one is sent from its own bytes. */
const SEND_BUFFER_BYTES = 1500;
/** Entries a SendCache keeps: destinations (the multicast group and unicast peers: a handful),
 *  sources, datagram lengths. */
const SEND_CACHE_ENTRIES = 64;

/**
 * What a VRRP socket keeps between sends (a destination's sockaddr, a source's IPV6_PKTINFO, a
 * view per length): at most SEND_CACHE_ENTRIES entries, all forgotten at once when full.
 */
export class SendCache<K, V> {
  private readonly map = new Map<K, V>();

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Keeps `value` for `key` and returns it. */
  keep(key: K, value: V): V {
    if (this.map.size >= SEND_CACHE_ENTRIES) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

/**
 * `data` as a Buffer the addon can read without moving it: a view of exactly its length on one
 * off-heap buffer, kept per length (an advert has one or two lengths in a socket's life).
 */
export class SendBuffer {
  private readonly backing = Buffer.allocUnsafeSlow(SEND_BUFFER_BYTES);
  private readonly views = new SendCache<number, Buffer>();

  load(data: Uint8Array): Uint8Array {
    const n = data.length;
    if (n > SEND_BUFFER_BYTES || n === 0) return data;
    const view = this.views.get(n) ?? this.views.keep(n, this.backing.subarray(0, n));
    view.set(data);
    return view;
  }
}
