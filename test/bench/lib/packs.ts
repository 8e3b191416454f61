/** Synthetic resolved packs derived from the default pack, compiled with the public `compilePack`. */
import type { ResolvedPack } from '../../../engine/index.js';

/** The default pack with `extra` terms added to the profanity lexicon (the real terms stay). */
export function withProfanityTerms(base: ResolvedPack, extra: readonly string[]): ResolvedPack {
  const pack = structuredClone(base);
  const profanity = pack.lexicons.profanity;
  if (!profanity) throw new Error('the default pack has no "profanity" lexicon');
  profanity.terms = [...profanity.terms, ...extra];
  return pack;
}

/**
 * A pack of exactly `count` checks: the `firing` check once, then copies (with
 * unique ids and codes) of the default pack's other lexicon and pattern checks,
 * round robin. A post that trips only `firing` fires exactly one check. The
 * text models' checks are not among them, so the conditions that read their
 * scores (the phrase checks' veto) are dropped.
 */
export function withChecks(base: ResolvedPack, count: number, firing = 'tos-scam'): ResolvedPack {
  const pack = structuredClone(base);
  const first = pack.checks.find((c) => c.id === firing);
  if (!first) throw new Error(`no check "${firing}" in the default pack`);
  const families = pack.checks.filter(
    (c) => c.id !== firing && (c.detector?.type === 'lexicon' || c.detector?.type === 'pattern'),
  );
  const copies = Array.from({ length: count - 1 }, (_, i) => {
    const spec = families[i % families.length]!;
    const n = Math.floor(i / families.length) + 1;
    return { ...structuredClone(spec), id: `${spec.id}-${n}`, code: `${spec.code}_${n}` };
  });
  pack.checks = [first, ...copies].map((check) => {
    if (!check.when) return check;
    const { when: _dropped, ...rest } = check;
    const when = withoutScores(check.when) as typeof check.when & { all?: unknown[] };
    // A condition that was only the veto goes with it: the check is its detector alone.
    return when.all?.length === 0 && Object.keys(when).length === 1 ? rest : { ...rest, when };
  });
  return pack;
}

/** A condition tree without its `scores` leaves. */
function withoutScores(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((child) => (child as { fact?: string }).fact !== 'scores').map(withoutScores);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'all' || key === 'any' || key === 'not' ? withoutScores(value) : value]));
}
