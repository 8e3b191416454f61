/**
 * A phrase set (rules/<pack>/phrases/*.yaml): word classes (slots), context
 * guards and phrase rules, compiled once into one automaton. `find` tokenises
 * nothing itself: it takes the post's tokens, looks each word up once, runs
 * only the rules whose required words occur, and only in those sentences.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { NormalizedText } from '../normalize.js';
import { Automaton } from './automaton.js';
import { expandPhrase, Vocabulary, type Expansion } from './vocabulary.js';
import { inflectPhrase, inflections, type Inflection } from './inflect.js';
import { parsePattern, type PatternNode } from './pattern.js';
import { isAsciiWordChar, TOKEN_CLASS, type TokenClass, type Tokens } from './tokens.js';
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
      except: Type.Optional(
        Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
          description: 'patterns that, anywhere in the post, keep the guard from holding: the post says the context does not apply ("irl" against a games guard)',
        }),
      ),
      description: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { quoted: Type.Literal(true, { description: 'the match sits inside quotation marks, double or single' }), description: Type.Optional(Type.String()) },
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

/** A compiled guard pattern: its start state, the words each required element needs, the words it can begin with. */
interface GuardPattern {
  start: number;
  requirements: Requirement[];
  /** The words a match can begin with; null when any word can begin it. */
  first: ReadonlySet<number> | null;
}

interface CompiledGuard {
  name: string;
  quoted: boolean;
  patterns: GuardPattern[];
  /** Patterns that, anywhere in the post, keep the guard from holding. */
  except: GuardPattern[];
  within: 'window' | 'sentence' | 'post' | 'thread';
  before: number;
  after: number;
}

