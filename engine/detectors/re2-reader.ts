/**
 * A reader of RE2 syntax (as re2js parses it in Perl mode) into the little a pattern's users here
 * need: which chars are literal, where a group alternates or repeats, and where each counted
 * repetition (`{m,n}`) is written. re2js does not export its parser. The reader refuses (throws
 * `Unsupported`) what it does not know rather than guess: its callers then treat the pattern as
 * opaque.
 */

export type Node =
  | { kind: 'literal'; text: string } // one ASCII char in lower case (unless `keepCase`), or one caseless symbol
  | { kind: 'char' } // one char of several (a class, `.`, `\w`, a non-ASCII letter)
  | { kind: 'empty' } // matches no char: `^`, `\b`, a flag group `(?i)`
  | { kind: 'concat'; items: Node[] }
  | { kind: 'alternate'; items: Node[] }
  | { kind: 'repeat'; item: Node; min: number; max: number }; // max -1: unbounded

const CHAR: Node = { kind: 'char' };
const EMPTY: Node = { kind: 'empty' };

export class Unsupported extends Error {}

/** A counted repetition as written: `{` at `from` to `}` at `to - 1`, in code points of the source. */
export interface CountedRepeat {
  from: number;
  to: number;
  min: number;
  /** -1: unbounded (`{m,}`). */
  max: number;
}

/**
 * The syntax tree of `source`, its code points and its counted repetitions; throws Unsupported.
 * `keepCase`: ASCII literals as written, for a pattern that matches case-sensitively throughout.
 */
export function readRe2(source: string, keepCase = false): { node: Node; chars: string[]; counted: CountedRepeat[] } {
  const reader = new Reader(source, keepCase);
  return { node: reader.read(), chars: reader.chars, counted: reader.counted };
}

/** A recursive-descent reader of RE2 syntax, by code point. */
class Reader {
  readonly chars: string[];
  readonly counted: CountedRepeat[] = [];
  private at = 0;

  constructor(
    source: string,
    private readonly keepCase: boolean,
  ) {
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
      const from = this.at;
      this.at += [...m[0]].length;
      const min = Number(m[1]);
      repeat = { min, max: m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]) };
      this.counted.push({ from, to: this.at, ...repeat });
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
        return literal(c, this.keepCase);
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

function literal(c: string, keepCase = false): Node {
  if (c.length === 1 && c.charCodeAt(0) < 0x80) return { kind: 'literal', text: keepCase ? c : c.toLowerCase() };
  return caseless(c) ? { kind: 'literal', text: c } : CHAR;
}

/**
 * Whether `c` (one code point) is a symbol that no case folding touches: an emoji, an arrow, a
 * dingbat. RE2's `(?i)` matches it only as itself and lower-casing a text leaves it as it is, so
 * it is found in the lower-cased text wherever a pattern matches it. Blocks, not a case table:
 * none of these blocks holds a char with a case mapping (U+2100–U+218F letterlike symbols and
 * U+2460–U+24FF circled letters, which have, are outside them); a test checks every code point.
 */
export function caseless(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    (cp >= 0x2190 && cp <= 0x245f) || (cp >= 0x2500 && cp <= 0x2bff) || (cp >= 0x1f000 && cp <= 0x1faff) || cp === 0xfe0f || cp === 0x200d
  );
}

