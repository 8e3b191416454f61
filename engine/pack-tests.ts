/**
 * Pack tests: `tests/*.yaml` files of cases (content → expected decision and
 * codes) that reviewers write next to the checks they change.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PackError } from './errors.js';
import type { CompiledPack } from './compile.js';
import { evaluate } from './evaluate.js';
import { packTestFile, type PackTestCase } from './pack-schema.js';
import { MAX_PACK_FILE_BYTES, readSource, SourceError } from './source.js';
import { validateAgainst } from './validate.js';

export interface LoadedCase extends PackTestCase {
  file: string;
  line?: number;
}

export interface CaseResult {
  case: LoadedCase;
  passed: boolean;
  /** Why it failed, one line per expectation that did not hold. */
  problems: string[];
  decision: string;
  codes: string[];
}

export async function loadPackTests(packDir: string): Promise<LoadedCase[]> {
  const dir = path.join(packDir, 'tests');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  const cases: LoadedCase[] = [];
  const issues = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const source = await readSource(file, MAX_PACK_FILE_BYTES);
      const problems = validateAgainst(packTestFile, source.data);
      if (problems.length > 0) {
        issues.push(...problems.map(({ at, ...p }) => ({ file, ...source.locate(at), ...p })));
        continue;
      }
      const data = source.data as { cases: PackTestCase[] };
      data.cases.forEach((c, i) => cases.push({ ...c, file, line: source.locate(['cases', i])?.line }));
    } catch (error) {
      if (error instanceof SourceError) issues.push(...error.issues);
      else throw error;
    }
  }
  if (issues.length > 0) throw new PackError(issues);
  return cases;
}

export async function runPackTests(pack: CompiledPack, cases: readonly LoadedCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  // A code no check reports makes `not_codes` hold whatever happens, and `codes` fail for a typo.
  const known = new Set(pack.checks.map((check) => check.code));
  for (const testCase of cases) {
    const decision = await evaluate(pack, {
      content: testCase.content,
      platform: testCase.platform,
      metadata: testCase.metadata,
    });
    const codes = [...new Set([...decision.violations, ...decision.warnings].map((v) => v.code))].sort();
    const problems: string[] = [];
    if (testCase.decision && testCase.decision !== decision.decision) {
      problems.push(`expected ${testCase.decision}, got ${decision.decision}`);
    }
    for (const code of testCase.codes ?? []) {
      if (!codes.includes(code)) problems.push(`expected code ${code}`);
    }
    for (const code of testCase.not_codes ?? []) {
      if (codes.includes(code)) problems.push(`unexpected code ${code}`);
    }
    for (const code of [...(testCase.codes ?? []), ...(testCase.not_codes ?? [])]) {
      if (!known.has(code)) problems.push(`no check of ${pack.id} reports the code ${code}`);
    }
    results.push({ case: testCase, passed: problems.length === 0, problems, decision: decision.decision, codes });
  }
  return results;
}
