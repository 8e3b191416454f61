/**
 * A phrase set's patterns compiled into its automaton: slots and words resolved to token
 * sequences of the vocabulary, and the words each required element of a pattern needs (the
 * rarest of them is the pattern's trigger). Runs once, when the set is built.
 */
import type { Static } from '@sinclair/typebox';
import type { Automaton } from './automaton.js';
import { frequency } from './common-words.js';
import { inflectPhrase, inflections } from './inflect.js';
import { parsePattern, type PatternNode } from './pattern.js';
import type { LeafResolver } from './pattern-graph.js';
import type { phraseSlot } from './phrase-schema.js';
import { TOKEN_CLASS, type TokenClass } from './tokens.js';
import { expandPhrase, type Expansion, type Vocabulary } from './vocabulary.js';

/** Words resolve to their forms (a `{word}` to all its inflections), slots to their entries or a token class. */
export function leafResolver(vocab: Vocabulary, slots: ReadonlyMap<string, Expansion[]>): LeafResolver {
  return (node) => {
    if (node.kind === 'slot') {
      if (node.name in TOKEN_CLASS) return [[vocab.classId(node.name as TokenClass)]];
      const found = slots.get(node.name);
      if (!found) throw new Error(`unknown slot $${node.name} (declare it under slots:)`);
      return found;
    }
    const words = node.inflect ? node.words.flatMap((w) => inflections(w.toLowerCase(), 'verb')) : node.words;
    // Every alternative must match something: an emoji or a number among words would otherwise
    // drop out silently (the matching view has no emoji), as 😂 did in a guard for months.
    return words.flatMap((w) => {
      const forms = expandPhrase(vocab, w);
      if (forms.length === 0) {
        throw new Error(`"${w}" has no letters to match (numbers, amounts, links, years, laughing or crying emoji and handles are $NUMBER, $MONEY, $URL, $YEAR, $LAUGH, $SOB, $HANDLE)`);
      }
      return forms;
    });
  };
}

/** Adds each pattern of `match` to the automaton; `where` names it in errors. */
export function compilePatterns(
  automaton: Automaton,
  vocab: Vocabulary,
  where: string,
  match: string | string[],
  resolve: LeafResolver,
  tag = -1,
): { start: number; requirements: Anchor[] }[] {
  return (Array.isArray(match) ? match : [match]).map((source) => {
    let node: PatternNode;
    try {
      node = parsePattern(source);
      const requirements = requirementsOf(node, resolve, vocab);
      if (requirements.length === 0) throw new Error(`pattern ${JSON.stringify(source)} has no required word (a rule must not match on gaps alone)`);
      return { start: automaton.add(node, resolve, tag), requirements };
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  });
}

/** The entries of a slot: its words and the terms of its lexicons, inflected as it asks. */
export function slotExpansions(
  vocab: Vocabulary,
  slotName: string,
  slot: Static<typeof phraseSlot>,
  lexicons: ReadonlyMap<string, { terms: string[] }>,
): Expansion[] {
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
  const out = forms.flatMap((p) => expandPhrase(vocab, p));
  if (out.length === 0) throw new Error(`slots.${slotName}: no matchable word`);
  return out;
}

export interface Anchor {
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

/** Token classes ($NUMBER…) count as fairly common. */
function rarity(vocab: Vocabulary, id: number): number {
  const key = vocab.keyOf(id);
  return key === '' ? 1 : frequency(key);
}

/**
 * A number is in a large share of posts' sentences: as a trigger it is more common than
 * compile-patterns' cost for a token class (1, "fairly common") says, between the frequent words
 * (2) and the most frequent (3). With 1, "(within|in) $NUMBER"-like patterns of the TOS set were
 * tried in every sentence with a number (65 per post of the dev split). Only which patterns are
 * looked at changes: a pattern runs where all its requirements are present, whichever triggers it.
 */
const NUMBER_COST = 2.5;

/** A pattern's trigger: its requirement whose words are rarest, and of those the one with the fewest words. */
export function cheapest(requirements: readonly Anchor[], vocab: Vocabulary): Anchor {
  // An anchor is as common as its most common word (compile-patterns takes the max too).
  const cost = (r: Anchor): number => (r.ids.some((id) => vocab.isClass(id, 'NUMBER')) ? Math.max(r.cost, NUMBER_COST) : r.cost);
  return requirements.reduce((a, b) => (cost(b) < cost(a) || (cost(b) === cost(a) && b.ids.length < a.ids.length) ? b : a));
}
