/**
 * Labelled corpora for `gatehouse score`: JSON Lines files (or a folder of
 * them) of `{"id","content","labels":{…},"family"}`. A missing label means
 * "not judged". Every bad line is reported with its file and line.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PackError, type PackIssue } from '../errors.js';

export interface CorpusItem {
  id: string;
  content: string | string[];
  /** Judged labels only: true = the item is positive for that label. */
  labels: Record<string, boolean>;
  family?: string;
  platform?: string;
  file: string;
  line: number;
}

/** `FILE.jsonl`, or every `*.jsonl` in a folder (sorted, so scores are reproducible). */
export async function loadCorpus(source: string): Promise<CorpusItem[]> {
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new PackError([{ file: source, message: 'corpus not found (a .jsonl file or a folder of them)' }]);
  const files = info.isDirectory()
    ? (await readdir(source)).filter((n) => n.endsWith('.jsonl')).sort().map((n) => path.join(source, n))
    : [source];
  if (files.length === 0) throw new PackError([{ file: source, message: 'no .jsonl files in this folder' }]);
  const items: CorpusItem[] = [];
  const issues: PackIssue[] = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const line = index + 1;
      const item = parseItem(text);
      if (typeof item === 'string') {
        issues.push({ file, line, message: item });
        return;
      }
      const earlier = ids.get(item.id);
      if (earlier) issues.push({ file, line, message: `duplicate id "${item.id}" (first at ${earlier})` });
      ids.set(item.id, `${file}:${line}`);
      items.push({ ...item, file, line });
    });
  }
  if (issues.length > 0) throw new PackError(issues);
  return items;
}

function parseItem(text: string): Omit<CorpusItem, 'file' | 'line'> | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'line is not JSON';
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'line must be a JSON object';
  const { id, content, labels, family, platform } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') return '"id" must be a non-empty string';
  if (typeof content !== 'string' && !(Array.isArray(content) && content.length > 0 && content.every((c) => typeof c === 'string'))) {
    return `${id}: "content" must be a string or a non-empty array of strings`;
  }
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return `${id}: "labels" must be an object of booleans`;
  const judged: Record<string, boolean> = {};
  for (const [label, value] of Object.entries(labels)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'boolean') return `${id}: label "${label}" must be true, false or absent`;
    judged[label] = value;
  }
  if (family !== undefined && typeof family !== 'string') return `${id}: "family" must be a string`;
  if (platform !== undefined && typeof platform !== 'string') return `${id}: "platform" must be a string`;
  return { id, content, labels: judged, family, platform };
}

/**
 * The item as a service whose callers' policy requires `tag` receives it: AI-generated posts
 * carry a disclosure such as "#AI" (the policy-tags check asks for it), which no labelled corpus
 * written by people has. Appended to the last post, unless that post has it already.
 */
export function withTag(item: CorpusItem, tag: string): CorpusItem {
  const posts = Array.isArray(item.content) ? item.content : [item.content];
  if (posts[posts.length - 1]!.toLowerCase().includes(tag.toLowerCase())) return item;
  return appended(item, tag, ' ');
}

/** The item with `text` after its last post (trailing space trimmed), joined by `separator`. */
export function appended(item: CorpusItem, text: string, separator: ' ' | '\n'): CorpusItem {
  const posts = Array.isArray(item.content) ? item.content : [item.content];
  const last = `${posts[posts.length - 1]!.trimEnd()}${separator}${text}`;
  return { ...item, content: Array.isArray(item.content) ? [...posts.slice(0, -1), last] : last };
}

/** The item with `text` before its first post, then a space (an opener: "PSA:", "Morning all!"). */
export function prepended(item: CorpusItem, text: string): CorpusItem {
  const posts = Array.isArray(item.content) ? item.content : [item.content];
  const first = `${text} ${posts[0]!.trimStart()}`;
  return { ...item, content: Array.isArray(item.content) ? [first, ...posts.slice(1)] : first };
}
