/**
 * The canonical JSON (JCS, RFC 8785) text of an audit row, the text its row_hash is over.
 *
 * safe-stable-stringify writes it by concatenating a string per key and per value (~35 kB of
 * garbage for a 4.7 kB row; issue 14, the largest allocator outside the engine). Here the value
 * is copied with every object's keys inserted in sorted order, sharing whatever is already in
 * canonical form, and V8's JSON.stringify writes the copy in one pass: the same text (JCS sorts
 * keys by UTF-16 code units, as Array.prototype.sort does, and writes strings and finite numbers
 * as JSON.stringify does), with one string allocated for it.
 *
 * Anything the copy cannot reproduce exactly goes to safe-stable-stringify as before: a value that
 * is not a string, finite number, boolean, null or undefined, or a plain object or array of them;
 * an object key that is an array index (objects list those first, in numeric order) or
 * `__proto__`; nesting deeper than MAX_DEPTH (a cycle ends there too).
 */
import { configure } from 'safe-stable-stringify';

// Keys sorted by UTF-16 code units, numbers and strings as JSON.stringify writes them: for the
// values a row holds (finite numbers, well-formed strings: validate.ts refuses lone surrogates)
// this is the RFC 8785 (JCS) encoding, at about half the CPU of the canonicalize package
// (measured in docs/performance.md, "Audit writer"). strict: a NaN or a function throws.
const canonicalize = configure({ deterministic: true, strict: true, bigint: false });

const MAX_DEPTH = 64;
/** Returned by sortedCopy for a value it does not reproduce: the caller falls back. */
const UNSUPPORTED: unique symbol = Symbol('unsupported');
type Copy = unknown | typeof UNSUPPORTED;

/** The JCS text of a JSON-like value; undefined where JSON.stringify gives undefined (a top-level undefined). */
export function canonicalJson(value: unknown): string | undefined {
  const copy = sortedCopy(value, 0, new Map());
  return copy === UNSUPPORTED ? canonicalize(value) : JSON.stringify(copy);
}

/** safe-stable-stringify's encoding, for tests that compare the two. */
export function canonicalJsonReference(value: unknown): string | undefined {
  return canonicalize(value);
}

/**
 * `seen`: the copies made so far in this encoding, by object: a row holds each finding up to three
 * times (violations, their repeats as warnings, the row's own list), and each is copied once.
 */
type Seen = Map<object, Copy>;

function sortedCopy(value: unknown, depth: number, seen: Seen): Copy {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : UNSUPPORTED;
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return UNSUPPORTED;
      if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype ? arrayCopy(value, depth, seen) : UNSUPPORTED;
      return isPlainObject(value) ? sharedCopy(value as Record<string, unknown>, depth, seen) : UNSUPPORTED;
    default:
      return UNSUPPORTED;
  }
}

/** objectCopy, once per object; kept once complete, so an object met again inside itself (a cycle) still ends at MAX_DEPTH. */
function sharedCopy(object: Record<string, unknown>, depth: number, seen: Seen): Copy {
  let copy = seen.get(object);
  if (copy === undefined) seen.set(object, (copy = objectCopy(object, depth, seen)));
  return copy;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The array itself when every element is already canonical (strings, numbers, …), else a copy. */
function arrayCopy(array: unknown[], depth: number, seen: Seen): Copy {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    const sorted = sortedCopy(element, depth + 1, seen);
    if (sorted === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy.push(sorted);
    else if (sorted !== element) {
      copy = array.slice(0, i);
      copy.push(sorted);
    }
  }
  return copy ?? array;
}

/** The object itself when its keys are in order and its values canonical, else a copy with its keys inserted in order. */
function objectCopy(object: Record<string, unknown>, depth: number, seen: Seen): Copy {
  const keys = Object.keys(object);
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const first = key.charCodeAt(0);
    // An index-like key ("0", "12") would be written before the others whatever the insertion order.
    if ((first >= 48 && first <= 57) || key === '__proto__') return UNSUPPORTED;
    if (i > 0 && keys[i - 1]! > key) inOrder = false;
  }
  if (!inOrder) sortKeys(keys);
  let copy: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = object[key];
    const sorted = sortedCopy(value, depth + 1, seen);
    if (sorted === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy[key] = sorted;
    else if (sorted !== value) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = object[keys[j]!];
      copy[key] = sorted;
    }
  }
  return copy ?? object;
}

/**
 * In place, by UTF-16 code units (what Array.prototype.sort does for strings): an insertion sort
 * for the few keys an object has, because V8's sort allocates a work array on every call.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 64) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i;
    while (j > 0 && keys[j - 1]! > key) {
      keys[j] = keys[j - 1]!;
      j--;
    }
    keys[j] = key;
  }
}
