/**
 * The features of every model of a pack in one table (feature hash → slot), looked up once per
 * post for all its models, and the models' weights by slot side by side (model.ts reads them).
 *
 * No object per feature: the table and the names are typed arrays (their contents lie outside the
 * JS heap, and a major GC marks each as one object). A Map of hash → slot and an array of names
 * were ~5.4 MB of the heap for three models of 40,000 features: 104,207 Map entries (half their
 * keys heap numbers) and name pointers for every major GC to visit.
 */
import { featureHash, type FeatureList } from './features.js';
import { SMALL_TEXT, SeenHashes, SlotStamps, SmallSlotSet, type SeenSlots } from './slot-sets.js';

/**
 * The feature table's filter: 2^20 bits, two per feature, one at a hash's top 20 bits (the table
 * is indexed by its low bits) and one at those of the hash remixed. With one bit in 2^19, 126,000
 * features set a fifth of the filter: a fifth of the features no model has still probed the table.
 */
const FILTER_SHIFT = 12;
const REMIX = 0x9e3779b1;

const C_CODE = 'c'.charCodeAt(0);
const COLON_CODE = ':'.charCodeAt(0);

/**
 * The features of every model of a pack in one table, so that a post's features are looked up
 * once for all its models: feature hash → slot, and each model's weights by slot.
 */
export class FeatureTable {
  // Open addressing, key and slot side by side, [hash, slot + 1] (0: empty), so that a probe
  // reads one cache line: the table is ~1 MiB and cold at every evaluation. At most half full.
  private entries = new Uint32Array(2 * 16);
  private mask = 15;
  // Most of a post's features are in no model: a 128 KiB bit filter (it stays in the CPU cache)
  // answers those without touching the table (one cache miss each).
  private readonly filter = new Uint32Array(1 << (32 - FILTER_SHIFT - 5));
  private count = 0;
  // The names, only read when a finding gives its reasons: their UTF-16 code units end to end
  // (one byte each while every name is Latin-1), each name ending at `ends[slot]`. Outside the
  // heap: as one string they were 2.4 MB of it. The names added since they were last packed wait
  // in `pending` (compile time).
  private codes: Uint8Array | Uint16Array = new Uint8Array(0);
  private ends = new Uint32Array(0);
  private pending: string[] = [];
  // Which slots `present` has seen: a small set for a post, a stamp per slot for a longer text.
  private readonly small = new SmallSlotSet();
  private readonly stamps = new SlotStamps();
  private readonly seen = new SeenHashes();
  /** `presentAt`'s scratch: the first occurrence of each slot present, in order. */
  private firsts = new Int32Array(0);
  /**
   * Every model's weights, one slot's side by side: model m's for slot s at `weights[s * models + m]`
   * (0 where it does not name the feature). A post's slots present (~130–180), scattered over the
   * table, cost one cache line each for all the models instead of one per model (each model's own
   * array was up to ~0.8 MB, cold at every evaluation). Laid out again when a model is added.
   */
  weights = new Float64Array(0);
  /** How many models have weights in `weights` (its stride). */
  models = 0;

  /** How many slots the table has: a model's weights are indexed below this. */
  get size(): number {
    return this.count;
  }

  /** The slot of the feature, added if new (compile time). Names of the same hash share a slot. */
  slotOf(name: string): number {
    const hash = featureHash(name);
    const found = this.lookup(hash);
    if (found >= 0) return found;
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    this.insert(hash, this.count);
    const bit = hash >>> FILTER_SHIFT;
    this.filter[bit >>> 5]! |= 1 << (bit & 31);
    const other = Math.imul(hash, REMIX) >>> FILTER_SHIFT;
    this.filter[other >>> 5]! |= 1 << (other & 31);
    this.pending.push(name);
    return this.count++;
  }

  /**
   * A new model's weights, `weight[k]` for `slots[k]` (summed where slots repeat, in that order);
   * returns the model's place in `weights`.
   */
  addModel(slots: Int32Array, weight: Float64Array): number {
    const stride = this.models + 1;
    const laid = new Float64Array(this.count * stride);
    const before = this.models === 0 ? 0 : this.weights.length / this.models;
    for (let s = 0; s < before; s++) {
      for (let m = 0; m < this.models; m++) laid[s * stride + m] = this.weights[s * this.models + m]!;
    }
    const model = this.models;
    for (let k = 0; k < slots.length; k++) laid[slots[k]! * stride + model]! += weight[k]!;
    this.weights = laid;
    this.models = stride;
    return model;
  }

  /** The name a model file gives the slot's feature (the first, when names share a hash). */
  nameOf(slot: number): string {
    if (this.pending.length > 0) this.join();
    const codes = this.codes.subarray(slot === 0 ? 0 : this.ends[slot - 1]!, this.ends[slot]!);
    // A name is at most 200 units (modelSpec): well within the arguments a call takes.
    return String.fromCharCode.apply(null, codes as unknown as number[]);
  }

  /** Whether the slot's name (`nameOf`) is a letter piece, `c:…`, read without making the name. */
  isLetterPiece(slot: number): boolean {
    if (this.pending.length > 0) this.join();
    const start = slot === 0 ? 0 : this.ends[slot - 1]!;
    return this.ends[slot]! - start >= 2 && this.codes[start] === C_CODE && this.codes[start + 1] === COLON_CODE;
  }

