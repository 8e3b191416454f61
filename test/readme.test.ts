// The README's walkthrough, run as a newcomer runs it (issue 16): the quick start and the agent
// runs section, every `curl` with bash and curl against the built server (`npm start`), and every
// answer checked against what the README shows, so that the README cannot drift again.
//
// What the README shows: a `# → {…}` comment after a command (and `#   …` lines continuing it),
// or, for a command without one, the ```json block that follows. `…` abridges: in an object,
// other members; in an array, further elements; in a string, any text (a run of 6 or more hex
// digits before it stands for any such run: ids and hashes differ on every run). Objects match
// on the members shown; arrays element by element, with exactly as many unless `…` ends them.
// In a command, `eyJ…` stands for the receipt of the latest answer that had one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, stopServer, type ServerProcess } from './helpers/server-process.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SECTIONS = ['Quick start', 'Agent runs and readiness'];
const REST = '\u0000…';

interface Step {
  command: string;
  /** What the README shows of the answer; undefined: nothing. */
  expected?: string;
}

/** The text of each `## title` section, up to the next `## `. */
function section(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The commands of the sections' ```sh blocks, each with the answer the README shows for it. */
function stepsOf(readme: string): Step[] {
  const steps: Step[] = [];
  for (const title of SECTIONS) {
    const blocks = [...section(readme, title).matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
    blocks.forEach((block, i) => {
      if (block.lang !== 'sh') return;
      const lines = block.text.replace(/\\\n\s*/g, '').split('\n');
      for (let j = 0; j < lines.length; j++) {
        const line = lines[j]!.trim();
        if (!/^(curl|export) /.test(line)) continue;
        let expected: string | undefined;
        if (lines[j + 1]?.trim().startsWith('# →')) {
          expected = lines[++j]!.trim().slice(3);
          while (/^#\s{2,}\S/.test(lines[j + 1]?.trim() ?? '') && !lines[j + 1]!.trim().startsWith('# →')) expected += lines[++j]!.trim().slice(1);
        }
        steps.push({ command: line, expected });
      }
      // A block whose last command shows no answer: the ```json block right after it is that answer.
      const last = steps.at(-1);
      if (last && last.expected === undefined && last.command.startsWith('curl') && blocks[i + 1]?.lang === 'json') last.expected = blocks[i + 1]!.text;
    });
  }
  return steps;
}

/** README's abridged JSON → a value to match: `…` members dropped, `…` elements as REST. */
function parseShown(text: string): unknown {
  let out = '';
  let inString = false;
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === '{' || c === '[') stack.push(c);
    if (c === '}' || c === ']') stack.pop();
    out += c === '…' ? (stack.at(-1) === '[' ? JSON.stringify(REST) : '') : c;
  }
  // Dropped members leave stray commas: `{,` `,}` `,,`.
  out = out.replace(/,(\s*[}\]])/g, '$1').replace(/([{[]\s*),/g, '$1').replace(/,\s*,/g, ',');
  return JSON.parse(out);
}

/** Every difference between what the README shows and the answer, as `path: …`. */
function mismatches(shown: unknown, actual: unknown, at = '$'): string[] {
  if (typeof shown === 'string' && shown.includes('…')) {
    const pattern = shown
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[0-9a-f]{6,}/g, (run) => `[0-9a-f]{${run.length}}`))
      .join('[\\s\\S]*');
    return typeof actual === 'string' && new RegExp(`^${pattern}$`).test(actual) ? [] : [`${at}: shown ${JSON.stringify(shown)}, answered ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return [`${at}: shown an array, answered ${JSON.stringify(actual)}`];
    const open = shown.at(-1) === REST;
    const items = open ? shown.slice(0, -1) : shown;
    if (open ? actual.length < items.length : actual.length !== items.length) {
      return [`${at}: shown ${items.length}${open ? ' or more' : ''} element(s), answered ${actual.length}: ${JSON.stringify(actual).slice(0, 300)}`];
    }
    return items.flatMap((item, i) => mismatches(item, actual[i], `${at}[${i}]`));
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: shown an object, answered ${JSON.stringify(actual)}`];
    return Object.entries(shown).flatMap(([key, value]) =>
      key in actual ? mismatches(value, (actual as Record<string, unknown>)[key], `${at}.${key}`) : [`${at}.${key}: shown, not in the answer`],
    );
  }
  return Object.is(shown, actual) ? [] : [`${at}: shown ${JSON.stringify(shown)}, answered ${JSON.stringify(actual)}`];
}

