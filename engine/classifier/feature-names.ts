/**
 * The feature names of a text, for training: the same features as `featuresOf`, as strings.
 */
import type { Word } from './words.js';

/** The feature names of the words, for training (same order and first-occurrence rule as `featuresOf`). */
export function featureNames(posts: readonly Word[][]): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  const add = (name: string) => {
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  };
  for (const words of posts) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!.text;
      add(`w:${w}`);
      if (i + 1 < words.length) {
        add(`b:${w} ${words[i + 1]!.text}`);
        if (i + 2 < words.length) {
          add(`t:${w} ${words[i + 1]!.text} ${words[i + 2]!.text}`);
          add(`s:${w} ${words[i + 2]!.text}`);
        }
      }
      if (w === '#' || w === '@' || w === '/' || w === '^') continue;
      const padded = `<${w}>`;
      for (let start = 0; start + 3 <= padded.length; start++) {
        for (let len = 3; len <= 5 && start + len <= padded.length; len++) add(`c:${padded.slice(start, start + len)}`);
      }
    }
  }
  return names;
}
