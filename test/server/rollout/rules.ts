/**
 * A temporary rules folder for rollout tests: `qa` (the default pack, 2.0.0) and `qa-next`,
 * the candidate 2.1.0 with one lexicon term more (`frak`, profanity) and one less (`sub4sub`,
 * fake engagement), so that it flips decisions both ways.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RULES = path.resolve(import.meta.dirname, '../../../rules');

/** Texts and what each version decides (checked by the tests against the real engine). */
export const TEXTS = {
  pass: { content: 'We are launching the new garden planner today.', pinned: 'PASS', candidate: 'PASS' },
  gained: { content: 'What the frak is this planner supposed to do?', pinned: 'PASS', candidate: 'FAIL' },
  lost: { content: 'sub4sub anyone? our garden channel is new', pinned: 'FAIL', candidate: 'PASS' },
  same: { content: 'This fucking planner is the best thing we have built.', pinned: 'FAIL', candidate: 'FAIL' },
  codesOnly: { content: 'sub4sub and this fucking planner is great', pinned: 'FAIL', candidate: 'FAIL' },
  thread: { content: ['1/2 Plan your beds in minutes.', '2/2 Share them with friends.'], pinned: 'PASS', candidate: 'PASS' },
} as const;

export function makeRulesDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-rollout-rules-'));
  cpSync(path.join(RULES, 'qa'), path.join(dir, 'qa'), { recursive: true });
  const next = path.join(dir, 'qa-next');
  cpSync(path.join(RULES, 'qa'), next, { recursive: true });
  edit(path.join(next, 'pack.yaml'), (s) => s.replace(/^version: 2\.0\.0$/m, 'version: 2.1.0'));
  edit(path.join(next, 'lexicons/profanity.yaml'), (s) => s.replace(/^ {2}- fuck$/m, '  - fuck\n  - frak'));
  edit(path.join(next, 'lexicons/fake-engagement.yaml'), (s) => s.replace(/^ {2}- sub4sub\n/m, ''));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function edit(file: string, change: (s: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`test rules: no change made to ${file}`);
  writeFileSync(file, after);
}
