/**
 * The words a pattern cannot match without: a prefilter, so that a pack's pattern sets run only
 * on posts that contain what one of their patterns needs (RE2's FilteredRE2 does the same). re2js
 * builds a prefilter of its own, but none for a case-insensitive literal, and the pack's patterns
 * are nearly all case-insensitive.
 *
 * `requiredLiterals` reads RE2 syntax and answers a conjunction of alternatives: every match
 * contains, for each list, at least one of its strings, compared in lower case (`foldForLiterals`).
 * Only ASCII literals are kept: their case-insensitive matches are exactly what lower-casing
 * finds, once the two non-ASCII members of ASCII letters' case orbits are folded (U+212A KELVIN
 * SIGN lower-cases to `k` by itself; U+017F LONG S does not). Anything the reader does not know
 * answers "no requirement", never a wrong one: a pattern then runs on every post, as before.
 */

import { frequency } from '../phrases/common-words.js';

/** Strings a concatenation's exact set may grow to (cross products grow fast). */
const MAX_EXACT = 16;
/** Alternatives kept per list: a list of more strings says less and costs more to look for. */
const MAX_ALTERNATIVES = 32;
/** A list with a shorter string (a letter, a digit) is in nearly every post: not worth checking. A lone `#` or `=` is kept. */
const MIN_LITERAL = 2;
/** Lists kept per pattern (the most selective): each costs a look-up per post. */
const MAX_LISTS = 3;

/**
 * The lists of strings (lower case, ASCII) of which every match of `source` contains at least
 * one string each; `[]` when nothing is required or the syntax is not understood.
 */
export function requiredLiterals(source: string): string[][] {
  let node: Node;
  try {
    node = new Reader(source).read();
  } catch {
    return [];
  }
  const { exact, need } = infoOf(node);
  return (exact ? needOf(exact) : need)
    .filter((list) => list.every((s) => s.length >= MIN_LITERAL || /^[^a-z0-9\s]$/.test(s)))
    .sort(bySelectivity)
    .slice(0, MAX_LISTS);
}

/** The text as the prefilter compares it: lower case, with U+017F (ſ, which RE2 folds with s) as `s`. */
export function foldForLiterals(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('ſ') ? lower.replaceAll('ſ', 's') : lower;
}

// ---------------------------------------------------------------------------
// The syntax tree: only what decides which literals a match must contain.

type Node =
  | { kind: 'literal'; text: string } // one ASCII char, lower case
  | { kind: 'char' } // one char of several (a class, `.`, `\w`, a non-ASCII literal)
  | { kind: 'empty' } // matches no char: `^`, `\b`, a flag group `(?i)`
  | { kind: 'concat'; items: Node[] }
  | { kind: 'alternate'; items: Node[] }
  | { kind: 'repeat'; item: Node; min: number; max: number }; // max -1: unbounded

const CHAR: Node = { kind: 'char' };
const EMPTY: Node = { kind: 'empty' };

class Unsupported extends Error {}

/** A recursive-descent reader of RE2 syntax, by code point. */
class Reader {
  private readonly chars: string[];
  private at = 0;

  constructor(source: string) {
    this.chars = [...source];
  }

