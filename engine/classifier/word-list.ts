/**
 * A thread's words as the text models read them, flat: typed arrays, no object or string per word.
 * An object, a span pair and a string per word were some 9 KB of garbage per 280-character post,
 * and the features (features.ts) read the words' letters as codes anyway.
 */

export interface WordList {
  /** How many words the posts have, one post's after another's. */
  count: number;
  /** The words as the model reads them (`kill` for `K1LL`), end to end: word g is codes [from[g], from[g + 1]). */
  codes: Uint16Array;
  from: Uint32Array;
  /** Word g's post, and where it is in that post's text: [start[g], end[g]). */
  post: Uint32Array;
  start: Uint32Array;
  end: Uint32Array;
  /** Post p's words are [first[p], first[p + 1]). */
  first: Uint32Array;
}

/** A list kept for `readWords` to fill again (read only until the next fill: see FeatureScratch). */
export interface WordScratch {
  list?: WordList;
}

/** The most code units a kept list has room for: a longer text's list is not kept. */
export const MAX_KEPT_UNITS = 1 << 14;

export function emptyWords(words: number, units: number, posts: number): WordList {
  return {
    count: 0,
    codes: new Uint16Array(units),
    from: new Uint32Array(words + 1),
    post: new Uint32Array(words),
    start: new Uint32Array(words),
    end: new Uint32Array(words),
    first: new Uint32Array(posts + 1),
  };
}

/** Room for the codes of one more word of `units` (read with NFKC, a word may be longer than its text). */
export function roomFor(list: WordList, units: number): void {
  const used = list.from[list.count]!;
  if (used + units > list.codes.length) {
    const codes = new Uint16Array(2 * (used + units));
    codes.set(list.codes.subarray(0, used));
    list.codes = codes;
  }
}

/** Ends word `count` (its codes written from `from[count]` up to `to`), spanning [start, end) of post `post`. */
export function endWord(list: WordList, to: number, post: number, start: number, end: number): void {
  const g = list.count++;
  list.post[g] = post;
  list.start[g] = start;
  list.end[g] = end;
  list.from[g + 1] = to;
}

/** Word g as a string. */
export function wordText(list: WordList, g: number): string {
  let text = '';
  // In pieces: a call takes only so many arguments, and a word may be a whole long text.
  for (let at = list.from[g]!; at < list.from[g + 1]!; at += 4096) {
    const piece = list.codes.subarray(at, Math.min(at + 4096, list.from[g + 1]!));
    text += String.fromCharCode.apply(null, piece as unknown as number[]);
  }
  return text;
}

/** The list of words given as objects (a caller with Word[][], e.g. tests and `TextModel.score`). */
export function listOf(posts: readonly { text: string; span: readonly [number, number] }[][]): WordList {
  let words = 0;
  let units = 0;
  for (const post of posts) {
    words += post.length;
    for (const w of post) units += w.text.length;
  }
  const list = emptyWords(words, units, posts.length);
  posts.forEach((post, p) => {
    list.first[p] = list.count;
    for (const w of post) {
      let to = list.from[list.count]!;
      for (let k = 0; k < w.text.length; k++) list.codes[to++] = w.text.charCodeAt(k);
      endWord(list, to, p, w.span[0], w.span[1]);
    }
  });
  list.first[posts.length] = list.count;
  return list;
}
