/**
 * Where a VRRP socket sends from: a buffer of its own, off the V8 heap, that each outgoing
 * datagram is copied into. The addon reads a Buffer's bytes in place only when they are off the
 * heap already; a fresh small Uint8Array (every advert is one) is moved off the heap by V8 first,
 * a malloc'd backing store per send that the next GC frees. At 1,000 adverts a second that cost
 * more than this copy (docs/benchmarks.md, "Steady state of the VRRP child").
 */
/** Largest datagram sent through the send buffer; a larger one is sent from its own bytes. */
const SEND_BUFFER_BYTES = 1500;
/** Destinations whose sockaddr is kept (the multicast group and unicast peers: a handful), and
 *  datagram lengths with a view kept. */
export const SEND_CACHE_ENTRIES = 64;

/**
 * `data` as a Buffer the addon can read without moving it: a view of exactly its length on one
 * off-heap buffer, kept per length (an advert has one or two lengths in a socket's life).
 */
export class SendBuffer {
  private readonly backing = Buffer.allocUnsafeSlow(SEND_BUFFER_BYTES);
  private readonly views = new Map<number, Buffer>();

  load(data: Uint8Array): Uint8Array {
    const n = data.length;
    if (n > SEND_BUFFER_BYTES || n === 0) return data;
    let view = this.views.get(n);
    if (!view) {
      if (this.views.size >= SEND_CACHE_ENTRIES) this.views.clear();
      this.views.set(n, (view = this.backing.subarray(0, n)));
    }
    view.set(data);
    return view;
  }
}