export class PhraseSet {
  private readonly automaton = new Automaton();
  private readonly rules: CompiledRule[] = [];
  private readonly guards: CompiledGuard[] = [];
  /** Every compiled rule pattern: its start state and the words each required element other than its trigger needs. */
  private readonly patterns: { start: number; others: Requirement[] }[] = [];
  /** Vocabulary id → patterns for which it is the trigger (the rarest required element). */
  private readonly anchors = new Map<number, number[]>();
  /** The same by vocabulary id in a dense array (built after compilation; ids are small integers). */
  private anchorsById: (number[] | undefined)[] = [];
  /** Per pattern: the word ids its match can begin with, or null when any word can begin it. */
  private readonly firstWords: (ReadonlySet<number> | null)[] = [];
  // Scratch reused by `find` (single-threaded), stamped with a generation per sentence: the
  // patterns already tested in it, and the vocabulary ids present in it.
  private checkedIn = new Int32Array(0);
  private presentIn = new Int32Array(0);
  private generation = 0;
  // The same for the token range a guard is looked for in (the last one stamped is remembered).
  private rangePresent = new Int32Array(0);
  private rangeGeneration = 0;
  private lastRange: { ids: unknown; from: number; to: number; distinct: number[] } = { ids: null, from: 0, to: 0, distinct: [] };

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
        this.guards.push({ name: guardName, quoted: true, patterns: [], except: [], within: 'window', before: 0, after: 0 });
        continue;
      }
      const guardPatterns = (where: string, match: string | string[]): GuardPattern[] =>
        this.compilePatterns(where, match, resolve).map(({ start, requirements }) => ({
          start,
          requirements: requirements.map(requirement),
          first: null, // set once every pattern is in the automaton
        }));
      this.guards.push({
        name: guardName,
        quoted: false,
        patterns: guardPatterns(`guards.${guardName}`, guard.match),
        except: guard.except ? guardPatterns(`guards.${guardName}.except`, guard.except) : [],
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
        const trigger = requirements.reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.ids.length < a.ids.length) ? b : a));
        // The trigger is present wherever the pattern is tried: only the other elements are checked.
        this.patterns.push({ start, others: requirements.filter((r) => r !== trigger).map(requirement) });
        for (const id of trigger.ids) this.anchors.set(id, [...(this.anchors.get(id) ?? []), p]);
      }
    });
    // Looked up after the last pattern is added: the automaton packs itself once for lookups.
    for (const guard of this.guards) for (const p of [...guard.patterns, ...guard.except]) p.first = this.automaton.firstWordsOf(p.start);
    for (const p of this.patterns) this.firstWords.push(this.automaton.firstWordsOf(p.start));
    this.checkedIn = new Int32Array(this.patterns.length);
    // Filled first so that V8 keeps it a flat array (assigning sparse ids to [] can make it a dictionary).
    this.anchorsById = new Array<number[] | undefined>(this.vocab.size).fill(undefined);
    for (const [id, list] of this.anchors) this.anchorsById[id] = list;
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
    if (this.presentIn.length < this.vocab.size) {
      this.presentIn = new Int32Array(this.vocab.size + 64);
      this.rangePresent = new Int32Array(this.vocab.size + 64);
      this.lastRange = { ids: null, from: 0, to: 0, distinct: [] };
    }
    const present = this.presentIn;
    let guardCache: Map<string, boolean> | undefined;
    for (let sentence = 0; sentence + 1 < tokens.sentenceStart.length; sentence++) {
      const from = tokens.sentenceStart[sentence]!;
      const to = tokens.sentenceStart[sentence + 1]!;
      // One dictionary lookup per word. A pattern is run only in a sentence that holds its
      // trigger and some word of every other required element: most sentences run nothing.
      const gen = ++this.generation;
      const distinct = distinctIds(ids, from, to, present, gen);
      let triggered = false;
      for (const id of distinct) {
        if (this.anchorsById[id] !== undefined) {
          triggered = true;
          break;
        }
      }
      if (!triggered) continue;
      let viable: number[] | undefined;
      for (let t = from; t < to; t++) {
        const found = ids[t];
        if (!found) continue;
        for (const id of found) {
          const list = this.anchorsById[id];
          if (!list) continue;
          for (const p of list) {
            if (this.checkedIn[p] === gen) continue;
            this.checkedIn[p] = gen;
            if (allPresent(this.patterns[p]!.others, present, gen, distinct)) (viable ??= []).push(p);
          }
        }
      }
      if (!viable) continue;
      // Only the viable patterns are started, at the words they can begin with.
      const injections: number[] = [];
      for (let t = from; t < to; t++) {
        const token = ids[t];
        for (const p of viable) {
          const first = this.firstWords[p]!;
          if (first === null || (token && hasAny(first, token))) injections.push(t, this.patterns[p]!.start);
        }
      }
      const events = this.automaton.scan(ids, from, to, injections);
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

  private guardHolds(
    g: number,
    ctx: PhraseContext,
    ids: readonly (readonly number[] | null)[],
    at: { from: number; to: number; t: number; end: number; sentence: number },
    cache: Map<string, boolean>,
  ): boolean {
    const guard = this.guards[g]!;
    if (guard.quoted) return insideQuotes(ctx, at);
    const post = ctx.tokens.keys.length;
    let inScope: boolean;
    switch (guard.within) {
      case 'window':
        inScope = this.occurs(guard.patterns, ids, Math.max(at.from, at.t - guard.before), Math.min(at.to, at.end + guard.after));
        break;
      case 'sentence':
        inScope = this.cached(cache, `${g}:s${at.sentence}`, () => this.occurs(guard.patterns, ids, at.from, at.to));
        break;
      case 'post':
        inScope = this.cached(cache, `${g}:p`, () => this.occurs(guard.patterns, ids, 0, post));
        break;
      case 'thread':
        inScope = this.cached(cache, `${g}:t`, () => ctx.thread().some((postIds) => this.occurs(guard.patterns, postIds, 0, postIds.length)));
        break;
    }
    // An exception anywhere in the post ("irl" against a games guard) keeps the guard from holding.
    return inScope && (guard.except.length === 0 || !this.cached(cache, `${g}:x`, () => this.occurs(guard.except, ids, 0, post)));
  }

  private cached(cache: Map<string, boolean>, key: string, compute: () => boolean): boolean {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute()));
    return value;
  }

  /**
   * Does any of the patterns match somewhere inside tokens [from, to)? Only patterns whose
   * required words all occur in the range are run, in one pass with each start injected where it
   * can begin, stopping at the first match: a thread dropped because an earlier start holds the
   * same state has the same future, so no match is lost.
   */
  private occurs(patterns: readonly GuardPattern[], ids: readonly (readonly number[] | null)[], from: number, to: number): boolean {
    if (from >= to || patterns.length === 0) return false;
    const present = this.rangePresent;
    const last = this.lastRange;
    if (last.ids !== ids || last.from !== from || last.to !== to) {
      const distinct = distinctIds(ids, from, to, present, ++this.rangeGeneration);
      this.lastRange = { ids, from, to, distinct };
    }
    const gen = this.rangeGeneration;
    const distinct = this.lastRange.distinct;
    let viable: GuardPattern[] | undefined;
    for (const p of patterns) if (allPresent(p.requirements, present, gen, distinct)) (viable ??= []).push(p);
    if (!viable) return false;
    const injections: number[] = [];
    for (let t = from; t < to; t++) {
      const token = ids[t];
      for (const p of viable) if (p.first === null || (token && hasAny(p.first, token))) injections.push(t, p.start);
    }
    return injections.length > 0 && this.automaton.scan(ids, from, to, injections, true).length > 0;
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

/** The words of one required element, as a list and as a set. */
interface Requirement {
  ids: Int32Array;
  set: ReadonlySet<number>;
}

function requirement(anchor: Anchor): Requirement {
  const set = new Set(anchor.ids);
  return { ids: Int32Array.from(set), set };
}

function allPresent(needs: readonly Requirement[], present: Int32Array, gen: number, distinct: readonly number[]): boolean {
  for (let i = 0; i < needs.length; i++) if (!anyPresent(needs[i]!, present, gen, distinct)) return false;
  return true;
}

/** Is some word of `need` among the range's words (stamped `gen` in `present`, listed in `distinct`)? Walks the shorter side. */
function anyPresent(need: Requirement, present: Int32Array, gen: number, distinct: readonly number[]): boolean {
  if (need.ids.length <= distinct.length) {
    for (let i = 0; i < need.ids.length; i++) if (present[need.ids[i]!] === gen) return true;
    return false;
  }
  for (let i = 0; i < distinct.length; i++) if (need.set.has(distinct[i]!)) return true;
  return false;
}

function hasAny(set: ReadonlySet<number>, ids: readonly number[]): boolean {
  for (const id of ids) if (set.has(id)) return true;
  return false;
}

/** Token classes ($NUMBER…) count as fairly common. */
function rarity(vocab: Vocabulary, id: number): number {
  const key = vocab.keyOf(id);
  return key === '' ? 1 : frequency(key);
}

/** " “ ” « » */
const isQuote = (c: number): boolean => c === 0x22 || c === 0x201c || c === 0x201d || c === 0xab || c === 0xbb;
const isSingleQuote = (c: number): boolean => c === 0x27 || c === 0x2018 || c === 0x2019;
/** A letter (any script) or digit: what an apostrophe sits between (`don't`, `rock'n'roll`). */
const isWordChar = (c: number): boolean => isAsciiWordChar(c) || (c > 0x7f && /\p{L}/u.test(String.fromCharCode(c)));

interface Quotes {
  /** Prefix counts of double quotes. */
  double: Int32Array;
  /** Per offset: 1 while a single-quoted span is open there ('kms', ‘a whole phrase’). */
  singleOpen: Uint8Array;
  /** Offset of the post's last closing single quote; -1 when none. */
  lastClosing: number;
}
const quotesByPost = new WeakMap<Tokens, Quotes>();

/**
 * Inside double quotes (an odd number before the match and one after it), or inside single
 * quotes used as quotation marks: one that opens (no letter before it, one after) and one that
 * closes after the match (a letter or punctuation before it, no letter after). An apostrophe
 * (`don't`) sits between letters and does neither. Scanned once per post.
 */
function insideQuotes(ctx: PhraseContext, at: { t: number; end: number }): boolean {
  const q = quotesOf(ctx);
  const from = ctx.tokens.from[at.t]!;
  const to = ctx.tokens.to[at.end - 1]!;
  const before = q.double[from]!;
  if (before % 2 === 1 && q.double[ctx.text.length]! - q.double[to]! > 0) return true;
  return q.singleOpen[from] === 1 && q.lastClosing >= to;
}

function quotesOf(ctx: PhraseContext): Quotes {
  let q = quotesByPost.get(ctx.tokens);
  if (q) return q;
  const text = ctx.text;
  const n = text.length;
  const buffer = new ArrayBuffer(5 * (n + 1)); // one allocation for both arrays
  const double = new Int32Array(buffer, 0, n + 1);
  const singleOpen = new Uint8Array(buffer, 4 * (n + 1), n + 1);
  let lastClosing = -1;
  let open = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    double[i + 1] = double[i]! + (isQuote(c) ? 1 : 0);
    if (isSingleQuote(c)) {
      const letterBefore = i > 0 && isWordChar(text.charCodeAt(i - 1));
      const letterAfter = i + 1 < n && isWordChar(text.charCodeAt(i + 1));
      if (!letterBefore && letterAfter) open = true;
      else if (!letterAfter && i > 0 && text.charCodeAt(i - 1) !== 0x20) {
        lastClosing = i;
        open = false;
      }
    }
    singleOpen[i + 1] = open ? 1 : 0;
  }
  q = { double, singleOpen, lastClosing };
  quotesByPost.set(ctx.tokens, q);
  return q;
}

/** The word ids of tokens [from, to), each once, marking them in `present` with `gen`. */
function distinctIds(ids: readonly (readonly number[] | null)[], from: number, to: number, present: Int32Array, gen: number): number[] {
  const distinct: number[] = [];
  for (let t = from; t < to; t++) {
    const found = ids[t];
    if (!found) continue;
    for (const id of found) {
      if (present[id] === gen) continue;
      present[id] = gen;
      distinct.push(id);
    }
  }
  return distinct;
}
