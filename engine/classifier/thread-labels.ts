/**
 * Thread labels, for the text models: the numbering check asks each post of a thread for one
 * ("1/5", "(2/5)", "[3/5]", "4/", "5.", at its start or end), and the corpora the models learn
 * from are people's posts, which seldom carry one. Read as words, a label is a number ("#"), which
 * leans towards spam: on the test and validation splits' threads, numbered, the TOS model's false
 * positives rose from 3 to 7 of 307 and self-harm caught 2 fewer of 42. The labels the numbering
 * check reads are blanked, with spaces of the same length so that offsets stay true, in the posts
 * of a thread only (a lone post's "1/2 of the cake" is the author's).
 */
import { threadLabelSpans } from '../detectors/numbering-labels.js';

export function withoutThreadLabels(texts: readonly string[]): readonly string[] {
  if (texts.length < 2) return texts;
  return texts.map(blankLabels);
}

function blankLabels(text: string): string {
  let out = text;
  for (const [start, end] of threadLabelSpans(text)) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  return out;
}
