// A backend service imports only the client: its runtime import graph must stay free of Express and server internals.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ENTRY = path.join(ROOT, 'server/client/index.ts');

/** What the client may load at runtime besides itself: the contract it shares with the service. */
const SHARED = 'contract/';
const PACKAGES = ['jose', 'express-rate-limit', '@sinclair/typebox', '@sinclair/typebox/value'];

/** Specifiers of the imports that survive compilation (type-only ones are erased). */
function runtimeImports(file: string): string[] {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

/** Every file and package reachable at runtime from the client's entry. */
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

describe('gatehouse/client import boundary', () => {
  it('loads only the client, pure shared modules, and its own packages at runtime', () => {
    const { files, packages } = runtimeGraph(ENTRY);
    const outside = [...files].map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('server/client/') && !f.startsWith(SHARED));
    expect(outside).toEqual([]);
    const unexpected = [...packages].filter((p) => !p.startsWith('node:') && !PACKAGES.includes(p));
    expect(unexpected).toEqual([]);
    expect(packages.has('express')).toBe(false);
  });
});
