/**
 * Reading pack files: YAML or JSON (YAML is a superset of JSON, so one parser
 * locates errors in both), with size and alias limits so that a hostile file
 * is refused instead of exhausting the process.
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node } from 'yaml';
import type { PackIssue } from './errors.js';
import type { Path } from './validate.js';

export const MAX_PACK_FILE_BYTES = 1 * 1024 * 1024;
export const MAX_LEXICON_FILE_BYTES = 8 * 1024 * 1024;
/** A text model at MAX_MODEL_FEATURES (50,000) is ~1.3 MB of JSON, with room for longer feature names. */
export const MAX_MODEL_FILE_BYTES = 4 * 1024 * 1024;
/** Aliases are legitimate in YAML, but thousands of them are an expansion bomb. */
const MAX_ALIAS_COUNT = 100;

export interface SourceDocument {
  file: string;
  data: unknown;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing ancestor. */
  locate(path: Path): { line: number; column: number } | undefined;
}

export class SourceError extends Error {
  constructor(readonly issues: PackIssue[]) {
    super(issues.map((i) => i.message).join('\n'));
  }
}

/** The file's document; `onRead` is told the text read, before it is parsed. */
export async function readSource(file: string, maxBytes: number, onRead?: (file: string, text: string) => void): Promise<SourceDocument> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new SourceError([{ file, message: 'file not found' }]);
  if (info.size > maxBytes) {
    throw new SourceError([{ file, message: `file is ${info.size} bytes; the limit is ${maxBytes}` }]);
  }
  const text = await readFile(file, 'utf8');
  onRead?.(file, text);
  return parseSource(file, text);
}

export function parseSource(file: string, text: string): SourceDocument {
  // A JSON file (a text model of 20,000 features) by JSON.parse: the YAML parser's unique-key check
  // is quadratic in a mapping's size (20,000 keys took 30 s). The YAML parse runs only to locate a
  // problem, or when JSON.parse refuses the text (its errors carry no line). JSON's own rule for a
  // repeated key applies then: the last one wins.
  if (file.endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return parseYamlSource(file, text);
    }
    let located: SourceDocument | undefined;
    return { file, data, locate: (path) => (located ??= parseYamlSource(file, text)).locate(path) };
  }
  return parseYamlSource(file, text);
}

function parseYamlSource(file: string, text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SourceError(
      doc.errors.map((e) => {
        // Without prettyErrors some errors (duplicate keys) carry only an offset: locate it ourselves.
        const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return { file, line: at.line, column: at.col, message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new SourceError([{ file, message: `refused: ${(error as Error).message} (YAML alias expansion limit)` }]);
  }
  return {
    file,
    data,
    locate: (path) => {
      const node = nearestNode(doc, path);
      if (!node?.range) return undefined;
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    },
  };
}

function nearestNode(doc: Document, path: Path): Node | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    const key = keyNode(doc, prefix);
    if (key) return key;
  }
  return doc.contents ?? undefined;
}

// For a map member, point at its key (where a reader looks); for a sequence item, at the item.
function keyNode(doc: Document, path: Path): Node | undefined {
  if (path.length === 0) return doc.contents ?? undefined;
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
    return (pair?.key as Node | undefined) ?? undefined;
  }
  if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined) ?? undefined;
  return undefined;
}
