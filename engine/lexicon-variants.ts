/**
 * Spelling variants of a lexicon term, generated once at compile time so that
 * the matcher needs no per-post work for them: phonetic and misspelt forms
 * (`phuck`, `fuk`, `fvck`, `fcuk`, `azz`, `fawk`, `dikhed`, vowel-dropped `btch`), and splits of
 * a word across one space (`fu ck`). Every generated form is checked against
 * dictionaries by the collision finder (engine/tooling/collisions.ts).
 */

export type Language = 'en' | 'fr' | 'es' | 'de' | 'pt' | 'it';

export const LANGUAGES: readonly Language[] = ['en', 'fr', 'es', 'de', 'pt', 'it'];

/**
 * Inflection suffixes a whole-word term may carry, per language. Derivations
 * (-er, -y) make new, mostly innocent words (butt→butter, cock→cocky): list the
 * profane ones as terms.
 */
export const SUFFIXES: Readonly<Record<Language, readonly string[]>> = {
  en: ['s', 'es', 'ed', 'in', 'ing'],
  fr: ['s', 'e', 'es', 'x'],
  es: ['s', 'es', 'a', 'as', 'o', 'os'],
  de: ['e', 'en', 'er', 'es', 'n', 's'],
  pt: ['s', 'es', 'a', 'as', 'o', 'os'],
  it: ['a', 'e', 'i', 'o'],
};

interface Rule {
  name: string;
  from: RegExp;
  to: readonly string[];
  /** Combinable with one other rule (`phuk` = f→ph + ck→k). */
  pair?: boolean;
  languages?: readonly Language[];
}

// Respellings seen in evasive posts, applied to every occurrence at once.
const RULES: readonly Rule[] = [
  { name: 'ck→k', from: /ck/g, to: ['k', 'q', 'kk'], pair: true },
  { name: 'hard c→k', from: /c(?=[aoulrt]|$)/g, to: ['k'], pair: true },
  { name: 'f→ph', from: /f/g, to: ['ph'], pair: true },
  { name: 'ph→f', from: /ph/g, to: ['f'], pair: true },
  { name: 'u→v', from: /u/g, to: ['v'], pair: true },
  { name: 'u→oo', from: /u(?=ck|k|q)/g, to: ['oo', 'aw'], pair: true, languages: ['en'] },
  // -head written -hed (dikhed); not ea elsewhere: beaner → bener is Indonesian for right.
  { name: 'ead→ed', from: /ea(?=d)/g, to: ['e'], pair: true, languages: ['en'] },
  { name: 'sch→sh', from: /sch/g, to: ['sh'], pair: true, languages: ['de'] },
  { name: 'ss→zz', from: /ss/g, to: ['zz'], pair: true },
  { name: 'final s→z', from: /(?<=[^s])s$/g, to: ['z'], pair: true },
  { name: '-er→-a', from: /er$/g, to: ['a', 'ah', 'uh', 'r'], pair: true, languages: ['en'] },
  { name: '-ing→-n', from: /ing$/g, to: ['n'], languages: ['en'] },
  { name: 'i→y', from: /(?<=^[^aeiou]+)i(?=[^aeiou])/g, to: ['y'], languages: ['en'] },
];

/** Base forms a term's variants start from: the lower-cased ASCII term. */
function applyRule(word: string, rule: Rule): string[] {
  rule.from.lastIndex = 0;
  if (!rule.from.test(word)) return [];
  return rule.to.map((to) => word.replace(rule.from, to));
}

/** `bitch` → `btch`, `bastard` → `bstrd`: every vowel after the first letter dropped, four letters or more. */
function dropVowels(word: string): string | undefined {
  const out = word[0] + word.slice(1).replace(/[aeiou]/g, '');
  const consonants = new Set(out.replace(/[aeiouy]/g, ''));
  // Three consonants are an abbreviation more often than an evasion (salope → SLP, bosta → BST,
  // chieuse → CHS): a pack lists the short forms it means (`fck`, `mrd`) as terms.
  return out !== word && out.length >= 4 && consonants.size >= 3 ? out : undefined;
}

