/**
 * What a pack costs per evaluation at its worst, measured on probe inputs (issue 13, finding 2).
 *
 * The server evaluates short posts on its event loop, where a deadline can answer but cannot
 * stop the work, so a pack may run there only once it is shown cheap at that size; `check`
 * reports the same figure and refuses a pack far past it. RE2, the automata and the models are
 * linear in the text, so the cost of a pack is its cost per character and per post: the probes
 * are the shapes that have been most expensive per character (twitter-text's quadratic
 * `a.a.a.`, one endless word, every term of the pack back to back, letterforms and combining
 * marks for the normaliser) and a thread of as many tiny posts as a request may hold.
 */
import { evaluate, type CompiledPack, type EvaluationInput } from '../index.js';

export interface WorstCase {
  /** Slowest probe, in ms (the faster of two runs, so a GC pause is not taken for the pack's cost). */
  ms: number;
  /** Which probe that was. */
  probe: string;
  /** Set when the measure stopped early: a probe of a tenth of the size projected ten times past `limitMs`. */
  projected?: boolean;
}

export interface Probe {
  name: string;
  input: EvaluationInput;
}

const LETTERFORMS = '𝐟𝐮𝐜𝐤 🅵🆄 ѕһіт f\u200bu\u0301c\u0308k ⓢⓗⓘⓣ ';

/** The probe inputs of `chars` UTF-16 units in all; the thread probe has `posts` posts. */
export function costProbes(pack: CompiledPack, chars: number, posts: number): Probe[] {
  const vocabulary = `${vocabularyOf(pack.resolved).join(' ')} `;
  const perPost = Math.max(1, Math.floor(chars / posts));
  return [
    { name: 'a. repeated', input: { content: fill('a.', chars) } },
    { name: 'one long word', input: { content: fill('a', chars) } },
    { name: "the pack's terms", input: { content: fill(vocabulary, chars) } },
    { name: 'letterforms', input: { content: fill(LETTERFORMS, chars) } },
    {
      name: `${posts} short posts`,
      input: { content: Array.from({ length: posts }, (_, i) => fill(vocabulary.slice((i * 7) % vocabulary.length) + vocabulary, perPost)) },
    },
  ];
}

/**
 * The slowest probe at `chars`. Each probe first runs at a tenth of the size: one that projects
 * ten times past `limitMs` (×10, and linear at best) is reported as projected without the full
 * run, so measuring a hostile pack costs a tenth of what it would.
 */
export async function measureWorstCase(pack: CompiledPack, chars: number, posts: number, limitMs: number): Promise<WorstCase> {
  let worst: WorstCase = { ms: 0, probe: '' };
  const small = costProbes(pack, Math.max(posts, Math.ceil(chars / 10)), Math.min(posts, Math.ceil(chars / 10)));
  const full = costProbes(pack, chars, posts);
  // A pack's first evaluations run cold code and fill lazy tables (a model's weights): not its cost.
  for (const probe of small) await evaluate(pack, probe.input);
  for (let i = 0; i < full.length; i++) {
    const projected = (await timeOf(pack, small[i]!.input)) * 10;
    // Far past the limit at a tenth of the size: no need to spend the full run to know.
    if (projected > limitMs * 10) return { ms: projected, probe: full[i]!.name, projected: true };
    const ms = await timeOf(pack, full[i]!.input);
    if (ms > worst.ms) worst = { ms, probe: full[i]!.name };
  }
  return worst;
}

async function timeOf(pack: CompiledPack, input: EvaluationInput): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    await evaluate(pack, input);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function fill(unit: string, chars: number): string {
  if (unit.length === 0) return 'a'.repeat(chars);
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** Every short string in the pack's lexicons and phrase sets: the words its matchers react to. */
function vocabularyOf(resolved: CompiledPack['resolved']): string[] {
  const words = new Set<string>();
  const walk = (value: unknown): void => {
    if (words.size >= 5_000) return;
    if (typeof value === 'string') {
      if (value.length <= 40) words.add(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(resolved.lexicons);
  walk(resolved.phrases);
  return [...words];
}
