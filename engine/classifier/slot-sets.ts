/**
 * Which slots of the feature table a text has shown so far, for keeping each slot's first
 * occurrence (feature-table.ts `presentAt`). Two ways, by the text's size: a post's few hundred
 * occurrences in a small open-addressing set that stays in the CPU cache; a longer text's with a
 * stamp per slot of the table (~0.4 MB, a cache miss per slot present, but no probing). Both start
 * a new text by a new generation of their stamps, not by clearing them.
 */

/** A text of at most SMALL_TEXT feature occurrences uses the small set (of 2^SMALL_BITS places, kept at most half full). */
const SMALL_BITS = 11;
export const SMALL_TEXT = 1 << (SMALL_BITS - 1);
const SMALL_SHIFT = 32 - SMALL_BITS;

export interface SeenSlots {
  /** Forgets every slot, for the next text, in a table of `slots` slots. */
  clear(slots: number): void;
  /** Whether `slot` is new since `clear` (it is then remembered). */
  add(slot: number): boolean;
}

export class SmallSlotSet implements SeenSlots {
  private readonly keys = new Int32Array(1 << SMALL_BITS);
  private readonly stamps = new Uint32Array(1 << SMALL_BITS);
  private generation = 0;

  /** Empties the set for the next text (its size does not depend on the table's). */
  clear(_slots?: number): void {
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  add(slot: number): boolean {
    const { keys, stamps, generation } = this;
    const mask = keys.length - 1;
    let h = Math.imul(slot, 0x9e3779b1) >>> SMALL_SHIFT;
    while (stamps[h] === generation && keys[h] !== slot) h = (h + 1) & mask;
    if (stamps[h] === generation) return false;
    stamps[h] = generation;
    keys[h] = slot;
    return true;
  }
}

export class SlotStamps implements SeenSlots {
  private seen = new Uint32Array(0);
  private generation = 0;

  clear(slots: number): void {
    if (this.seen.length < slots) {
      this.seen = new Uint32Array(slots);
      this.generation = 0;
    }
    if (this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  add(slot: number): boolean {
    if (this.seen[slot] === this.generation) return false;
    this.seen[slot] = this.generation;
    return true;
  }
}

/**
 * A post's feature hashes seen so far, each with its slot (-1: no model's): `slotsAndPresent`
 * looks a hash up in the table once, at its first occurrence, and counts the post's different
 * features (distinct.ts) as it goes. Hash, stamp and slot side by side: a probe reads one line.
 */
export class SeenHashes {
  // [hash, generation, slot, unused] per place; 2^SMALL_BITS places, at most half full.
  private readonly entries = new Int32Array(4 << SMALL_BITS);
  private generation = 0;

  /** Forgets every hash, for the next text. */
  clear(): void {
    if (this.generation === 0x7fffffff) {
      this.entries.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  /** The place of `hash`: where it is, or where `note` puts it (then `has` is false). */
  placeOf(hash: number): number {
    const { entries, generation } = this;
    let p = Math.imul(hash, 0x9e3779b1) >>> SMALL_SHIFT;
    while (entries[4 * p + 1] === generation && entries[4 * p] !== (hash | 0)) p = (p + 1) & ((1 << SMALL_BITS) - 1);
    return p;
  }

  has(place: number): boolean {
    return this.entries[4 * place + 1] === this.generation;
  }

  slotAt(place: number): number {
    return this.entries[4 * place + 2]!;
  }

  /** Notes `hash` at its place (`placeOf`), with its slot; returns the slot. */
  note(place: number, hash: number, slot: number): number {
    this.entries[4 * place] = hash;
    this.entries[4 * place + 1] = this.generation;
    return (this.entries[4 * place + 2] = slot);
  }
}
