/**
 * The words as engine/classifier/words.ts read them before its flat list (word-list.ts), object by
 * object, kept as the reference its property test compares with (words.test.ts). The rules for a
 * word's characters are shared (word-chars.ts): what changed is how the words are collected.
 *
 * The words a text model reads, from the caller's text with their spans: NFKC folds decorative
 * letterforms (mathematical bold, fullwidth, circled), digits and symbols inside a word are read
 * as the letters they stand for (k1ll, $cam), runs of three or more of one letter shrink to two,
 * a number is `#`, a mention `@` and a link `/`; a link introduced as a source (`Source: `, `via `)
 * is `^` (added with the flat list's rule, written out again here: up to 24 characters before it).
 * The handles a reply starts with are not read (session 27).
 */
import { isReferenceLink } from '../../../engine/classifier/reference-links.js';
import { linkSpans } from '../../../engine/phrases/tokens.js';
import { ASCII_KIND, kindOf, LETTER, NONE, trimmedWord } from '../../../engine/classifier/word-chars.js';

interface Word {
  /** The word as the model reads it (`kill` for `K1LL`); `#` for a number. */
  text: string;
  post: number;
  /** [start, end) in the post's text. */
  span: [number, number];
}

export function referenceWordsOf(posts: readonly string[]): Word[][] {
  return posts.map(wordsOfPost);
}

/** Whether the text before a link ends by introducing it as a source. */
function cited(before: string): boolean {
  const marker = /(?:\b(?:source|sources|src|ref|refs|reference|references|citation|citations|data)\s*:|\bvia\s*:?)\s*[([]?\s*$/i;
  return marker.test(before);
}

/** Where the one to three handles a reply (or a retweet, `RT @x:`) starts with end (none when a fourth follows: people tagged), else 0. */
function replyEnd(text: string): number {
  const m = /^\s*(?:RT\s+)?@[\w.]+(?:[\s,:]*@[\w.]+){0,2}[\s,:]*/.exec(text);
  return m && text[m[0].length] !== '@' ? m[0].length : 0;
}

function wordsOfPost(text: string, post: number): Word[] {
  const reply = replyEnd(text);
  return readPost(text, post).filter((w) => w.span[0] >= reply);
}

function readPost(text: string, post: number): Word[] {
  const words: Word[] = [];
  // A link is one word, `/`: the words of its path ("…/goes/on/and/on/until/the/end") say nothing.
  const links = linkSpans(text);
  let l = 0;
  for (let i = 0; i < text.length; ) {
    let c = text.charCodeAt(i);
    if (c >= 128) {
      const cp = text.codePointAt(i)!;
      if (kindOf(cp) === NONE) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
    } else if (ASCII_KIND[c] === NONE) {
      i++;
      continue;
    }
    // To the word's end, noting whether it is plain (readWord): ASCII letters, no run of three.
    const start = i;
    let plain = true;
    let run = 0;
    let previous = -1;
    for (;;) {
      if (c < 128) {
        const letter = c >= 65 && ASCII_KIND[c] === LETTER;
        plain &&= letter && (run = (c | 32) === previous ? run + 1 : 1) < 3;
        previous = c | 32;
        i++;
      } else {
        const cp = text.codePointAt(i)!;
        if (kindOf(cp) === NONE) break;
        plain = false;
        i += cp > 0xffff ? 2 : 1;
      }
      if (i >= text.length) break;
      c = text.charCodeAt(i);
      if (c < 128 && ASCII_KIND[c] === NONE) break;
    }
    while (l < links.length && links[l]![1] <= start) l++;
    const link = links[l];
    if (link && start >= link[0]) {
      if (words.at(-1)?.span[0] !== link[0]) words.push({ text: cited(text.slice(Math.max(0, link[0] - 24), link[0])) || isReferenceLink(text, link[0], link[1]) ? '^' : '/', post, span: [link[0], link[1]] });
      continue;
    }
    const read = plain ? text.slice(start, i).toLowerCase() : trimmedWord(text, start, i);
    if (read) words.push({ text: read, post, span: [start, i] });
  }
  return words;
}
