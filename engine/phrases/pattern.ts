/**
 * The phrase pattern language: a token sequence, parsed once at compile time.
 *
 *   i (will|'ll|am going to) ..2 $VIOLENT [the] you/u
 *
 * | element      | matches                                                        |
 * |--------------|----------------------------------------------------------------|
 * | `word`       | that word (evasions folded; `i'll` also matches `ill`)         |
 * | `a/b/c`      | any one of these words                                         |
 * | `{kill}`     | the word in all its inflections (kills, killed, killing, …)   |
 * | `$NAME`      | any entry of the slot NAME (a word class of the phrase file)   |
 * | `(x y|z)`    | one of the alternatives, each a sequence                       |
 * | `[x y]`      | optional sequence (`[a|b]` optional alternatives)              |
 * | `..N`        | a gap of 0 to N words (intensifiers, adverbs, fillers)         |
 * | `_`          | exactly one word                                               |
 */

export type PatternNode =
  | { kind: 'word'; words: string[]; inflect: boolean }
  | { kind: 'slot'; name: string }
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; options: PatternNode[] }
  | { kind: 'opt'; node: PatternNode }
  | { kind: 'gap'; max: number }
  | { kind: 'any' };

export const MAX_GAP = 8;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): PatternNode {
    const node = this.alternatives(undefined);
    if (this.pos < this.src.length) this.fail(`unexpected "${this.src[this.pos]}"`);
    return node;
  }

  private alternatives(close: string | undefined): PatternNode {
    const options: PatternNode[] = [this.sequence(close)];
    while (this.src[this.pos] === '|') {
      this.pos++;
      options.push(this.sequence(close));
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(close: string | undefined): PatternNode {
    const items: PatternNode[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.src[this.pos];
      if (c === undefined || c === '|' || c === close) break;
      if (c === ')' || c === ']') this.fail(`unbalanced "${c}"`);
      items.push(this.element());
    }
    if (items.length === 0) this.fail('empty alternative');
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  private element(): PatternNode {
    const c = this.src[this.pos]!;
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      this.pos++;
      const inner = this.alternatives(close);
      if (this.src[this.pos] !== close) this.fail(`missing "${close}"`);
      this.pos++;
      return c === '(' ? inner : { kind: 'opt', node: inner };
    }
    const word = this.word();
    if (word === '_') return { kind: 'any' };
    const gap = /^\.\.(\d+)$/.exec(word);
    if (gap) {
      const max = Number(gap[1]);
      if (max < 1 || max > MAX_GAP) this.fail(`gap "${word}" must be ..1 to ..${MAX_GAP}`);
      return { kind: 'gap', max };
    }
    if (word.startsWith('$')) {
      if (!/^\$[A-Za-z][A-Za-z0-9_-]*$/.test(word)) this.fail(`bad slot name "${word}"`);
      return { kind: 'slot', name: word.slice(1) };
    }
    if (word.startsWith('{')) {
      if (!word.endsWith('}') || word.includes('/')) this.fail(`"${word}": write one word in braces, e.g. {kill}`);
      return { kind: 'word', words: [word.slice(1, -1)], inflect: true };
    }
    if (word.includes('..') || /[{}$]/.test(word)) this.fail(`"${word}" is not a word, slot, gap or group`);
    const words = word.split('/');
    if (words.some((w) => w.length === 0)) this.fail(`"${word}": empty alternative around "/"`);
    return { kind: 'word', words, inflect: false };
  }

  private word(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !/[\s()[\]|]/.test(this.src[this.pos]!)) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private skipSpaces(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    throw new Error(`pattern ${JSON.stringify(this.src)}: ${message} (at character ${this.pos + 1})`);
  }
}

export function parsePattern(source: string): PatternNode {
  return new Parser(source).parse();
}
