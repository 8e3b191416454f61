/**
 * Inflections generated at compile time with compromise (its conjugation and
 * pluralisation tables know shoot → shot, hang → hung, knife → knives), so a
 * reviewer writes `{kill}` or a slot with `inflect: verb` instead of every form.
 * compromise is loaded on first use and never runs on the evaluate path.
 */
import { createRequire } from 'node:module';

export type Inflection = 'verb' | 'noun';

interface Transform {
  verb: { conjugate(word: string, model: unknown): Record<string, string> };
  noun: { toPlural(word: string, model: unknown): string };
}

let nlp: { transform: Transform; model: unknown } | undefined;
const cache = new Map<string, string[]>();

function compromise(): { transform: Transform; model: unknown } {
  if (!nlp) {
    const lib = createRequire(import.meta.url)('compromise') as {
      world(): { methods: { two: { transform: Transform } }; model: unknown };
    };
    const world = lib.world();
    nlp = { transform: world.methods.two.transform, model: world.model };
  }
  return nlp;
}

/**
 * Lets the GC have compromise (its lexicon and model are ~200k objects that every major GC would
 * mark for the life of the process): after a pack is compiled. The next compile loads it again.
 */
export function releaseInflector(): void {
  if (!nlp) return;
  nlp = undefined;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('compromise');
  for (const id of Object.keys(require.cache)) if (id === entry || id.includes('/node_modules/compromise/')) delete require.cache[id];
}

/** The word and its forms: verbs get -s, past, participle, -ing and the informal -in'; nouns their plural. */
export function inflections(word: string, as: Inflection): string[] {
  const key = `${as}:${word}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const forms = new Set([word]);
  // Only single lower-case words inflect; a phrase inflects its head word (see inflectPhrase).
  if (/^[a-z]+$/.test(word)) {
    const { transform, model } = compromise();
    if (as === 'verb') {
      const c = transform.verb.conjugate(word, model);
      for (const k of ['PresentTense', 'PastTense', 'Participle', 'Gerund'] as const) {
        const form = c[k];
        if (form && /^[a-z]+$/.test(form)) forms.add(form);
      }
      const gerund = c.Gerund;
      if (gerund?.endsWith('ing')) forms.add(gerund.slice(0, -1)); // killin'
    } else {
      const plural = transform.noun.toPlural(word, model);
      if (plural && /^[a-z]+$/.test(plural)) forms.add(plural);
    }
  }
  const out = [...forms];
  cache.set(key, out);
  return out;
}

/** `beat to death` → beat/beats/beating/beaten to death: the first word carries the inflection. */
export function inflectPhrase(phrase: string, as: Inflection): string[] {
  const trimmed = phrase.trim();
  const space = trimmed.indexOf(' ');
  const head = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space);
  // For nouns the last word is the head: `sleeping pill` → `sleeping pills`.
  if (as === 'noun' && space >= 0) {
    const last = trimmed.lastIndexOf(' ');
    return inflections(trimmed.slice(last + 1).toLowerCase(), as).map((f) => trimmed.slice(0, last + 1) + f);
  }
  return inflections(head.toLowerCase(), as).map((f) => f + rest);
}
