/**
 * The features of every model of a pack in one table (feature hash → slot), looked up once per
 * post for all its models; each model keeps its weights by slot (model.ts).
 */
import { featureHash, type FeatureList } from './features.js';

/** The feature table's filter is indexed by a hash's top 19 bits (the table by its low bits): 2^19 bits. */
const FILTER_SHIFT = 13;

/**
 * The features of every model of a pack in one table, so that a post's features are looked up
 * once for all its models: feature hash → slot, and each model's weights by slot.
 */
export class FeatureTable {
  private readonly slots = new Map<number, number>();
  readonly names: string[] = [];
  // An open-addressing copy of `slots` for the evaluate path, rebuilt lazily after a model is
  // added (compile time only). Key and slot sit side by side, [hash, slot + 1] (0: empty), so a
  // probe reads one cache line: the table is ~1 MiB and cold at every evaluation, and a Map
  // lookup, then two arrays, per feature were most of a clean post's model cost.
  private entries = new Uint32Array(0);
  private mask = 0;
  private filter = new Uint32Array(0);
  // Which slots `present` has seen, stamped per call rather than a fresh array of every slot.
  private seen = new Uint32Array(0);
  private generation = 0;
  /** `presentAt`'s scratch: the first occurrence of each slot present, in order. */
  private firsts = new Int32Array(0);

  slotOf(name: string): number {
    const hash = featureHash(name);
    let slot = this.slots.get(hash);
    if (slot === undefined) {
      this.slots.set(hash, (slot = this.names.push(name) - 1));
      this.mask = 0;
    }
    return slot;
  }

  private lookup(hash: number): number {
    if (this.mask === 0) this.rebuild();
    // Most of a post's features are in no model: a 64 KiB bit filter (it stays in the CPU cache)
    // answers those without touching the table (one cache miss each).
    const bit = hash >>> FILTER_SHIFT;
    if (((this.filter[bit >>> 5]! >>> (bit & 31)) & 1) === 0) return -1;
    const entries = this.entries;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = entries[2 * i + 1]!;
      if (slot === 0) return -1;
      if (entries[2 * i] === hash) return slot - 1;
    }
  }

  private rebuild(): void {
    let size = 16;
    while (size < this.slots.size * 2) size *= 2;
    this.entries = new Uint32Array(2 * size);
    this.mask = size - 1;
    this.filter = new Uint32Array(1 << (32 - FILTER_SHIFT - 5));
    for (const [hash, slot] of this.slots) {
      let i = hash & this.mask;
      while (this.entries[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      this.entries[2 * i] = hash;
      this.entries[2 * i + 1] = slot + 1;
      const bit = hash >>> FILTER_SHIFT;
      this.filter[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.seen = new Uint32Array(this.names.length);
    this.generation = 0;
  }

  /** Each feature occurrence's slot, -1 for a feature no model of the table knows. */
  slotsAt(features: FeatureList): Int32Array {
    if (this.mask === 0) this.rebuild();
    const out = features.slot;
    for (let i = 0; i < features.length; i++) out[i] = this.lookup(features.hash[i]!);
    return out.subarray(0, features.length);
  }

  /**
   * The slots present among the occurrences (`slotsAt`), each once, with its first occurrence;
   * occurrences marked in `skip` do not count.
   */
  presentAt(slotAt: Int32Array, features: FeatureList, skip?: Uint8Array): Present {
    if (this.mask === 0) this.rebuild();
    const seen = this.seen;
    const gen = ++this.generation;
    // First occurrences into kept scratch, then two arrays of their exact length: grown by push,
    // each array was reallocated five or six times on a 280-character post (~140 slots).
    if (this.firsts.length < slotAt.length) this.firsts = new Int32Array(slotAt.length * 2);
    const firsts = this.firsts;
    let count = 0;
    for (let i = 0; i < slotAt.length; i++) {
      const slot = slotAt[i]!;
      if (slot < 0 || seen[slot] === gen || skip?.[i] === 1) continue;
      seen[slot] = gen;
      firsts[count++] = i;
    }
    const slots = new Array<number>(count);
    const at = new Array<number>(count);
    for (let k = 0; k < count; k++) {
      at[k] = firsts[k]!;
      slots[k] = slotAt[firsts[k]!]!;
    }
    return { slots, at, features };
  }

  /** The slots present in a post's features, each once, with its first occurrence. */
  present(features: FeatureList): Present {
    return this.presentAt(this.slotsAt(features), features);
  }
}

/** The slots of a table present in a text, each once, and the index of its first occurrence. */
export interface Present {
  slots: number[];
  at: number[];
  /** The whole text's feature occurrences, known to a model or not: what a normalised model scales by. */
  features: FeatureList;
}
