/**
 * The words a text model reads, from the caller's text with their spans: NFKC folds decorative
 * letterforms (mathematical bold, fullwidth, circled), digits and symbols inside a word are read
 * as the letters they stand for (k1ll, $cam), runs of three or more of one letter shrink to two,
 * a number is `#`, a mention `@`, a link `/`, and a link the post cites as its source `^`.
 */
import { SOURCE_WORDS } from '../detectors/citation.js';
import { linkSpans } from '../phrases/tokens.js';
import { isReferenceLink } from './reference-links.js';
import { ASCII_KIND, kindOf, LETTER, NONE, trimmedWord } from './word-chars.js';
import { MAX_KEPT_UNITS, emptyWords, endWord, roomFor, wordText, type WordList, type WordScratch } from './word-list.js';

export interface Word {
  /** The word as the model reads it (`kill` for `K1LL`); `#` for a number. */
  text: string;
  post: number;
  /** [start, end) in the post's text. */
  span: [number, number];
}

/** The words of each post, in order, as objects (training, tests): `readWords` is the flat form. */
export function wordsOf(posts: readonly string[]): Word[][] {
  const list = readWords(posts);
  const out: Word[][] = posts.map(() => []);
  for (let g = 0; g < list.count; g++) {
    const post = list.post[g]!;
    out[post]!.push({ text: wordText(list, g), post, span: [list.start[g]!, list.end[g]!] });
  }
  return out;
}

/** The words of each post, in order, flat; into `scratch`'s list when given (grown if short). */
export function readWords(posts: readonly string[], scratch?: WordScratch): WordList {
  let units = 0;
  for (const text of posts) units += text.length;
  let list = scratch?.list;
  // A word is at least one unit of the text; its letters (but for NFKC's) at most as many as it has.
  if (list === undefined || list.from.length <= units || list.first.length <= posts.length) {
    const kept = scratch !== undefined && units <= MAX_KEPT_UNITS;
    // Room for longer texts than this one (a long text's list is not kept).
    const room = kept ? Math.min(2 * units, MAX_KEPT_UNITS) : units;
    list = emptyWords(room, room, kept ? 2 * posts.length : posts.length);
    if (kept) scratch.list = list;
  }
  list.count = 0;
  for (let post = 0; post < posts.length; post++) {
    list.first[post] = list.count;
    readPost(list, posts[post]!, post);
  }
  list.first[posts.length] = list.count;
  return list;
}

function readPost(list: WordList, text: string, post: number): void {
  const first = list.count;
  // A link is one word, `/`: the words of its path ("…/goes/on/and/on/until/the/end") say nothing.
  const links = linkSpans(text);
  let replyTo = replyPrefix(text);
  // A link that starts among those handles ends with them (`@shop.co/x`).
  if (replyTo > 0) for (const [from, to] of links) if (from < replyTo && to > replyTo) replyTo = to;
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
    // The handles a reply starts with say whom it answers, not what it says: not read.
    if (start < replyTo) continue;
    while (l < links.length && links[l]![1] <= start) l++;
    const link = links[l];
    if (link && start >= link[0]) {
      if (list.count === first || list.start[list.count - 1] !== link[0]) addString(list, linkWord(text, link[0], link[1]), post, link[0], link[1]);
      continue;
    }
    if (plain) addPlain(list, text, post, start, i);
    else {
      const read = trimmedWord(text, start, i);
      if (read) addString(list, read, post, start, i);
    }
  }
}

/** The handles a post starts with, as a reply or a retweet does (`@jo @sam_1, `, `RT @jo: `): nothing before them but spaces. */
const REPLY_HANDLES = /^\s*(?:RT\s+)?(?:@[\w.]+[\s,:]*){1,3}/;

/**
 * Where the handles a reply starts with end, 0 when it starts otherwise; a run of more than three is
 * a list of people tagged (spam's "@a @b @c @d check this out"), which the models read as mentions.
 */
function replyPrefix(text: string): number {
  const c = text.charCodeAt(0);
  if (c !== 64 && c !== 82 /* R */ && !(c <= 32 && /^\s*[@R]/.test(text))) return 0;
  const prefix = REPLY_HANDLES.exec(text);
  return prefix === null || text.charCodeAt(prefix[0].length) === 64 ? 0 : prefix[0].length;
}

/**
 * A link introduced as a source ("Source: https://…", "via https://…"), as the citation check asks
 * a statistical claim to give one, or a link to a news, reference or public host
 * (reference-links.ts), is `^`; any other link is `/`. People's spam is full of links, so `/` leans
 * hard towards TOS: a harmless post with "Source: <link>" appended was flagged 2.6 times as often as
 * without it. A cited link is a word of its own, which the models weigh as they learn it.
 */
const CITED = new RegExp(`(?:\\b(?:${SOURCE_WORDS})\\s*:|\\bvia)\\s*[([]?\\s*$`, 'i');
const CITED_WINDOW = 24;

function linkWord(text: string, start: number, end: number): string {
  return CITED.test(text.slice(Math.max(0, start - CITED_WINDOW), start)) || isReferenceLink(text, start, end) ? '^' : '/';
}

/** A plain word (ASCII letters: lower-cased by setting one bit), text [start, end). */
function addPlain(list: WordList, text: string, post: number, start: number, end: number): void {
  roomFor(list, end - start);
  const codes = list.codes;
  let to = list.from[list.count]!;
  for (let i = start; i < end; i++) codes[to++] = text.charCodeAt(i) | 32;
  endWord(list, to, post, start, end);
}

function addString(list: WordList, word: string, post: number, start: number, end: number): void {
  roomFor(list, word.length);
  const codes = list.codes;
  let to = list.from[list.count]!;
  for (let k = 0; k < word.length; k++) codes[to++] = word.charCodeAt(k);
  endWord(list, to, post, start, end);
}
