// One owner per table: every SQL reference to a table in server/ (a knex('table') call, a
// `const TABLE = 'table'`, or FROM/JOIN/INTO/UPDATE/DELETE FROM table in a statement) sits in
// the store or read model that owns it. Others ask the owner (server/stores.ts builds them all).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Table → the file, or the folder (ending in /), that owns it. */
const OWNERS: Record<string, string> = {
  audit_events: 'server/audit/',
  agent_runs: 'server/audit/',
  audit_chain_checkpoints: 'server/audit/',
  pack_versions: 'server/packs/pack-store.ts',
  stage_pins: 'server/stages/stage-store.ts',
  stage_pin_history: 'server/stages/stage-store.ts',
  api_keys: 'server/auth/key-store.ts',
  signing_keys: 'server/receipts/signing-key-store.ts',
  kill_switch: 'server/rollout/kill-switch-store.ts',
  kill_switch_history: 'server/rollout/kill-switch-store.ts',
  fleet_instances: 'server/rollout/fleet-store.ts',
  shadow_results: 'server/rollout/shadow-store.ts',
  overrides: 'server/overrides/override-store.ts',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'public' ? [] : sourceFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

interface Literal {
  text: string;
  /** Where a bare table name means the table: knex('t'), const TABLE = 't', { table: 't' }. */
  namesTable: boolean;
}

/** Every string and template literal of a file (comments never count). */
function literals(file: string): Literal[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Literal[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const parent = node.parent;
      const namesTable =
        (ts.isCallExpression(parent) && ts.isIdentifier(parent.expression)) ||
        ts.isVariableDeclaration(parent) ||
        (ts.isPropertyAssignment(parent) && parent.name.getText() === 'table');
      found.push({ text: node.text, namesTable });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Tables a literal refers to: a table's name where one is expected, or SQL that reads or writes it. */
function tablesIn({ text, namesTable }: Literal): string[] {
  return Object.keys(OWNERS).filter(
    (table) => (namesTable && text === table) || new RegExp(`\\b(from|join|into|update|table)\\s+${table}\\b`, 'i').test(text),
  );
}

/** Every reference to a table outside its owner, as `file → table`. */
function strangers(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const table of new Set(literals(file).flatMap(tablesIn))) {
      const owner = OWNERS[table]!;
      if (owner.endsWith('/') ? !file.startsWith(owner) : file !== owner) found.push(`${file} → ${table} (owned by ${owner})`);
    }
  }
  return found;
}

describe('one owner per table', () => {
  it('names each table only in the store or read model that owns it', () => {
    expect(strangers(sourceFiles('server'))).toEqual([]);
  });

  it('every table of the migrations has an owner', () => {
    const created = new Set(readdirSync(path.join(ROOT, 'migrations')).flatMap((f) => [...readFileSync(path.join(ROOT, 'migrations', f), 'utf8').matchAll(/createTable\('([a-z_]+)'/g)].map((m) => m[1]!)));
    expect([...created].filter((t) => !(t in OWNERS))).toEqual([]);
  });

  it('would catch a report reading audit_events itself', () => {
    expect(tablesIn({ text: 'SELECT count(*) FROM audit_events WHERE stage = ?', namesTable: false })).toEqual(['audit_events']);
    expect(tablesIn({ text: 'audit_events', namesTable: true })).toEqual(['audit_events']);
    expect(tablesIn({ text: '/v1/overrides', namesTable: false })).toEqual([]);
    expect(tablesIn({ text: 'kill_switch', namesTable: false })).toEqual([]);
  });
});
