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
  normalized: NormalizedText;
  tokens: Tokens;
  /** The post's original text, for the quoted-speech guard. */
  text: string;
  /** Tokens and views of every post of the thread, for `within: thread` guards. */
  thread(): { normalized: NormalizedText; tokens: Tokens }[];
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

// Common words make poor triggers: a rule is only looked at when its rarest required word occurs.
const STOPWORDS = new Set(
  'i im you u ur your he she they we it me my him her them us to the a an and or of in on at for is are am be will ll would going gonna just so if not this that with do don t s re ve'.split(' '),
);

export class PhraseSet {
  private readonly vocab = new Vocabulary();
  private readonly automaton = new Automaton();
  private readonly rules: CompiledRule[] = [];
  private readonly guards: CompiledGuard[] = [];
  /** Vocabulary id → rules for which it is a required word. */
  private readonly anchors = new Map<number, number[]>();

  constructor(spec: PhraseSetSpec, lexicons: ReadonlyMap<string, { terms: string[] }>) {
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
      const compiled = this.compilePatterns(`rules[${index}] (${rule.id})`, rule.match, resolve);
      const guards = (rule.unless ?? []).map((g) => {
        const at = guardIndex.get(g);
        if (at === undefined) throw new Error(`rules[${index}] (${rule.id}): unknown guard "${g}" (declare it under guards:)`);
        return at;
      });
      const ruleIndex = this.rules.length;
      this.rules.push({ id: rule.id, signal: rule.signal ?? rule.id, starts: compiled.map((p) => p.start), guards });
      for (const { anchor } of compiled) {
        for (const id of anchor) {
          const list = this.anchors.get(id) ?? [];
          if (!list.includes(ruleIndex)) list.push(ruleIndex);
          this.anchors.set(id, list);
        }
      }
    });
  }

  get signals(): string[] {
    return [...new Set(this.rules.map((r) => r.signal))];
  }

  /** Matches of the rules (of the `only` signals), leftmost-longest and non-overlapping per rule, and the ones a guard suppressed. */
  find(ctx: PhraseContext, only?: ReadonlySet<string>): { matches: PhraseMatch[]; suppressed: Suppressed[] } {
    const { tokens, normalized } = ctx;
    const count = tokens.keys.length;
    const matches: PhraseMatch[] = [];
    const suppressed: Suppressed[] = [];
    if (count === 0) return { matches, suppressed };
    let ids: (number[] | null)[] | undefined;
    let candidates: Map<number, Set<number>> | undefined; // rule → sentences
    for (let t = 0; t < count; t++) {
      const found = this.vocab.lookup(normalized, tokens, t);
      if (!found) continue;
      (ids ??= new Array(count).fill(null))[t] = found;
      for (const id of found) {
        for (const r of this.anchors.get(id) ?? []) {
          let sentences = (candidates ??= new Map<number, Set<number>>()).get(r);
          if (!sentences) candidates.set(r, (sentences = new Set<number>()));
          sentences.add(tokens.sentence[t]!);
        }
      }
    }
    if (!candidates || !ids) return { matches, suppressed };
    const guardCache = new Map<string, boolean>();
    for (const [r, sentences] of candidates) {
      const rule = this.rules[r]!;
      if (only && !only.has(rule.signal)) continue;
      for (const sentence of sentences) {
        const from = tokens.sentenceStart[sentence]!;
        const to = tokens.sentenceStart[sentence + 1]!;
        for (let t = from; t < to; ) {
          const end = this.longest(rule.starts, ids, t, to);
          if (end <= t) {
            t++;
            continue;
          }
          const match: PhraseMatch = {
            rule: rule.id,
            signal: rule.signal,
            from: tokens.from[t]!,
            to: tokens.to[end - 1]!,
            first: t,
            last: end,
            sentence,
          };
          const guard = rule.guards.find((g) => this.guardHolds(g, ctx, ids!, { from, to, t, end, sentence }, guardCache));
          if (guard === undefined) matches.push(match);
          else suppressed.push({ ...match, guard: this.guards[guard]!.name });
          t = end;
        }
      }
    }
    matches.sort((a, b) => a.from - b.from || b.to - a.to);
    return { matches, suppressed };
  }

  private longest(starts: readonly number[], ids: readonly (readonly number[] | null)[], from: number, to: number): number {
    let best = -1;
    for (const s of starts) best = Math.max(best, this.automaton.longestAt(s, ids, from, to));
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
          ctx.thread().some((p) => {
            const postIds = Array.from({ length: p.tokens.keys.length }, (_, t) => this.vocab.lookup(p.normalized, p.tokens, t));
            return this.occurs(guard.starts, postIds, 0, postIds.length);
          }),
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
  ): { start: number; anchor: number[] }[] {
    return (Array.isArray(match) ? match : [match]).map((source) => {
      let node: PatternNode;
      try {
        node = parsePattern(source);
        const anchor = anchorOf(node, resolve, this.vocab);
        if (!anchor) throw new Error(`pattern ${JSON.stringify(source)} has no required word (a rule must not match on gaps alone)`);
        return { start: this.automaton.add(node, resolve), anchor: anchor.ids };
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
      phrases.push(...lexicon.terms);
    }
    const inflect = spec.inflect && spec.inflect !== 'none' ? spec.inflect : undefined;
    const forms = inflect ? phrases.flatMap((p) => inflectPhrase(p, inflect)) : phrases;
    const out = forms.flatMap((p) => expandPhrase(this.vocab, p));
    if (out.length === 0) throw new Error(`slots.${slotName}: no matchable word`);
    return out;
  }
}

/**
 * Words of which every match must contain one (the rule's trigger): from the
 * most selective required element of the pattern. Undefined when the pattern
 * has no required word.
 */
function anchorOf(
  node: PatternNode,
  resolve: (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[],
  vocab: Vocabulary,
): { ids: number[]; common: boolean } | undefined {
  switch (node.kind) {
    case 'word':
    case 'slot': {
      const expansions = resolve(node);
      const ids = [...new Set(expansions.map((e) => e[0]!))];
      const common = node.kind === 'word' && node.words.some((w) => STOPWORDS.has(w.toLowerCase().replace(/['’]/g, '')));
      return { ids, common };
    }
    case 'seq': {
      let best: { ids: number[]; common: boolean } | undefined;
      for (const item of node.items) {
        const a = anchorOf(item, resolve, vocab);
        if (!a) continue;
        if (!best || (best.common && !a.common) || (best.common === a.common && a.ids.length < best.ids.length)) best = a;
      }
      return best;
    }
    case 'alt': {
      const parts = node.options.map((o) => anchorOf(o, resolve, vocab));
      if (parts.some((p) => !p)) return undefined;
      return { ids: [...new Set(parts.flatMap((p) => p!.ids))], common: parts.some((p) => p!.common) };
    }
    case 'opt':
    case 'gap':
    case 'any':
      return undefined;
  }
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