  private lookup(hash: number): number {
    const bit = hash >>> FILTER_SHIFT;
    if (((this.filter[bit >>> 5]! >>> (bit & 31)) & 1) === 0) return -1;
    const other = Math.imul(hash, REMIX) >>> FILTER_SHIFT;
    if (((this.filter[other >>> 5]! >>> (other & 31)) & 1) === 0) return -1;
    const entries = this.entries;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = entries[2 * i + 1]!;
      if (slot === 0) return -1;
      if (entries[2 * i] === hash) return slot - 1;
    }
  }

  private insert(hash: number, slot: number): void {
    const entries = this.entries;
    let i = hash & this.mask;
    while (entries[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    entries[2 * i] = hash;
    entries[2 * i + 1] = slot + 1;
  }

  private grow(): void {
    const old = this.entries;
    this.entries = new Uint32Array(2 * old.length);
    this.mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]! - 1);
  }

  /** The pending names packed after the others (once per model added, before its first use). */
  private join(): void {
    const from = this.count - this.pending.length;
    const ends = new Uint32Array(this.count);
    ends.set(this.ends.subarray(0, from));
    let end = from === 0 ? 0 : ends[from - 1]!;
    let wide = this.codes instanceof Uint16Array;
    for (let k = 0; k < this.pending.length; k++) {
      const name = this.pending[k]!;
      ends[from + k] = end += name.length;
      for (let c = 0; c < name.length && !wide; c++) wide = name.charCodeAt(c) > 0xff;
    }
    const codes = wide ? new Uint16Array(end) : new Uint8Array(end);
    codes.set(this.codes.subarray(0, from === 0 ? 0 : ends[from - 1]!));
    let at = from === 0 ? 0 : ends[from - 1]!;
    for (const name of this.pending) for (let c = 0; c < name.length; c++) codes[at++] = name.charCodeAt(c);
    this.codes = codes;
    this.ends = ends;
    this.pending = [];
  }

  /** Each feature occurrence's slot, -1 for a feature no model of the table knows. */
  slotsAt(features: FeatureList): Int32Array {
    const out = features.slot;
    for (let i = 0; i < features.length; i++) out[i] = this.lookup(features.hash[i]!);
    return out.subarray(0, features.length);
  }

  /**
   * `slotsAt`, `presentAt` of them with none skipped and `distinctFeatures`, in one pass over a
   * post's occurrences: each different hash is looked up once, at its first occurrence.
   */
  slotsAndPresent(features: FeatureList): { slotAt: Int32Array; present: Present } {
    if (features.length > SMALL_TEXT) {
      const slotAt = this.slotsAt(features);
      return { slotAt, present: this.presentAt(slotAt, features) };
    }
    if (this.pending.length > 0) this.join();
    if (this.firsts.length < features.length) this.firsts = new Int32Array(features.length * 2);
    const { slot: out, hash } = features;
    const { firsts, seen } = this;
    seen.clear();
    let count = 0;
    let distinct = 0;
    for (let i = 0; i < features.length; i++) {
      const h = hash[i]!;
      const place = seen.placeOf(h);
      if (seen.has(place)) out[i] = seen.slotAt(place);
      else {
        const slot = (out[i] = seen.note(place, h, this.lookup(h)));
        distinct++;
        if (slot >= 0) firsts[count++] = i;
      }
    }
    features.distinct = distinct;
    return { slotAt: out.subarray(0, features.length), present: this.presentOf(out, features, count) };
  }

  /**
   * The slots present among the occurrences (`slotsAt`), each once, with its first occurrence;
   * occurrences marked in `skip` do not count.
   */
  presentAt(slotAt: Int32Array, features: FeatureList, skip?: Uint8Array): Present {
    // The names are joined before the first evaluation, not at its first finding.
    if (this.pending.length > 0) this.join();
    // First occurrences into kept scratch, then two arrays of their exact length: grown by push,
    // each array was reallocated five or six times on a 280-character post (~140 slots).
    if (this.firsts.length < slotAt.length) this.firsts = new Int32Array(slotAt.length * 2);
    const count = this.firstsOf(slotAt, skip);
    return this.presentOf(slotAt, features, count);
  }

  /** The Present of the first `count` first occurrences in `firsts`. */
  private presentOf(slotAt: Int32Array, features: FeatureList, count: number): Present {
    const firsts = this.firsts;
    const slots = new Array<number>(count);
    const at = new Array<number>(count);
    for (let k = 0; k < count; k++) {
      at[k] = firsts[k]!;
      slots[k] = slotAt[firsts[k]!]!;
    }
    return { slots, at, features };
  }

  /** `presentAt`'s first occurrences, in `firsts`; returns how many. */
  private firstsOf(slotAt: Int32Array, skip: Uint8Array | undefined): number {
    const seen: SeenSlots = slotAt.length <= SMALL_TEXT ? this.small : this.stamps;
    seen.clear(this.count);
    const firsts = this.firsts;
    let count = 0;
    for (let i = 0; i < slotAt.length; i++) {
      const slot = slotAt[i]!;
      if (slot >= 0 && skip?.[i] !== 1 && seen.add(slot)) firsts[count++] = i;
    }
    return count;
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
