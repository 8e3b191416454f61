/**
 * 32-bit FNV-1a over UTF-16 units: the text models' feature hashes (classifier/features.ts) and
 * the phrase vocabulary's lookup by span (phrases/word-table.ts). Stepped one unit at a time, so
 * a hash can be built as a name or a span is read, with no string made for it.
 */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The hash after one more unit. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME) >>> 0;
}

/** The hash of text[from, to), continuing from `hash` (FNV_OFFSET for a fresh one). */
export function fnvRange(text: string, from: number, to: number, hash: number = FNV_OFFSET): number {
  for (let i = from; i < to; i++) hash = fnvStep(hash, text.charCodeAt(i));
  return hash;
}
