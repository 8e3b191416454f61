/**
 * What compiling a pack builds that another process can take instead of building it again: the
 * phrase sets with their shared vocabulary and the text models with their feature table (ctx.built),
 * about a second of a cold compile's three for the default pack. They are plain data, typed arrays
 * and instances of the classes below, so V8's structured serialisation keeps them whole (shared
 * objects stay shared); the classes are given back by a walk that visits the objects in the same
 * order on both sides. The bytes carry the pack's content hash: a compile given them trusts the
 * document as already validated and hashed (compile.ts), so they must come from that document.
 */
import v8 from 'node:v8';
import { FeatureTable } from './classifier/feature-table.js';
import { TextModel } from './classifier/model.js';
import { SeenHashes, SlotStamps, SmallSlotSet } from './classifier/slot-sets.js';
import type { CompiledPack } from './compile.js';
import type { PackBuilt } from './detectors/detector.js';
import { Automaton } from './phrases/automaton.js';
import { Guards } from './phrases/guards.js';
import { PhraseSet } from './phrases/phrase-set.js';
import { IdSets, IntList, PatternNeeds, RangeWords } from './phrases/prefilter.js';
import { StartPlan } from './phrases/start-plan.js';
import { Vocabulary } from './phrases/vocabulary.js';
import { WordTable } from './phrases/word-table.js';

/** Raised when the layout of the stored bytes changes: older bytes are refused, not misread. */
const FORMAT = 1;

// Every class the built structures hold. A new one must be added here: serialising an instance of
// a class not listed throws, so the omission fails the tests instead of reviving a plain object.
// None may have private (#) members or hold functions: structured serialisation drops the first
// and refuses the second (the lexicon matchers have both, so they are built at every compile).
export const CLASSES: readonly { prototype: object; name: string }[] = [
  Vocabulary, WordTable, PhraseSet, Automaton, Guards, IntList, RangeWords, IdSets, PatternNeeds, StartPlan,
  FeatureTable, TextModel, SmallSlotSet, SlotStamps, SeenHashes,
];
const PLAIN = new Set<object | null>([Object.prototype, Array.prototype, Map.prototype, Set.prototype, null]);

export interface Prebuilt {
  hash: string;
  built: PackBuilt;
}

interface Stored {
  format: number;
  hash: string;
  built: PackBuilt;
  /** Pairs [visit index, index in CLASSES] of the objects that are class instances. */
  classes: Uint32Array;
}

export class PrebuiltError extends Error {
  override name = 'PrebuiltError';
}

/** The bytes to compile `pack`'s document again without building its phrase sets and models (CompileOptions.prebuilt). */
export function prebuiltOf(pack: CompiledPack): Uint8Array {
  return prebuiltBytes(pack.hash, pack.internal.built);
}

/** The bytes of a pack's built structures, as they are now (safe between evaluations: each leaves its scratch consistent). */
export function prebuiltBytes(hash: string, built: PackBuilt): Uint8Array {
  const classes: number[] = [];
  eachObject(built, (object, index) => {
    const proto = Object.getPrototypeOf(object) as object | null;
    if (PLAIN.has(proto)) return;
    const at = CLASSES.findIndex((c) => c.prototype === proto);
    if (at < 0) throw new PrebuiltError(`cannot keep an instance of ${(object as { constructor?: { name?: string } }).constructor?.name ?? 'an unknown class'}: add its class to CLASSES in prebuilt.ts`);
    classes.push(index, at);
  });
  const stored: Stored = { format: FORMAT, hash, built, classes: Uint32Array.from(classes) };
  return v8.serialize(stored);
}

/** The structures of `prebuiltBytes`, their classes restored. Throws PrebuiltError for bytes this engine did not write. */
export function readPrebuilt(bytes: Uint8Array): Prebuilt {
  let stored: Stored;
  try {
    stored = v8.deserialize(bytes) as Stored;
  } catch (error) {
    throw new PrebuiltError(`unreadable prebuilt pack: ${(error as Error).message}`);
  }
  if (stored?.format !== FORMAT || typeof stored.hash !== 'string' || !(stored.classes instanceof Uint32Array)) {
    throw new PrebuiltError(`prebuilt pack of another format (${String(stored?.format)}; this engine reads ${FORMAT})`);
  }
  const { classes } = stored;
  let next = 0;
  eachObject(stored.built, (object, index) => {
    if (next < classes.length && classes[next] === index) {
      const type = CLASSES[classes[next + 1]!];
      if (!type) throw new PrebuiltError('prebuilt pack names an unknown class');
      Object.setPrototypeOf(object, type.prototype);
      next += 2;
    }
  });
  if (next !== classes.length) throw new PrebuiltError('prebuilt pack does not match its class table');
  return { hash: stored.hash, built: stored.built };
}

/**
 * Every object under `root` once (typed arrays and buffers are leaves), depth first in property
 * and insertion order, numbered as met: the same numbers on a graph and on its deserialised copy.
 */
function eachObject(root: unknown, visit: (object: object, index: number) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  let index = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
    seen.add(value);
    visit(value, index++);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) if (typeof value[i] === 'object') stack.push(value[i]);
    } else if (value instanceof Map) {
      for (const [key, item] of value) stack.push(key, item);
    } else if (value instanceof Set) {
      for (const item of value) stack.push(item);
    } else {
      for (const key of Object.keys(value)) stack.push((value as Record<string, unknown>)[key]);
    }
  }
}
