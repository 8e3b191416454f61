/**
 * Word tokens of a post for phrase rules: the words of the matching view
 * (engine/normalize.ts, so evasions and homoglyphs are already folded), plus
 * the things the view drops but scams are made of — numbers, amounts of money
 * and links — as single tokens of a class (`$NUMBER`, `$MONEY`, `$URL`).
 * Every token knows its sentence, and where it sits in the caller's text.
 */
import { SENTENCE_BREAK, type NormalizedText } from '../normalize.js';

export const TOKEN_CLASS = { NUMBER: 1, MONEY: 2, URL: 4 } as const;
export type TokenClass = keyof typeof TOKEN_CLASS;

export interface Tokens {
  /** The collapsed form of each word (`kill` and `killllll` are both `kil`); '' for a class token. */
  keys: string[];
  /** TOKEN_CLASS bits of each token (0 for a word). */
  classes: Uint8Array;
  /** [start, end) of each word in the normalised text; -1 for a class token. */
  start: Int32Array;
  end: Int32Array;
  /** [from, to) of each token in the post's original text. */
  from: Int32Array;
  to: Int32Array;
  /** Sentence number of each token, non-decreasing. */
  sentence: Int32Array;
  /** Token index where each sentence starts, plus a final entry equal to the token count. */
  sentenceStart: number[];
}

// Linear-time expressions (no nested quantifiers) over the original text.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9-]{2,63}\.(?:com|net|org|io|ly|co|me|xyz|link|app|info|biz|site|online|top|club|shop|store|live|gg|click|cc|ru|tk|to|us)\b(?:\/[^\s<>"]*)?/gi;
const MONEY_RE = /[$€£¥₹]\s?\d[\d,.]*(?:\s?[km]\b)?|\b\d[\d,.]*\s?(?:[km]\s?)?(?:usd|eur|gbp|\$|€|£)(?![a-z])/gi;
const NUMBER_RE = /\b\d[\d,.]*(?:[km]\b|\+)?/gi;

interface Special {
  from: number;
  to: number;
  cls: number;
}

/** URLs, then money, then numbers: earlier kinds win where they overlap. */
function specials(text: string): Special[] {
  const out: Special[] = [];
  const taken = (from: number, to: number): boolean => out.some((s) => from < s.to && to > s.from);
  for (const [re, cls] of [
    [URL_RE, TOKEN_CLASS.URL],
    [MONEY_RE, TOKEN_CLASS.MONEY | TOKEN_CLASS.NUMBER],
    [NUMBER_RE, TOKEN_CLASS.NUMBER],
  ] as const) {
    if (cls !== TOKEN_CLASS.URL && !/\d/.test(text)) continue;
    for (const m of text.matchAll(re)) {
      const from = m.index;
      const to = from + m[0].replace(/[.,]+$/, '').length;
      if (to > from && !taken(from, to)) out.push({ from, to, cls });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

export function tokenize(n: NormalizedText, original: string): Tokens {
  const text = n.text;
  const keys: string[] = [];
  const classes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  const sentences: number[] = [];
  const sentenceStart: number[] = [0];
  const special = specials(original);
  let s = 0;
  let sentence = 0;
  const pushSpecial = (sp: Special): void => {
    keys.push('');
    classes.push(sp.cls);
    starts.push(-1);
    ends.push(-1);
    froms.push(sp.from);
    tos.push(sp.to);
    sentences.push(sentence);
  };
  let i = 0;
  while (i < text.length) {
    let j = text.indexOf(' ', i);
    if (j < 0) j = text.length;
    const from = n.start[i]!;
    const to = n.end[j - 1]!;
    while (s < special.length && special[s]!.to <= from) pushSpecial(special[s++]!);
    const inside = s < special.length && from < special[s]!.to && to > special[s]!.from;
    if (inside) {
      // A word inside a link or an amount (`bit.ly`, `10k`) is part of that token.
      if (classes.at(-1) === undefined || froms.at(-1) !== special[s]!.from) pushSpecial(special[s]!);
    } else {
      keys.push(text.slice(i, j));
      classes.push(0);
      starts.push(i);
      ends.push(j);
      froms.push(from);
      tos.push(to);
      sentences.push(sentence);
    }
    if (j < text.length && (n.flags[j]! & SENTENCE_BREAK) !== 0) {
      while (s < special.length && special[s]!.to <= n.start[j + 1]! && special[s]!.from >= to) pushSpecial(special[s++]!);
      sentence++;
      sentenceStart.push(keys.length);
    }
    i = j + 1;
  }
  while (s < special.length) if (froms.at(-1) !== special[s]!.from) pushSpecial(special[s++]!); else s++;
  if (sentenceStart.at(-1) !== keys.length) sentenceStart.push(keys.length);
  return {
    keys,
    classes: Uint8Array.from(classes),
    start: Int32Array.from(starts),
    end: Int32Array.from(ends),
    from: Int32Array.from(froms),
    to: Int32Array.from(tos),
    sentence: Int32Array.from(sentences),
    sentenceStart,
  };
}
