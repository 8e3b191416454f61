// The layers of DESIGN.md, one direction only, checked on every import of every source file,
// type-only imports included (they bind the layers as much as runtime ones do):
//   engine   → nothing of ours (and neither Express nor a database);
//   contract → engine types at most;
//   client   → contract (and jose, TypeBox; Express types and express-rate-limit as optional peers);
//   server   → everything but the client.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Import {
  /** Repository path of the importing file. */
  from: string;
  specifier: string;
  /** Erased by the compiler: `import type`, `export type`, `import('x').T` in a type, or only type specifiers. */
  typeOnly: boolean;
}

interface Layer {
  /** Our folders this layer may import at runtime. */
  ours: string[];
  /** Our files or folders it may import for types only. */
  oursTypesOnly?: string[];
  /** Packages it may import (a name, or a prefix ending in `/`); absent → any but `forbidden`. */
  packages?: string[];
  /** Packages it may import for types only. */
  packagesTypesOnly?: string[];
  forbidden?: string[];
}

const SERVER_ONLY = ['express', 'knex', 'pg', '@electric-sql/pglite', 'knex-pglite', 'pino', 'pino-http', 'helmet', 'cors', 'prom-client'];

const LAYERS: Record<string, Layer> = {
  engine: { ours: ['engine/'], forbidden: SERVER_ONLY },
  contract: { ours: ['contract/'], oursTypesOnly: ['engine/index.ts'], packages: ['node:', '@sinclair/typebox'], packagesTypesOnly: ['jose'] },
  client: {
    ours: ['client/', 'contract/'],
    packages: ['node:', 'jose', '@sinclair/typebox', '@sinclair/typebox/value', 'express-rate-limit'],
    packagesTypesOnly: ['express'],
  },
  server: { ours: ['server/', 'contract/', 'engine/', 'migrations/'] },
  migrations: { ours: ['migrations/'], forbidden: ['express'] },
};

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'public') files.push(...sourceFiles(rel));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      files.push(rel);
    }
  }
  return files;
}

/** Every import, export-from, dynamic import, `import('x')` type and require() of a file. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean) => {
    if (node && ts.isStringLiteralLike(node)) found.push({ from: file, specifier: node.text, typeOnly });
  };
  const visit = (node: ts.Node, inType: boolean): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const onlyTypes = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, onlyTypes);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node.arguments[0], inType);
    }
    const typeContext = inType || ts.isTypeNode(node);
    ts.forEachChild(node, (child) => visit(child, typeContext));
  };
  visit(source, false);
  return found;
}

/** The repository path an import names: a file (`x.js` → `x.ts`) or a folder's index. */
function resolve(imp: Import): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(imp.from), imp.specifier));
  return target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target;
}

const packageName = (spec: string) => (spec.startsWith('node:') ? 'node:' : spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
const allows = (list: string[] | undefined, spec: string) => !!list?.some((p) => p === spec || p === packageName(spec) || (p.endsWith(':') && spec.startsWith(p)));

/** Every import of `layer` that breaks its rule, as `file → target`. */
function violations(layer: string, imports: Import[] = sourceFiles(layer).flatMap(importsOf)): string[] {
  const rule = LAYERS[layer]!;
  const broken: string[] = [];
  for (const imp of imports) {
    if (imp.specifier.startsWith('.')) {
      const target = resolve(imp);
      const ok = rule.ours.some((p) => target.startsWith(p)) || (imp.typeOnly && !!rule.oursTypesOnly?.some((p) => target.startsWith(p)));
      if (!ok) broken.push(`${imp.from} → ${target}${imp.typeOnly ? ' (type)' : ''}`);
    } else {
      const refused =
        allows(rule.forbidden, imp.specifier) ||
        (rule.packages !== undefined && !allows(rule.packages, imp.specifier) && !(imp.typeOnly && allows(rule.packagesTypesOnly, imp.specifier)));
      if (refused) broken.push(`${imp.from} → package ${imp.specifier}${imp.typeOnly ? ' (type)' : ''}`);
    }
  }
  return broken;
}

/** Pack tooling that moved out of the server: it reaches the engine through its public index only. */
const PUBLIC_INDEX_ONLY = [
  'command-io', 'diff', 'diff-command', 'diff-corpus', 'diff-examples', 'diff-format', 'eval-command', 'pack-commands', 'pack-source', 'schemas-command',
].map((name) => `engine/tooling/${name}.ts`);

describe('layer boundaries (type imports included)', () => {
  for (const layer of Object.keys(LAYERS)) {
    it(`${layer}/ imports only what its layer allows`, () => {
      expect(violations(layer)).toEqual([]);
    });
  }

  it('pack tooling uses the engine through engine/index.ts only', () => {
    const inside = PUBLIC_INDEX_ONLY.flatMap(importsOf)
      .filter((imp) => imp.specifier.startsWith('.'))
      .map((imp) => ({ imp, target: resolve(imp) }))
      .filter(({ target }) => target !== 'engine/index.ts' && !target.startsWith('engine/tooling/'))
      .map(({ imp, target }) => `${imp.from} → ${target}`);
    expect(inside).toEqual([]);
  });

  it('catches a client import inside the server and a server import inside the contract, type-only ones too', () => {
    const probe = (from: string, specifier: string, typeOnly: boolean): Import => ({ from, specifier, typeOnly });
    expect(violations('server', [probe('server/evaluations/evaluation-service.ts', '../../client/types.js', true)])).toEqual([
      'server/evaluations/evaluation-service.ts → client/types.ts (type)',
    ]);
    expect(violations('contract', [probe('contract/schemas/audit.ts', '../../server/audit/audit-store.js', true)])).toHaveLength(1);
    expect(violations('contract', [probe('contract/decision-summary.ts', '../engine/index.js', true)])).toEqual([]);
    expect(violations('contract', [probe('contract/decision-summary.ts', '../engine/index.js', false)])).toHaveLength(1);
    expect(violations('client', [probe('client/index.ts', '../server/errors.js', false)])).toHaveLength(1);
    expect(violations('client', [probe('client/posting-gate.ts', 'express', false)])).toHaveLength(1);
    expect(violations('engine', [probe('engine/load.ts', '../contract/modes.js', true)])).toHaveLength(1);
  });
});

/** Specifiers of the imports that survive compilation (type-only ones are erased). */
function runtimeImports(file: string): string[] {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

/** Every file and package reachable at runtime from an entry. */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('@gatehouse/client import boundary', () => {
  it('loads only the client, the contract, and its own packages at runtime', () => {
    const { files, packages } = runtimeGraph(path.join(ROOT, 'client/index.ts'));
    const outside = [...files].map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('client/') && !f.startsWith('contract/'));
    expect(outside).toEqual([]);
    // express-rate-limit is an optional peer, required only when a posting gate with a rate limit is made.
    const allowed = ['jose', 'express-rate-limit', '@sinclair/typebox', '@sinclair/typebox/value'];
    const unexpected = [...packages].filter((p) => !p.startsWith('node:') && !allowed.includes(p));
    expect(unexpected).toEqual([]);
    expect(packages.has('express')).toBe(false);
  });
});
