// docs/architecture.md walks POST /v1/evaluate: at most 8 hops, and every file it names exists
// and stays under 250 lines, so that the walk can be read end to end and stays true. The walk
// names the main stops only; the files they import are held to the same 250 lines below.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_LINES = 250;
const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const walk = /<!-- evaluate-path:[^>]*-->([^]*?)<!-- \/evaluate-path -->/.exec(doc)?.[1] ?? '';
const files = [...new Set([...walk.matchAll(/`((?:server|contract|engine|client)\/[\w./-]+\.ts)`/g)].map((m) => m[1]!))];

/**
 * Where an evaluation starts: the engine's evaluate() and the route; and two files no import
 * from those reaches: the engine runner that server/compose.ts hands the evaluation service
 * (the worker pool), and the worker thread, which piscina loads by file name.
 */
const ENTRIES = [
  'engine/evaluate.ts',
  'server/evaluations/evaluations-router.ts',
  'server/evaluations/engine-workers.ts',
  'server/evaluations/engine-worker.ts',
];

/** The closure stays in our runtime layers; client/ and migrations/ are not on the path. */
const LAYERS = ['engine/', 'server/', 'contract/'];

/**
 * Files the closure reaches that run once at process start, not per request, and are held to
 * no line limit here. Keep each with its reason; the test fails when one is no longer reached.
 */
const NOT_PER_REQUEST: Record<string, string> = {
  // The one reader of the environment (createConfig), run at start; the path takes only types
  // from it (`Limits`, `HttpConfig`, `ConfiguredKey`), through `import type`.
  'server/config.ts': 'environment, read once at start',
};

function lineCount(file: string): number {
  return readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1;
}

/**
 * Relative specifiers of `import … from`, `export … from` and `import('…')`. Type-only imports
 * are followed too: a reader of the path reads the types its functions take and return, and
 * the compiler checks them as part of it, so they count as much as the code.
 */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** Every file of our layers that the entries reach, excluded files included but not followed. */
function closure(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file in NOT_PER_REQUEST) continue;
    for (const specifier of importsOf(file)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (LAYERS.some((layer) => target.startsWith(layer))) queue.push(target);
    }
  }
  return seen;
}

describe('the evaluate path in docs/architecture.md', () => {
  it('is walked in at most 8 hops', () => {
    const hops = walk.match(/^\d+\. /gm) ?? [];
    expect(hops.length).toBeGreaterThan(0);
    expect(hops.length).toBeLessThanOrEqual(8);
  });

  it(`names files that exist, each under ${MAX_LINES} lines`, () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
    const long = files.filter((f) => lineCount(f) > MAX_LINES).map((f) => `${f}: ${lineCount(f)} lines`);
    expect(long).toEqual([]);
  });
});

describe('the files the evaluate path imports', () => {
  const reached = closure(ENTRIES);

  it('are found, from every entry', () => {
    expect(ENTRIES.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
    const missing = [...reached].filter((f) => !existsSync(path.join(ROOT, f)));
    expect(missing).toEqual([]);
    // The engine's internals and the server's evaluation service are reached, not only the entries.
    expect(reached).toContain('engine/normalize.ts');
    expect(reached).toContain('engine/phrases/automaton.ts');
    expect(reached).toContain('server/evaluations/evaluation-service.ts');
    expect(reached).toContain('server/evaluations/worker-generations.ts');
  });

  it(`are each under ${MAX_LINES} lines, but for the few that run only at start`, () => {
    const long = [...reached]
      .filter((f) => !(f in NOT_PER_REQUEST) && lineCount(f) > MAX_LINES)
      .sort()
      .map((f) => `${f}: ${lineCount(f)} lines`);
    expect(long).toEqual([]);
  });

  it('exclude only files they still reach', () => {
    expect(Object.keys(NOT_PER_REQUEST).filter((f) => !reached.has(f))).toEqual([]);
  });
});