  read(): Node {
    const node = this.alternation();
    if (this.at < this.chars.length) throw new Unsupported('unbalanced )');
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.at + offset];
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.at++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { kind: 'alternate', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      let item = this.atom();
      for (let repeat = this.repetition(); repeat; repeat = this.repetition()) item = { kind: 'repeat', item, ...repeat };
      items.push(item);
    }
    return { kind: 'concat', items };
  }

  /** A quantifier after an atom (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy), or undefined. */
  private repetition(): { min: number; max: number } | undefined {
    const c = this.peek();
    let repeat: { min: number; max: number } | undefined;
    if (c === '*') repeat = { min: 0, max: -1 };
    else if (c === '+') repeat = { min: 1, max: -1 };
    else if (c === '?') repeat = { min: 0, max: 1 };
    if (repeat) this.at++;
    else if (c === '{') {
      // Not a valid count is a literal `{` in RE2: left for the next atom.
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.at, this.at + 16).join(''));
      if (!m) return undefined;
      this.at += [...m[0]].length;
      const min = Number(m[1]);
      repeat = { min, max: m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]) };
    } else return undefined;
    if (this.peek() === '?') this.at++;
    return repeat;
  }

  private atom(): Node {
    const c = this.chars[this.at++]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        this.skipClass();
        return CHAR;
      case '.':
        return CHAR;
      case '^':
      case '$':
        return EMPTY;
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new Unsupported('repetition without an operand');
      default:
        return literal(c);
    }
  }

  private group(): Node {
    if (this.peek() === '?') {
      this.at++;
      if (this.peek() === 'P' || (this.peek() === '<' && this.peek(1) !== '=' && this.peek(1) !== '!')) {
        while (this.at < this.chars.length && this.chars[this.at] !== '>') this.at++;
        this.at++;
      } else {
        // Flags: `(?i)` changes them for the rest of the group (matches nothing); `(?i:…)` for its own.
        while (this.peek() !== undefined && /[imsU-]/.test(this.peek()!)) this.at++;
        if (this.peek() === ')') {
          this.at++;
          return EMPTY;
        }
        if (this.peek() !== ':') throw new Unsupported('group syntax');
        this.at++;
      }
    }
    const inner = this.alternation();
    if (this.chars[this.at++] !== ')') throw new Unsupported('missing )');
    return inner;
  }

  /** Past a character class's closing `]`: `[]a]` and `[^]a]` start with a literal `]`. */
  private skipClass(): void {
    if (this.peek() === '^') this.at++;
    if (this.peek() === ']') this.at++;
    for (;;) {
      const c = this.chars[this.at++];
      if (c === undefined) throw new Unsupported('unclosed class');
      if (c === ']') return;
      if (c === '[' && this.peek() === ':') {
        const close = this.chars.indexOf(']', this.at);
        if (close < 0) throw new Unsupported('unclosed POSIX class');
        this.at = close + 1;
      } else if (c === '\\') this.skipEscapeBody();
    }
  }

  /** After a backslash: one char, or a braced argument (`\x{…}`, `\p{…}`). */
  private skipEscapeBody(): void {
    const c = this.chars[this.at++];
    if ((c === 'x' || c === 'p' || c === 'P') && this.peek() === '{') {
      const close = this.chars.indexOf('}', this.at);
      if (close < 0) throw new Unsupported('unclosed escape');
      this.at = close + 1;
    } else if (c === 'x') this.at += 2;
    else if (c === 'p' || c === 'P') this.at++;
  }

  private escape(): Node {
    const c = this.peek();
    if (c === undefined) throw new Unsupported('trailing backslash');
    if ('bBAz'.includes(c)) {
      this.at++;
      return EMPTY;
    }
    if ('dDsSwWpPxnrtfvaC01234567'.includes(c)) {
      this.skipEscapeBody();
      return CHAR;
    }
    // An escaped punctuation char stands for itself; anything else (`\Q…\E`, …) is not read.
    if (/^[!-/:-@[-`{-~]$/.test(c)) {
      this.at++;
      return literal(c);
    }
    throw new Unsupported(`escape \\${c}`);
  }
}

function literal(c: string): Node {
  return c.length === 1 && c.charCodeAt(0) < 0x80 ? { kind: 'literal', text: c.toLowerCase() } : CHAR;
}

// ---------------------------------------------------------------------------
// What a node requires: `exact` when it matches one of a few strings and nothing else (its
// strings are what a concatenation extends), and otherwise `need`, lists of alternatives that
// every match contains one of each.

interface Info {
  exact: string[] | null;
  need: string[][];
}

function infoOf(node: Node): Info {
  switch (node.kind) {
    case 'literal':
      return { exact: [node.text], need: [] };
    case 'char':
      return { exact: null, need: [] };
    case 'empty':
      return { exact: [''], need: [] };
    case 'concat':
      return concatInfo(node.items.map(infoOf));
    case 'alternate':
      return alternateInfo(node.items.map(infoOf));
    case 'repeat':
      return repeatInfo(infoOf(node.item), node.min, node.max);
  }
}

function concatInfo(items: Info[]): Info {
  const need: string[][] = [];
  let run: string[] = [''];
  let whole = true;
  for (const item of items) {
    if (item.exact && run.length * item.exact.length <= MAX_EXACT) {
      run = distinct(run.flatMap((a) => item.exact!.map((b) => a + b)));
      continue;
    }
    whole = false;
    need.push(...needOf(run));
    if (item.exact) run = item.exact;
    else {
      need.push(...item.need);
      run = [''];
    }
  }
  if (whole) return { exact: run, need: [] };
  need.push(...needOf(run));
  return { exact: null, need };
}

function alternateInfo(items: Info[]): Info {
  if (items.every((item) => item.exact)) {
    const union = distinct(items.flatMap((item) => item.exact!));
    if (union.length <= MAX_EXACT) return { exact: union, need: [] };
  }
  // Each branch contributes its most selective list; a branch that needs nothing makes the whole need nothing.
  const lists: string[] = [];
  for (const item of items) {
    const best = (item.exact ? needOf(item.exact) : item.need).sort(bySelectivity)[0];
    if (!best) return { exact: null, need: [] };
    lists.push(...best);
  }
  const union = distinct(lists);
  return { exact: null, need: union.length <= MAX_ALTERNATIVES ? [union] : [] };
}

function repeatInfo(item: Info, min: number, max: number): Info {
  if (min === 0) return { exact: max === 1 && item.exact ? distinct([...item.exact, '']) : null, need: [] };
  if (min === 1 && max === 1) return item;
  return { exact: null, need: item.exact ? needOf(item.exact) : item.need };
}

/** An exact set as a requirement: none when it holds the empty string. */
function needOf(exact: string[]): string[][] {
  return exact.includes('') ? [] : [exact];
}

function distinct(strings: string[]): string[] {
  return [...new Set(strings)];
}

function shortest(list: readonly string[]): number {
  return list.reduce((min, s) => Math.min(min, s.length), Infinity);
}

/** Rarer first: by its most frequent string in ordinary posts, then by its shortest string (longer first), then fewer alternatives. */
function bySelectivity(a: readonly string[], b: readonly string[]): number {
  return commonest(a) - commonest(b) || shortest(b) - shortest(a) || a.length - b.length;
}

/** How frequent the list's most frequent string is in ordinary posts (common-words.ts ranks words with repeated letters folded). */
function commonest(list: readonly string[]): number {
  return list.reduce((max, s) => Math.max(max, frequency(s.replace(/(.)\1+/g, '$1'))), 0);
}
