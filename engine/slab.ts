/**
 * Typed arrays of one evaluation carved out of a shared 64 KB buffer: an ArrayBuffer of its
 * own per post (a malloc and a GC-tracked extension) costs more than the views on it. A
 * buffer stays alive while any view on it does; a request larger than the slab gets its own.
 */
const SIZE = 1 << 16;

class Slab {
  buffer = new ArrayBuffer(SIZE);
  #at = 0;

  /** An 8-aligned offset in `buffer` (which this may replace: read it after) with `bytes` free. */
  take(bytes: number): number {
    if (this.#at + bytes > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(bytes, SIZE));
      this.#at = 0;
    }
    const at = this.#at;
    this.#at = (at + bytes + 7) & ~7;
    return at;
  }
}

export const slab = new Slab();
