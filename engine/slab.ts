/**
 * Typed arrays of one evaluation carved out of a shared 64 KB buffer: an ArrayBuffer of its
 * own per post (a malloc and a GC-tracked extension) costs more than the views on it. A
 * buffer stays alive while any view on it does; a request larger than the slab gets its own.
 */
const SIZE = 1 << 16;

class Slab {
  buffer = new ArrayBuffer(SIZE);
  /** Views on all of `buffer`, for writing in place before the views of a result are made. */
  i32 = new Int32Array(this.buffer);
  u16 = new Uint16Array(this.buffer);
  u8 = new Uint8Array(this.buffer);
  #at = 0;

  /** An 8-aligned offset in `buffer` (which this may replace: read it after) with `bytes` free. */
  take(bytes: number): number {
    if (this.#at + bytes > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max((bytes + 7) & ~7, SIZE)); // whole 32-bit words, for `i32`
      this.i32 = new Int32Array(this.buffer);
      this.u16 = new Uint16Array(this.buffer);
      this.u8 = new Uint8Array(this.buffer);
      this.#at = 0;
    }
    const at = this.#at;
    this.#at = (at + bytes + 7) & ~7;
    return at;
  }
}

export const slab = new Slab();
