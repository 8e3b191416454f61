/**
 * A phrase set (rules/<pack>/phrases/*.yaml): word classes (slots), context
 * guards and phrase rules, compiled once into one automaton. `find` tokenises
 * nothing itself: it takes the post's tokens, looks each word up once, runs
 * only the rules whose required words occur, and only in those sentences.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { NormalizedText } from '../normalize.js';
import { Automaton, expandPhrase, Vocabulary, type Expansion } from './automaton.js';
import { inflectPhrase, inflections, type Inflection } from './inflect.js';
import { parsePattern, type PatternNode } from './pattern.js';
import { TOKEN_CLASS, type TokenClass, type Tokens } from './tokens.js';
import { frequency } from './common-words.js';

const name = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$' });
const patterns = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
  description: 'a phrase pattern, or a list of alternatives (see docs/pack-authoring.md#phrase-rules)',
});

export const phraseSlot = Type.Union([
  Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the words and phrases of this class' }),
  Type.Object(
    {
      words: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
      lexicons: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'pack lexicons whose terms join the class' })),
      inflect: Type.Optional(
        Type.Unsafe<Inflection | 'none'>({
          type: 'string',
          enum: ['verb', 'noun', 'none'],
          description: 'verb: kill → kills, killed, killing; noun: pill → pills (the head word of a phrase)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const phraseGuard = Type.Union([
  Type.Object(
    {
      match: patterns,
      within: Type.Optional(
        Type.Unsafe<'window' | 'sentence' | 'post' | 'thread'>({
          type: 'string',
          enum: ['window', 'sentence', 'post', 'thread'],
          default: 'window',
          description: 'window: from `before` words ahead of the match to `after` words past it, in its sentence',
        }),
      ),
      before: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 3 })),
      after: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 0 })),
      description: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { quoted: Type.Literal(true, { description: 'the match sits inside double quotes' }), description: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
]);

export const phraseRule = Type.Object(
  {
    id: name,
    match: patterns,
    unless: Type.Optional(Type.Array(name, { description: 'guards (by name) that suppress a match' })),
    signal: Type.Optional(
      Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'signal name for `when:` conditions (default: the rule id)' }),
    ),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const phraseSetSpec = Type.Object(
  {
    description: Type.Optional(Type.String()),
    slots: Type.Optional(Type.Record(name, phraseSlot)),
    guards: Type.Optional(Type.Record(name, phraseGuard)),
    rules: Type.Array(phraseRule, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type PhraseSetSpec = Static<typeof phraseSetSpec>;
export const phraseFile = Type.Object(
  { $schema: Type.Optional(Type.String()), ...phraseSetSpec.properties },
  { additionalProperties: false },
);

export interface PhraseMatch {
  rule: string;
  signal: string;
  /** [from, to) in the post's original text. */
  from: number;
  to: number;
  /** [first, last) token of the match. */
  first: number;
  last: number;
  sentence: number;
}

export interface Suppressed extends PhraseMatch {
  guard: string;
}

/** What a phrase set needs from the post and thread at match time. */
export interface PhraseContext {
  tokens: Tokens;
  /** Per token, its ids in the set's vocabulary (`Vocabulary.idsOf`). */
  ids: readonly (readonly number[] | null)[];
  /** The post's original text, for the quoted-speech guard. */
  text: string;
  /** The token ids of every post of the thread, for `within: thread` guards. */
  thread(): readonly (readonly (readonly number[] | null)[])[];
}

interface CompiledRule {
  id: string;
  signal: string;
  starts: number[];
  guards: number[];
}

interface CompiledGuard {
  name: string;
  quoted: boolean;
  starts: number[];
  within: 'window' | 'sentence' | 'post' | 'thread';
  before: number;
  after: number;
}

export class PhraseSet {
  private readonly automaton = new Automaton();
  private readonly rules: CompiledRule[] = [];
  private readonly guards: CompiledGuard[] = [];
  /** Every compiled rule pattern: its start state and the words each of its required elements needs. */
  private readonly patterns: { start: number; requirements: ReadonlySet<number>[] }[] = [];
  /** Vocabulary id → patterns for which it is the trigger (the rarest required element). */
  private readonly anchors = new Map<number, number[]>();
  /** Vocabulary id → the patterns whose match can begin with that word. */
  private readonly starters = new Map<number, number[]>();
  /** Patterns whose match can begin with any word (a leading gap or `_`). */
  private readonly anyStarters: number[] = [];
  // Scratch reused by `find` (single-threaded): per pattern, the sentence it is viable in.
  private viableIn = new Int32Array(0);
  private generation = 0;

