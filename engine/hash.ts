import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so that equal documents hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? withSortedKeys(v as Record<string, unknown>) : v));
}

/**
 * The object itself when its keys already come in sorted order, else a copy with them inserted
 * sorted (an array-index key still lists first, in numeric order, as in any object). A pack's
 * text models hold ~40,000 weights each (written by weight, not by name): sorting and copying
 * them through entries took ~330 ms of a cold pack load, this ~210.
 */
function withSortedKeys(v: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(v);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      // The default sort compares by UTF-16 code units, as `<` does, without a call per comparison.
      keys.sort();
      // No prototype: a key `__proto__` is then an own property, as Object.fromEntries would make it.
      const copy = Object.create(null) as Record<string, unknown>;
      for (const key of keys) copy[key] = v[key];
      return copy;
    }
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function contentHash(value: unknown): string {
  return `sha256:${sha256(canonicalJson(value))}`;
}
