/**
 * A read-only string map looked up by a span of a text, without making the span a string:
 * open addressing over FNV-1a hashes of the keys' UTF-16 units, each probe checked against the
 * key's hash, length and units. Built once from a Map; answers what `map.get(text.slice(from, to))`
 * would.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashOf(text: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export class KeyTable<T> {
  private readonly keys: string[];
  private readonly values: T[];
  private readonly hashes: Uint32Array;
  /** Slot → key index + 1 (0: empty); a power of two at least twice the keys. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(map: ReadonlyMap<string, T>) {
    this.keys = [...map.keys()];
    this.values = [...map.values()];
    this.hashes = Uint32Array.from(this.keys, (key) => hashOf(key, 0, key.length));
    let size = 16;
    while (size < 2 * this.keys.length) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < this.keys.length; k++) {
      let i = this.hashes[k]! & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = k + 1;
    }
  }

  /** The value of the key `text.slice(from, to)`, if any. */
  get(text: string, from: number, to: number): T | undefined {
    const h = hashOf(text, from, to);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.slots[i]! - 1;
      if (k < 0) return undefined;
      if (this.hashes[k] === h && sameUnits(this.keys[k]!, text, from, to)) return this.values[k];
    }
  }
}

function sameUnits(key: string, text: string, from: number, to: number): boolean {
  if (key.length !== to - from) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(from + i)) return false;
  return true;
}