/** `fuck` → `fcuk`, `fukc`: the second and third letters, or the last two, swapped (typos and FCUK). */
function swaps(word: string): string[] {
  if (word.length < 4) return [];
  const out: string[] = [];
  for (const i of new Set([1, word.length - 2])) {
    if (word[i] === word[i + 1]) continue;
    out.push(word.slice(0, i) + word[i + 1]! + word[i]! + word.slice(i + 2));
  }
  return out;
}

/**
 * Respelt forms of one single-word term (ASCII letters only), without the term
 * itself. Bounded: each rule alone, pairs of combinable rules, vowel dropping
 * and one swap of adjacent letters.
 */
export function phoneticVariants(term: string, language: Language): string[] {
  const word = term.toLowerCase();
  if (!/^[a-z]{3,24}$/.test(word)) return [];
  const rules = RULES.filter((r) => !r.languages || r.languages.includes(language));
  const out = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    for (const once of applyRule(word, rule)) {
      out.add(once);
      if (!rule.pair) continue;
      for (const other of rules.slice(i + 1)) {
        if (!other.pair) continue;
        for (const twice of applyRule(once, other)) out.add(twice);
      }
    }
  }
  const dropped = dropVowels(word);
  if (dropped) out.add(dropped);
  if (language === 'en') for (const swapped of swaps(word)) out.add(swapped);
  out.delete(word);
  return [...out];
}

/**
 * `fuck` → `fu ck`; `bitch` → `bi tch`, `bit ch`: splits of a short word with two letters on
 * one side and two to five on the other. Longer halves are mostly real word pairs (`bare back`,
 * `cream pie`, `date rape`: compounds split where their own words meet). In English, a short
 * stem is also split inside itself before an `-ing` or `-ed` (`fuc king`, `fuc ked`; not `-in`: chin, kin, tin),
 * three letters or more on each side. The collision finder lists every split whose two halves
 * are dictionary words (`wan king`), for the lexicon to allow-list.
 */
export function spacedSplits(collapsed: string, language?: Language): [string, string][] {
  const out: [string, string][] = [];
  if (!/^[a-z]+$/.test(collapsed)) return out;
  for (let i = 2; i <= collapsed.length - 2; i++) {
    const [left, right] = [collapsed.slice(0, i), collapsed.slice(i)];
    if (Math.min(left.length, right.length) === 2 && Math.max(left.length, right.length) <= 5) out.push([left, right]);
  }
  // A first letter written apart from the rest of a word of six letters or more (`f ucker`).
  if (collapsed.length >= MIN_LETTER_SPLIT) out.push([collapsed.slice(0, 1), collapsed.slice(1)]);
  // A stem of four or five letters ending in a consonant: not a plural, an `-e` word (`rape` +
  // `ing` is `raping`), nor a noun in a vowel or y (`porno`, `busty`) that takes no `-ing`.
  if (collapsed.length < 4 || collapsed.length > 5 || /[aeiouys]$/.test(collapsed)) return out;
  for (const suffix of (language && SPLIT_SUFFIXES[language]) || []) {
    for (let i = MIN_STEM_HALF; i < collapsed.length; i++) {
      const [left, right] = [collapsed.slice(0, i), collapsed.slice(i) + suffix];
      if (right.length >= MIN_STEM_HALF && right.length <= 5) out.push([left, right]);
    }
  }
  return out;
}

/** Inflections after which a stem split inside itself is generated (`fuc king`). */
const SPLIT_SUFFIXES: Partial<Record<Language, readonly string[]>> = { en: ['ing', 'ed'] };
/** Letters a word needs for its first letter to be split off (`f ucker`; not `s hit`, `b itch`). */
const MIN_LETTER_SPLIT = 6;
/** Letters each half of a split inside an inflected stem has at least (`fuc king`). */
const MIN_STEM_HALF = 3;
