/**
 * The corpus of `gatehouse diff`: JSONL, one `{"id","content","platform"?,"metadata"?}` per
 * line, ids unique. A line that cannot be used refuses the whole corpus.
 */

export interface CorpusItem {
  id: string;
  content: string | string[];
  platform?: string;
  metadata?: Record<string, unknown>;
  /** 1-based line in the JSONL file, so that a report can point back to it. */
  line: number;
}

/** A corpus line that cannot be used. The diff refuses the whole corpus: a skipped line would hide a flip. */
export class CorpusError extends Error {
  readonly code = 'CORPUS_INVALID';

  constructor(
    /** 1-based; undefined for a problem with the corpus as a whole. */
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.name = 'CorpusError';
  }
}

/** Parses JSONL: one `{"id","content","platform"?,"metadata"?}` per line; blank lines are ignored. */
export function parseCorpus(text: string): CorpusItem[] {
  const items: CorpusItem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const item = parseCorpusLine(raw, line);
    const first = seen.get(item.id);
    // Items are reported by id: two lines with one id would make the report ambiguous.
    if (first !== undefined) throw new CorpusError(line, `id "${item.id}" is already used on line ${first}`);
    seen.set(item.id, line);
    items.push(item);
  });
  if (items.length === 0) throw new CorpusError(undefined, 'the corpus has no items');
  return items;
}

function parseCorpusLine(raw: string, line: number): CorpusItem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new CorpusError(line, `not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new CorpusError(line, 'must be a JSON object {"id", "content", "platform"?, "metadata"?}');
  const { id, content, platform, metadata } = value;
  if (typeof id !== 'string' || id.trim() === '') throw new CorpusError(line, '"id" must be a non-empty string');
  if (!isContent(content)) throw new CorpusError(line, '"content" must be a string or a non-empty array of strings');
  if (platform !== undefined && typeof platform !== 'string') throw new CorpusError(line, '"platform" must be a string');
  if (metadata !== undefined && !isRecord(metadata)) throw new CorpusError(line, '"metadata" must be an object');
  const item: CorpusItem = { id, content, line };
  if (platform !== undefined) item.platform = platform;
  if (metadata !== undefined) item.metadata = metadata;
  return item;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isContent(value: unknown): value is string | string[] {
  if (typeof value === 'string') return true;
  return Array.isArray(value) && value.length > 0 && value.every((post) => typeof post === 'string');
}
