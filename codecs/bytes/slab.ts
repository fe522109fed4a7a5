// Octets for short-lived encodings cut from shared slabs, as Node's Buffer pool and the PER
// writer (codecs/per/bits.ts) do: a typed array of more than 64 octets gets a backing store of its
// own outside V8's heap (~300-500 ns to make and later to sweep, here), a view of a slab an object
// only (~60-90 ns). Slab space is handed out once and never reused, so what `take` gives is zeros,
// as from `new Uint8Array(n)`; a view holds its whole slab alive, so only octets that live as long
// as a packet is in flight (an SCTP DATA chunk until it is acknowledged, a packet until it is sent)
// are cut from one, never what a node keeps per UE.

/** Largest request served from a slab, and the slab's size. */
const SLAB_OCTETS = 16384;
const LARGEST = 4096;
/** At or below this, V8 keeps a typed array's octets on its heap: a slab would not be cheaper. */
const ON_HEAP = 64;

export class OctetSlab {
  private slab = new ArrayBuffer(SLAB_OCTETS);
  private at = 0;

  /** `n` octets, all zero: a view of the current slab for 65 to 4,096 octets, else an array of their own. */
  take(n: number): Uint8Array {
    if (n <= ON_HEAP || n > LARGEST) return new Uint8Array(n);
    if (this.at + n > SLAB_OCTETS) {
      this.slab = new ArrayBuffer(SLAB_OCTETS);
      this.at = 0;
    }
    const v = new Uint8Array(this.slab, this.at, n);
    this.at += n;
    return v;
  }
}
