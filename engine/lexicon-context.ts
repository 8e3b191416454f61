/**
 * Context for polysemous terms: "our bitch had puppies", "donkey, or ass",
 * "the hooker threw in", "Dick Van Dyke". A rule names terms of its lexicon
 * and the words that, near them, give the innocent sense; a word aimed at a
 * person just before the term (`you`, `your`) cancels that. Fixed phrases
 * ("great tit", "summa cum laude") belong on the allow-list instead.
 * Runs only on hits, so clean text costs nothing.
 */
import { type NormalizedText, normalizeForMatching } from './normalize.js';
import { REVEAL } from './normalize/revelations.js';

export interface ContextRuleSpec {
  /** Lexicon terms the rule is about, as written in the lexicon. */
  terms: string[];
  /** Words that, within `window` words either side, give the innocent sense (list inflections too). */
  benign_near?: string[];
  /** Words either side to look at; default 6. */
  window?: number;
  /** Capitalised and next to another capitalised word, the term is a name (Moby Dick, Dick Van Dyke). */
  names?: boolean;
  /** Words that aim the term at a person when one of the two words before it; default you, your, ur, u, ya. */
  targets?: string[];
  /**
   * The term swears written in lower case; in capitals it is an acronym (AF-1, a TF card, MF
   * film), unless the words around it are in capitals too (`TIRED AF`).
   */
  lowercase?: boolean;
}

interface Rule {
  benign: Set<string>;
  window: number;
  names: boolean;
  targets: Set<string>;
  lowercase: boolean;
}

const SPACE = 0x20;
const DEFAULT_TARGETS = ['you', 'your', 'youre', 'ur', 'u', 'ya', 'yo'];
/** Capitalised words that do not make a name of their neighbour ("Don't Be A Dick"). */
const NOT_NAMES = new Set(['a', 'an', 'the', 'be', 'is', 'you', 'your', 'such', 'what', 'big', 'total', 'complete', 'absolute', 'no', 'ok']);

function key(word: string): string {
  return normalizeForMatching(word).text;
}

export class ContextRules {
  /** Per lexicon index: term → rules. */
  readonly #rules: Map<string, Rule[]>[];

  constructor(perLexicon: readonly (readonly ContextRuleSpec[])[]) {
    this.#rules = perLexicon.map((specs) => {
      const byTerm = new Map<string, Rule[]>();
      for (const spec of specs) {
        const rule: Rule = {
          benign: new Set((spec.benign_near ?? []).map(key)),
          window: spec.window ?? 6,
          names: spec.names ?? false,
          targets: new Set((spec.targets ?? DEFAULT_TARGETS).map(key)),
          lowercase: spec.lowercase ?? false,
        };
        for (const term of spec.terms) byTerm.set(term, [...(byTerm.get(term) ?? []), rule]);
      }
      return byTerm;
    });
  }

  /** True when a rule of the hit's lexicon reads the hit [start, end) of `term` as innocent. */
  benign(n: NormalizedText, start: number, end: number, lexicon: number, term: string): boolean {
    const rules = this.#rules[lexicon]?.get(term);
    if (!rules) return false;
    const before = wordsBefore(n, start, Math.max(...rules.map((r) => r.window), 2));
    const after = wordsAfter(n, end, Math.max(...rules.map((r) => r.window), 1));
    for (const rule of rules) {
      if (before.slice(0, 2).some((w) => rule.targets.has(w.text))) continue;
      if (rule.names && isName(n, start, end, before[0], after[0])) return true;
      if (rule.lowercase && hasCapital(n, start, end) && !shouted(n, before[0], after[0])) return true;
      const near = [...before.slice(0, rule.window), ...after.slice(0, rule.window)];
      if (near.some((w) => rule.benign.has(w.text))) return true;
    }
    return false;
  }
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Up to `count` words before `at`, nearest first. */
function wordsBefore(n: NormalizedText, at: number, count: number): Word[] {
  const out: Word[] = [];
  let end = at - 1; // the space before the hit
  while (end > 0 && out.length < count) {
    let start = end;
    while (start > 0 && n.text.charCodeAt(start - 1) !== SPACE) start--;
    out.push({ text: n.text.slice(start, end), start, end });
    end = start - 1;
  }
  return out;
}

/** Up to `count` words after `at`, nearest first. */
function wordsAfter(n: NormalizedText, at: number, count: number): Word[] {
  const out: Word[] = [];
  let start = at + 1;
  while (start <= n.text.length && out.length < count) {
    let end = start;
    while (end < n.text.length && n.text.charCodeAt(end) !== SPACE) end++;
    if (end > start) out.push({ text: n.text.slice(start, end), start, end });
    start = end + 1;
  }
  return out;
}

/** Written `Xxxx` (first letter alone upper case). */
function capitalised(n: NormalizedText, start: number, end: number): boolean {
  if (end - start < 1 || (n.flags[start]! & REVEAL.case) === 0) return false;
  for (let i = start + 1; i < end; i++) if ((n.flags[i]! & REVEAL.case) !== 0) return false;
  return true;
}

function hasCapital(n: NormalizedText, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((n.flags[i]! & REVEAL.case) !== 0) return true;
  return false;
}

/** A neighbour with two letters or more, all in capitals. */
function shouted(n: NormalizedText, ...words: (Word | undefined)[]): boolean {
  return words.some((w) => {
    if (w === undefined) return false;
    let letters = 0;
    for (let i = w.start; i < w.end; i++) {
      if (!isLetter(n.text.charCodeAt(i))) continue;
      if ((n.flags[i]! & REVEAL.case) === 0) return false;
      letters++;
    }
    return letters >= 2;
  });
}

const isLetter = (c: number) => c >= 0x61 && c <= 0x7a;

function isName(n: NormalizedText, start: number, end: number, before: Word | undefined, after: Word | undefined): boolean {
  if (!capitalised(n, start, end)) return false;
  // A possessive (Dick's Sporting Goods) leaves a lone `s` between the name and the next word.
  const next = after?.text === 's' ? wordsAfter(n, after.end, 1)[0] : after;
  return nameLike(n, before) || nameLike(n, next);
}

function nameLike(n: NormalizedText, w: Word | undefined): boolean {
  return w !== undefined && !NOT_NAMES.has(w.text) && capitalised(n, w.start, w.end);
}
