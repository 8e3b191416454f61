/**
 * A vocabulary's words by collapsed form, for the evaluate path, in a few typed arrays: a token
 * is looked up by its span of the normalised text (no string per word), by open addressing over
 * FNV-1a of its UTF-16 units, each probe checked by hash, length and units; then come the words
 * of that form, each with the letter counts a spelling must cover. One table per pack, read by
 * every post: arrays of numbers cost a few cache lines per lookup where a string, a list, a word
 * object and a typed array per word cost one each. Built once, after the last word is added.
 */
import { fnvRange as hashOf } from '../fnv.js';

/** A word of a form: its id, its `[id]` list (shared, read only) and how often each letter must be written. */
export interface TableWord {
  id: number;
  alone: readonly number[];
  runs: Uint16Array;
}

export class WordTable {
  /** Per form: its hash, and its units at units[unitAt[k] … unitAt[k + 1]). */
  private readonly hashes: Uint32Array;
  private readonly unitAt: Int32Array;
  private readonly units: Uint16Array;
  /** The words of form k are wordAt[k] … wordAt[k + 1]; word w's letter counts are runs[runAt[w] … runAt[w + 1]). */
  readonly wordAt: Int32Array;
  readonly ids: Int32Array;
  readonly alone: readonly (readonly number[])[];
  private readonly runAt: Int32Array;
  private readonly runs: Uint16Array;
  /** Slot → form + 1 (0: empty); a power of two at least twice the forms. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(byForm: ReadonlyMap<string, readonly TableWord[]>) {
    const forms = [...byForm.keys()];
    const words = [...byForm.values()].flat();
    this.hashes = Uint32Array.from(forms, (form) => hashOf(form, 0, form.length));
    this.unitAt = offsets(forms.map((form) => form.length));
    this.units = Uint16Array.from(forms.join(''), (c) => c.charCodeAt(0));
    this.wordAt = offsets([...byForm.values()].map((list) => list.length));
    this.ids = Int32Array.from(words, (w) => w.id);
    this.alone = words.map((w) => w.alone);
    this.runAt = offsets(words.map((w) => w.runs.length));
    this.runs = new Uint16Array(this.runAt[words.length]!);
    words.forEach((w, i) => this.runs.set(w.runs, this.runAt[i]!));
    let size = 16;
    while (size < 2 * forms.length) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < forms.length; k++) {
      let i = this.hashes[k]! & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = k + 1;
    }
  }

  /** The form `text.slice(from, to)`, or -1 when no word has it. */
  formOf(text: string, from: number, to: number): number {
    const h = hashOf(text, from, to);
    const { slots, hashes, unitAt, units, mask } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = slots[i]! - 1;
      if (k < 0) return -1;
      if (hashes[k] !== h) continue;
      const at = unitAt[k]!;
      if (unitAt[k + 1]! - at !== to - from) continue;
      let same = true;
      for (let j = 0; j < to - from; j++) {
        if (units[at + j] !== text.charCodeAt(from + j)) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
  }

  /** Does word `w` ask for exactly these letter counts? */
  hasRuns(w: number, counts: Uint16Array): boolean {
    const at = this.runAt[w]!;
    if (this.runAt[w + 1]! - at !== counts.length) return false;
    for (let i = 0; i < counts.length; i++) if (this.runs[at + i] !== counts[i]) return false;
    return true;
  }

  /** The forms and their words again, in order (a vocabulary's next table starts from them). */
  words(): Map<string, TableWord[]> {
    const out = new Map<string, TableWord[]>();
    for (let k = 0; k + 1 < this.unitAt.length; k++) {
      const form = String.fromCharCode(...this.units.subarray(this.unitAt[k]!, this.unitAt[k + 1]!));
      const list: TableWord[] = [];
      for (let w = this.wordAt[k]!; w < this.wordAt[k + 1]!; w++) {
        list.push({ id: this.ids[w]!, alone: this.alone[w]!, runs: this.runs.slice(this.runAt[w]!, this.runAt[w + 1]!) });
      }
      out.set(form, list);
    }
    return out;
  }

  /** Are the letters from `start` on written at least as often as word `w` asks (`killll` is `kill`; `kil` is not)? */
  covers(written: Uint16Array, start: number, w: number): boolean {
    const { runs } = this;
    const at = this.runAt[w]!;
    for (let i = at, end = this.runAt[w + 1]!; i < end; i++) if (written[start + i - at]! < runs[i]!) return false;
    return true;
  }
}

/** Prefix sums: [0, a, a + b, …]. */
function offsets(lengths: readonly number[]): Int32Array {
  const out = new Int32Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) out[i + 1] = out[i]! + lengths[i]!;
  return out;
}