/** The README's expectations checked against recorded answers (one per curl step, in order). */
function check(readme: string, answers: unknown[]): string[] {
  const curls = stepsOf(readme).filter((s) => s.command.startsWith('curl'));
  return curls.flatMap((step, i) =>
    step.expected === undefined ? [] : mismatches(parseShown(step.expected), answers[i]).map((m) => `${step.command.slice(0, 90)}…\n    ${m}`),
  );
}

describe('README walkthrough against a real server', () => {
  let server: ServerProcess;
  let dataDir: string;
  const answers: unknown[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-readme-'));
    // A first start with no keys configured, as the README's reader has.
    // Generous: a first start migrates and compiles every pack, slow on a loaded machine.
    server = await startServer({ GATEHOUSE_DATA_DIR: dataDir }, { readyWithinMs: 240_000 });
  }, 300_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the first-start key message the README shows', () => {
    const shown = /On the first start it prints[^\n]*\n\n```\n([\s\S]*?)```/.exec(README)![1]!.trim().split('\n');
    const printed = server.stdout();
    for (const line of shown) {
      const pattern = line
        .trim()
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/gh_[A-Za-z0-9_-]+/, 'gh_[A-Za-z0-9_-]{43}')
        .replace('localhost:8080', 'localhost:\\d+');
      expect(printed, line).toMatch(new RegExp(pattern));
    }
  });

  it('answers every command as the README shows', () => {
    const key = /gh_[A-Za-z0-9_-]{43}/.exec(server.stdout())?.[0];
    expect(key, 'the first start printed an admin key').toBeDefined();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    let receipt: string | undefined;
    const steps = stepsOf(README);
    expect(steps.filter((s) => s.command.startsWith('curl')).length).toBeGreaterThanOrEqual(12);
    for (const step of steps) {
      if (step.command.startsWith('export ')) {
        const name = /^export (\w+)=/.exec(step.command)![1]!;
        env[name] = name === 'KEY' ? key! : name === 'GH' ? server.url : step.command.split('=')[1]!;
        continue;
      }
      const command = step.command.replace(/eyJ…/g, () => receipt ?? 'eyJ…');
      const run = spawnSync('bash', ['-c', command], { env, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `${step.command}\n${run.stderr}`).toBe(0);
      const answer = JSON.parse(run.stdout) as Record<string, unknown>;
      answers.push(answer);
      if (typeof answer.receipt === 'string') receipt = answer.receipt;
    }
    expect(check(README, answers)).toEqual([]);
  }, 300_000);

  it('fails when an example field in the README changes', () => {
    expect(answers.length).toBeGreaterThan(0);
    const edits: Array<[string, string]> = [
      ['"revealed_by": ["repeats"]', '"revealed_by": ["leetspeak"]'],
      ['"evidence":"f*******g","revealed_by":["repeats"]', '"evidence":"f*******g","revealed_by":["leetspeak"]'],
      ['"allowed":true,"mode":"advisory"', '"allowed":false,"mode":"advisory"'],
      ['"status":"MISSING_DATA"', '"status":"NOT_READY"'],
      ['"code":"RECEIPT_CONTENT_MISMATCH"', '"code":"RECEIPT_INVALID"'],
      ['"span": [15, 24]', '"span": [15, 22]'],
    ];
    for (const [from, to] of edits) {
      expect(README, from).toContain(from);
      expect(check(README.replace(from, to), answers), `${from} → ${to}`).not.toEqual([]);
    }
  });
});