  /**
   * `vocab` may be shared by the phrase sets of one pack, so that a post's words are looked
   * up once for all of them.
   */
  constructor(
    spec: PhraseSetSpec,
    lexicons: ReadonlyMap<string, { terms: string[] }>,
    readonly vocab: Vocabulary = new Vocabulary(),
  ) {
    const slots = new Map<string, Expansion[]>();
    for (const [slotName, slot] of Object.entries(spec.slots ?? {})) {
      slots.set(slotName, this.slotExpansions(slotName, slot, lexicons));
    }
    const resolve = (node: Extract<PatternNode, { kind: 'word' | 'slot' }>): Expansion[] => {
      if (node.kind === 'slot') {
        if (node.name in TOKEN_CLASS) return [[this.vocab.classId(node.name as TokenClass)]];
        const found = slots.get(node.name);
        if (!found) throw new Error(`unknown slot $${node.name} (declare it under slots:)`);
        return found;
      }
      const words = node.inflect ? node.words.flatMap((w) => inflections(w.toLowerCase(), 'verb')) : node.words;
      const out = words.flatMap((w) => expandPhrase(this.vocab, w));
      if (out.length === 0) {
        throw new Error(`"${node.words.join('/')}" has no letters to match (numbers, amounts and links are $NUMBER, $MONEY, $URL)`);
      }
      return out;
    };
    const guardIndex = new Map<string, number>();
    for (const [guardName, guard] of Object.entries(spec.guards ?? {})) {
      guardIndex.set(guardName, this.guards.length);
      if ('quoted' in guard) {
        this.guards.push({ name: guardName, quoted: true, starts: [], within: 'window', before: 0, after: 0 });
        continue;
      }
      this.guards.push({
        name: guardName,
        quoted: false,
        starts: this.compilePatterns(`guards.${guardName}`, guard.match, resolve).map((p) => p.start),
        within: guard.within ?? 'window',
        before: guard.before ?? 3,
        after: guard.after ?? 0,
      });
    }
    const seen = new Set<string>();
    spec.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) throw new Error(`rules[${index}]: duplicate rule id "${rule.id}"`);
      seen.add(rule.id);
      const compiled = this.compilePatterns(`rules[${index}] (${rule.id})`, rule.match, resolve, this.rules.length);
      const guards = (rule.unless ?? []).map((g) => {
        const at = guardIndex.get(g);
        if (at === undefined) throw new Error(`rules[${index}] (${rule.id}): unknown guard "${g}" (declare it under guards:)`);
        return at;
      });
      this.rules.push({ id: rule.id, signal: rule.signal ?? rule.id, starts: compiled.map((p) => p.start), guards });
      for (const { start, requirements } of compiled) {
        const p = this.patterns.length;
        this.patterns.push({ start, requirements: requirements.map((r) => new Set(r.ids)) });
        const first = this.automaton.firstWordsOf(start);
        if (first === null) this.anyStarters.push(p);
        else for (const id of first) this.starters.set(id, [...(this.starters.get(id) ?? []), p]);
        const trigger = requirements.reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.ids.length < a.ids.length) ? b : a));
        for (const id of trigger.ids) this.anchors.set(id, [...(this.anchors.get(id) ?? []), p]);
      }
    });
    this.viableIn = new Int32Array(this.patterns.length);
  }

  get signals(): string[] {
    return [...new Set(this.rules.map((r) => r.signal))];
  }

  /** Matches of every rule, leftmost-longest and non-overlapping per rule, and the ones a guard suppressed. */
  find(ctx: PhraseContext): { matches: PhraseMatch[]; suppressed: Suppressed[] } {
    const { tokens, ids } = ctx;
    const count = tokens.keys.length;
    const matches: PhraseMatch[] = [];
    const suppressed: Suppressed[] = [];
    if (count === 0) return { matches, suppressed };
    let guardCache: Map<string, boolean> | undefined;
    for (let sentence = 0; sentence + 1 < tokens.sentenceStart.length; sentence++) {
      const from = tokens.sentenceStart[sentence]!;
      const to = tokens.sentenceStart[sentence + 1]!;
      // One dictionary lookup per word. A pattern is run only in a sentence that holds its
      // trigger and some word of every other required element: most sentences run nothing.
      const gen = ++this.generation;
      let triggered: number[][] | undefined;
      for (let t = from; t < to; t++) {
        const found = ids[t];
        if (!found) continue;
        for (const id of found) {
          const list = this.anchors.get(id);
          if (list) (triggered ??= []).push(list);
        }
      }
      if (!triggered) continue;
      const present = new Set<number>();
      for (let t = from; t < to; t++) for (const id of ids[t] ?? []) present.add(id);
      let viable = false;
      for (const list of triggered) {
        for (const p of list) {
          if (this.viableIn[p] === gen || !this.patterns[p]!.requirements.every((need) => intersects(need, present))) continue;
          this.viableIn[p] = gen;
          viable = true;
        }
      }
      if (!viable) continue;
      const events = this.automaton.scan(ids, from, to, (t, add) => {
        const token = ids[t];
        if (token) for (const id of token) this.inject(this.starters.get(id), gen, add);
        this.inject(this.anyStarters, gen, add);
      });
      for (const [r, first, last] of leftmostLongest(events)) {
        const rule = this.rules[r]!;
        const match: PhraseMatch = { rule: rule.id, signal: rule.signal, from: tokens.from[first]!, to: tokens.to[last - 1]!, first, last, sentence };
        const cache = (guardCache ??= new Map());
        const guard = rule.guards.find((g) => this.guardHolds(g, ctx, ids, { from, to, t: first, end: last, sentence }, cache));
        if (guard === undefined) matches.push(match);
        else suppressed.push({ ...match, guard: this.guards[guard]!.name });
      }
    }
    matches.sort((a, b) => a.from - b.from || b.to - a.to);
    return { matches, suppressed };
  }

  /** Injects the start states of the patterns viable in this sentence. */
  private inject(patterns: readonly number[] | undefined, gen: number, add: (start: number) => void): void {
    if (!patterns) return;
    for (const p of patterns) if (this.viableIn[p] === gen) add(this.patterns[p]!.start);
  }

  private longest(starts: readonly number[], ids: readonly (readonly number[] | null)[], from: number, to: number): number {
    let best = -1;
    for (const s of starts) {
      if (this.automaton.mayStartWith(s, ids[from] ?? null)) best = Math.max(best, this.automaton.longestAt(s, ids, from, to));
    }
    return best;
  }

  private guardHolds(
    g: number,
    ctx: PhraseContext,
    ids: readonly (readonly number[] | null)[],
    at: { from: number; to: number; t: number; end: number; sentence: number },
    cache: Map<string, boolean>,
  ): boolean {
    const guard = this.guards[g]!;
    if (guard.quoted) return insideQuotes(ctx, at);
    switch (guard.within) {
      case 'window':
        return this.occurs(guard.starts, ids, Math.max(at.from, at.t - guard.before), Math.min(at.to, at.end + guard.after));
      case 'sentence':
        return this.cached(cache, `${g}:s${at.sentence}`, () => this.occurs(guard.starts, ids, at.from, at.to));
      case 'post':
        return this.cached(cache, `${g}:p`, () => this.occurs(guard.starts, ids, 0, ctx.tokens.keys.length));
      case 'thread':
        return this.cached(cache, `${g}:t`, () =>
          ctx.thread().some((postIds) => this.occurs(guard.starts, postIds, 0, postIds.length)),
        );
    }
  }

  private cached(cache: Map<string, boolean>, key: string, compute: () => boolean): boolean {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute()));
    return value;
  }

  /** Does any of the patterns match somewhere inside tokens [from, to)? */
  private occurs(starts: readonly number[], ids: readonly (readonly number[] | null)[], from: number, to: number): boolean {
    for (let t = from; t < to; t++) if (this.longest(starts, ids, t, to) > t) return true;
    return false;
  }

  private compilePatterns(
    where: string,
    match: string | string[],
    resolve: (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[],
    tag = -1,
  ): { start: number; requirements: Anchor[] }[] {
    return (Array.isArray(match) ? match : [match]).map((source) => {
      let node: PatternNode;
      try {
        node = parsePattern(source);
        const requirements = requirementsOf(node, resolve, this.vocab);
        if (requirements.length === 0) throw new Error(`pattern ${JSON.stringify(source)} has no required word (a rule must not match on gaps alone)`);
        return { start: this.automaton.add(node, resolve, tag), requirements };
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
    });
  }

  private slotExpansions(slotName: string, slot: Static<typeof phraseSlot>, lexicons: ReadonlyMap<string, { terms: string[] }>): Expansion[] {
    const spec = Array.isArray(slot) ? { words: slot } : slot;
    const phrases = [...(spec.words ?? [])];
    for (const id of spec.lexicons ?? []) {
      const lexicon = lexicons.get(id);
      if (!lexicon) throw new Error(`slots.${slotName}: unknown lexicon "${id}" (declare it under lexicons:)`);
      // Not push(...terms): a lexicon of 125,000 terms would overflow the stack as arguments.
      for (const term of lexicon.terms) phrases.push(term);
    }
    const inflect = spec.inflect && spec.inflect !== 'none' ? spec.inflect : undefined;
    const forms = inflect ? phrases.flatMap((p) => inflectPhrase(p, inflect)) : phrases;
    const out = forms.flatMap((p) => expandPhrase(this.vocab, p));
    if (out.length === 0) throw new Error(`slots.${slotName}: no matchable word`);
    return out;
  }
}

/** From [rule, start, end] triples: per rule, the leftmost match, the longest at that start, then the next that does not overlap. */
function leftmostLongest(events: readonly number[]): [number, number, number][] {
  const triples: [number, number, number][] = [];
  for (let i = 0; i < events.length; i += 3) triples.push([events[i]!, events[i + 1]!, events[i + 2]!]);
  triples.sort((a, b) => a[0] - b[0] || a[1] - b[1] || b[2] - a[2]);
  const out: [number, number, number][] = [];
  let rule = -1;
  let free = 0;
  for (const triple of triples) {
    if (triple[0] !== rule) {
      rule = triple[0];
      free = 0;
    }
    if (triple[1] < free) continue;
    out.push(triple);
    free = triple[2];
  }
  return out;
}

interface Anchor {
  ids: number[];
  /** How often the most frequent of these words occurs (common-words.ts): lower triggers less. */
  cost: number;
}

/**
 * Words of which every match must contain one (the rule's trigger), from the
 * required element whose words are rarest; for a multi-word entry, its rarest
 * word. Undefined when the pattern has no required word.
 */
function anchorOf(
  node: PatternNode,
  resolve: (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[],
  vocab: Vocabulary,
): Anchor | undefined {
  switch (node.kind) {
    case 'word':
    case 'slot': {
      const ids = new Set<number>();
      let cost = 0;
      for (const expansion of resolve(node)) {
        let pick = expansion[0]!;
        for (const id of expansion) if (rarity(vocab, id) < rarity(vocab, pick)) pick = id;
        ids.add(pick);
        cost = Math.max(cost, rarity(vocab, pick));
      }
      return { ids: [...ids], cost };
    }
    case 'seq': {
      let best: Anchor | undefined;
      for (const item of node.items) {
        const a = anchorOf(item, resolve, vocab);
        if (a && (!best || a.cost < best.cost || (a.cost === best.cost && a.ids.length < best.ids.length))) best = a;
      }
      return best;
    }
    case 'alt': {
      const parts = node.options.map((o) => anchorOf(o, resolve, vocab));
      if (parts.some((p) => !p)) return undefined;
      return { ids: [...new Set(parts.flatMap((p) => p!.ids))], cost: Math.max(...parts.map((p) => p!.cost)) };
    }
    case 'opt':
    case 'gap':
    case 'any':
      return undefined;
  }
}

/** The anchors of every required element of a pattern: a match holds a word of each. */
function requirementsOf(
  node: PatternNode,
  resolve: (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[],
  vocab: Vocabulary,
): Anchor[] {
  if (node.kind === 'seq') return node.items.flatMap((item) => requirementsOf(item, resolve, vocab));
  const anchor = anchorOf(node, resolve, vocab);
  return anchor ? [anchor] : [];
}

function intersects(need: ReadonlySet<number>, present: ReadonlySet<number>): boolean {
  if (need.size > present.size) {
    for (const id of present) if (need.has(id)) return true;
    return false;
  }
  for (const id of need) if (present.has(id)) return true;
  return false;
}

/** Token classes ($NUMBER…) count as fairly common. */
function rarity(vocab: Vocabulary, id: number): number {
  const key = vocab.keyOf(id);
  return key === '' ? 1 : frequency(key);
}

const QUOTES = new Set([...'"“”«»']);
const quoteCounts = new WeakMap<Tokens, Int32Array>();

/** An odd number of double quotes before the match and at least one after it (prefix counts, once per post). */
function insideQuotes(ctx: PhraseContext, at: { t: number; end: number }): boolean {
  let counts = quoteCounts.get(ctx.tokens);
  if (!counts) {
    counts = new Int32Array(ctx.text.length + 1);
    for (let i = 0; i < ctx.text.length; i++) counts[i + 1] = counts[i]! + (QUOTES.has(ctx.text[i]!) ? 1 : 0);
    quoteCounts.set(ctx.tokens, counts);
  }
  const before = counts[ctx.tokens.from[at.t]!]!;
  const after = counts[ctx.text.length]! - counts[ctx.tokens.to[at.end - 1]!]!;
  return before % 2 === 1 && after > 0;
}

