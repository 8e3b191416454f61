/**
 * In-process engine benchmark (issue 5): `npm run bench`.
 *
 * Prints, for the default pack (rules/qa) and in the same run on the same
 * inputs as leo-profanity's check() and obscenity's RegExpMatcher: per-
 * evaluation median / p99 and speed, then lexicon, text and pack scaling,
 * compile time and retained memory, and the engine targets.
 * Method: see lib/measure.ts (warm-up, batched hrtime samples, medians).
 * Progress goes to stderr; the tables go to stdout.
 *
 * The engine measured is the build in dist/ (the files the server runs); `npm run bench` runs
 * `tsc` first. GATEHOUSE_BENCH_ENGINE=<file> measures another build's engine/index.js.
 *
 * Options (environment): GATEHOUSE_BENCH_PACK=<dir> (another pack than rules/qa, e.g. a frozen
 * copy), BENCH_COMPILE_RUNS=5 (compiles of the default pack timed for table 5), BENCH_ONLY=profanity
 * (table 6 alone), BENCH_ONLY=corpus (table 7 alone: many different posts, each once),
 * GATEHOUSE_BASELINE=<checkout> (table 6 also runs that checkout's engine).
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import leo from 'leo-profanity';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { CompiledPack, EngineDecision } from '../../engine/index.js';
import { ensureExposedGc, gcAvailable, retained } from './lib/gc.js';
import { DEFAULTS, SLICE_MS, measureAll, sinkValue, timeMs, type Stats } from './lib/measure.js';
import { int, mib, ms, percent, ratio, table, us, type Cell } from './lib/format.js';
import { INPUTS, charsOf, syntheticTerms, textsOf, wordsOf, METADATA, type Content, type Input, type InputId } from './lib/inputs.js';
import { withChecks, withProfanityTerms } from './lib/packs.js';
import { shuffledPosts } from './lib/corpus-posts.js';
import { loadSplit, score, type DetectionScore } from './lib/profanity-corpus.js';

// The engine as the server runs it: the tsc build in dist/ (`npm run bench` builds it first). Loaded
// through tsx, the same source ran 6–8 % slower (esbuild's keepNames helpers; engine-ab, 7 rounds).
// This script itself runs bundled under plain node (package.json): in a process with tsx's hooks
// the same built engine ran 5–10 % slower while obscenity did not (docs/performance.md, session 20).
const ENGINE_FILE = process.env.GATEHOUSE_BENCH_ENGINE ?? fileURLToPath(new URL('../../dist/engine/index.js', import.meta.url));
if (!existsSync(ENGINE_FILE)) throw new Error(`${ENGINE_FILE} is missing: run \`npm run build\` first (npm run bench does)`);
const { compilePack, evaluate, loadPack } = (await import(pathToFileURL(ENGINE_FILE).href)) as typeof import('../../engine/index.js');

const PACK_DIR = process.env.GATEHOUSE_BENCH_PACK ?? fileURLToPath(new URL('../../rules/qa', import.meta.url));
const LEXICON_SIZES = [1_000, 10_000, 100_000] as const;
const PACK_SIZES = [10, 200] as const;
/** Timed per size in table 3 (its three sizes interleaved): long enough for a slow phase of the machine to fall on all three. */
const SCALING_MS = 3_000;
/** Compiles of the default pack for table 5 (3–4 s each on the loaded 2-core machine: keeps the run under ~6 min). */
const COMPILE_RUNS = Number(process.env.BENCH_COMPILE_RUNS ?? 5);

// ---------------------------------------------------------------------------
// Subjects: each turns an input into a zero-argument function to time.

const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

interface Subject {
  id: string;
  label: string;
  /** Profanity-only peer (true) or the full gatehouse pack (false). */
  peer: boolean;
  prepare(content: Content): () => unknown;
}

const gatehouse = (pack: CompiledPack, label = 'gatehouse, default pack'): Subject => ({
  id: `gatehouse:${pack.hash}`,
  label,
  peer: false,
  prepare: (content) => () => evaluate(pack, { content, metadata: METADATA }),
});

/** Peers see a thread post by post, as a caller would loop over it. */
const perText = (id: string, label: string, check: (text: string) => unknown): Subject => ({
  id,
  label,
  peer: true,
  prepare(content) {
    const texts = textsOf(content);
    return () => {
      let any = false;
      for (const text of texts) any = Boolean(check(text)) || any;
      return any;
    };
  },
});

const PEERS = {
  leo: perText('leo', 'leo-profanity check()', (t) => leo.check(t)),
  obscenity: perText('obscenity', 'obscenity hasMatch()', (t) => obscenity.hasMatch(t)),
  obscenityAll: perText('obscenity-all', 'obscenity getAllMatches()', (t) => obscenity.getAllMatches(t).length > 0),
};

// ---------------------------------------------------------------------------
// Measuring, with one cache so that tables sharing an input and subject share a measurement.

const cache = new Map<string, Stats>();
const keyOf = (subject: Subject, input: InputId) => `${subject.id}|${input}`;

/** Measures, interleaved (lib/measure.ts), those of `subjects` not yet measured on `input`. */
async function prefetch(subjects: readonly Subject[], input: InputId): Promise<void> {
  const missing = subjects.filter((s) => !cache.has(keyOf(s, input)));
  if (missing.length === 0) return;
  const t0 = Date.now();
  process.stderr.write(`  ${INPUTS[input].label}: ${missing.map((s) => s.label).join(' | ')} … `);
  const stats = await measureAll(missing.map((s) => s.prepare(INPUTS[input].content)));
  missing.forEach((s, i) => cache.set(keyOf(s, input), stats[i]!));
  process.stderr.write(`${stats.map((s) => us(s.medianUs)).join(' | ')} µs (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

async function timed(subject: Subject, input: InputId): Promise<Stats> {
  await prefetch([subject], input);
  return cache.get(keyOf(subject, input))!;
}

function codesOf(decision: EngineDecision): string[] {
  return [...new Set([...decision.violations, ...decision.warnings].map((v) => v.code))].sort();
}

/** Fails loudly when an input does not trigger what its table claims it does. */
async function expectCodes(pack: CompiledPack, input: InputId, codes: string[], what: string): Promise<EngineDecision> {
  const decision = await evaluate(pack, { content: INPUTS[input].content, metadata: METADATA });
  const got = codesOf(decision);
  if (got.join() !== [...codes].sort().join()) {
    throw new Error(`${what} on "${INPUTS[input].label}": expected [${codes.join(', ')}], got [${got.join(', ')}]`);
  }
  return decision;
}

/** Checks every input against the default pack and the peers; prints what each input is. */
async function checkInputs(pack: CompiledPack): Promise<void> {
  const rows: Cell[][] = [];
  for (const [id, { label, content, codes }] of Object.entries(INPUTS) as [InputId, Input][]) {
    const decision = await expectCodes(pack, id, codes, 'default pack');
    const profane = codes.includes('PROFANITY');
    for (const peer of Object.values(PEERS)) {
      if (peer.prepare(content)() !== profane) {
        throw new Error(`${peer.label} on "${label}": expected ${profane ? 'a hit' : 'no hit'}`);
      }
    }
    const findings = decision.violations.length + decision.warnings.length;
    const shown = codes.join(', ') || '—';
    rows.push([label, int(charsOf(content)), decision.sanitized.length, decision.decision, findings, shown, profane ? 'hit' : 'no hit']);
  }
  const lengths = { clean: 280, violations: 280, long: 28_000, medium: 2_800, oneFinding: 280 } as const;
  for (const [id, length] of Object.entries(lengths)) {
    const n = charsOf(INPUTS[id as InputId].content);
    if (n !== length) throw new Error(`input ${id} has ${n} chars, expected ${length}`);
  }
  print(
    table(
      'Inputs (test/bench/lib/inputs.ts; metadata.required_tags = ["#AI"], which every input carries)',
      ['input', 'chars', 'posts', 'default pack', 'findings', 'codes', 'peers'],
      rows,
    ),
  );
}

// ---------------------------------------------------------------------------
// Output helpers.

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function header(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return [
    'gatehouse engine benchmark (npm run bench)',
    `node ${process.version} · ${os.platform()} ${os.arch()} · ${os.cpus().length} CPUs (${cpu}) · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM · load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `method: ≥ ${int(DEFAULTS.warmupIterations)} warm-up iterations (capped at ${DEFAULTS.warmupMaxMs / 1000} s), then ≥ ${DEFAULTS.minTimeMs / 1000} s of ` +
      `timed batches (process.hrtime.bigint); a batch lasts ≥ ${DEFAULTS.minBatchUs} µs, so slow subjects are sampled per iteration and fast ` +
      `ones per small batch ("batch" column); median and p99 over those samples; speed = 1 / median. ` +
      `Subjects in one row group are measured interleaved, ${SLICE_MS} ms each per round, so that outside load hits them alike.`,
    `forced GC: ${gcAvailable() ? 'available (--expose-gc)' : 'UNAVAILABLE: memory figures are not after a full GC'}`,
    ...(os.loadavg()[0]! > os.cpus().length
      ? ['WARNING: the load average exceeds the CPU count: other processes compete for the CPUs, so medians of long inputs and every p99 are inflated.']
      : []),
    '',
  ].join('\n');
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Sections.

interface Target {
  name: string;
  want: string;
  shown: string;
  pass: boolean;
}
const targets: Target[] = [];

/** Table 1: the default pack and the peers on the four inputs. */
async function versusPeers(pack: CompiledPack): Promise<void> {
  const subjects = [gatehouse(pack), PEERS.leo, PEERS.obscenity, PEERS.obscenityAll];
  const inputs: InputId[] = ['clean', 'violations', 'thread', 'long'];
  const rows: Cell[][] = [];
  for (const input of inputs) {
    await prefetch(subjects, input);
    const own = await timed(subjects[0]!, input);
    for (const subject of subjects) {
      const s = await timed(subject, input);
      rows.push([
        subject === subjects[0] ? INPUTS[input].label : '',
        subject.label,
        s.batch,
        int(s.samples),
        us(s.medianUs),
        us(s.p99Us),
        us(s.meanUs),
        int(s.perSecond),
        subject.peer ? ratio(own.perSecond / s.perSecond) : '',
      ]);
    }
  }
  print(
    table(
      '1. Default pack versus profanity-only peers (same run, same inputs; peers loop over thread posts)',
      ['input', 'subject', 'batch', 'samples', 'median µs', 'p99 µs', 'mean µs', 'per s', 'gatehouse ÷ peer'],
      rows,
      2,
    ),
  );
  const speedup = async (input: InputId, peer: Subject) =>
    (await timed(subjects[0]!, input)).perSecond / (await timed(peer, input)).perSecond;
  const target = (name: string, want: number, value: number) =>
    targets.push({ name, want: `≥ ${want.toFixed(2)}×`, shown: ratio(value), pass: value >= want });
  target('clean 280-char post: gatehouse ÷ obscenity hasMatch()', 1.5, await speedup('clean', PEERS.obscenity));
  target('post with violations: gatehouse ÷ obscenity hasMatch()', 1.0, await speedup('violations', PEERS.obscenity));
  target('clean 280-char post: gatehouse ÷ leo-profanity check()', 0.15, await speedup('clean', PEERS.leo));
  target('issue 14: clean 280-char post, gatehouse ÷ obscenity hasMatch()', 2.5, await speedup('clean', PEERS.obscenity));
}

/** Table 2: the profanity lexicon at 1k, 10k and 100k synthetic terms (plus the real ones). */
async function lexiconScaling(base: CompiledPack, big: Map<number, { pack: CompiledPack; compileMs: number }>): Promise<void> {
  const rows: Cell[][] = [];
  const realTerms = base.resolved.lexicons.profanity!.terms.length;
  const perEval: number[] = [];
  const packs: [string, CompiledPack, number | undefined][] = [
    ['default (real terms only)', base, undefined],
    ...LEXICON_SIZES.map((n): [string, CompiledPack, number] => [`${int(n)} synthetic + real`, big.get(n)!.pack, big.get(n)!.compileMs]),
  ];
  // Own ids: the four packs are measured in one interleaved group, the default pack again rather
  // than its table-1 figure from other minutes (the machine's load moves between groups).
  const subjects = packs.map(([label, pack]) => ({ ...gatehouse(pack, `gatehouse, ${label}`), id: `lexicon:${label}` }));
  for (const [label, pack] of packs) {
    await expectCodes(pack, 'clean', INPUTS.clean.codes, label);
    await expectCodes(pack, 'violations', INPUTS.violations.codes, label);
  }
  await prefetch(subjects, 'clean');
  await prefetch(subjects, 'violations');
  for (const [i, [label, pack, compile]] of packs.entries()) {
    const clean = await timed(subjects[i]!, 'clean');
    const bad = await timed(subjects[i]!, 'violations');
    if (compile !== undefined) perEval.push(clean.medianUs);
    rows.push([
      label,
      int(pack.resolved.lexicons.profanity!.terms.length),
      compile === undefined ? '' : ms(compile),
      us(clean.medianUs),
      us(clean.p99Us),
      us(bad.medianUs),
      us(bad.p99Us),
      perEval.length > 0 && compile !== undefined ? ratio(clean.medianUs / perEval[0]!) : '',
    ]);
  }
  print(
    table(
      `2. Lexicon scaling: profanity lexicon with N synthetic terms (syllables around a j/q/x/z pair that no input holds) added to the ${realTerms} real ones`,
      ['lexicon', 'terms', 'compile ms', 'clean median µs', 'clean p99 µs', 'violations median µs', 'violations p99 µs', 'clean vs 1k'],
      rows,
    ),
  );
  const value = perEval[perEval.length - 1]! / perEval[0]!;
  targets.push({ name: 'lexicon 100k ÷ 1k, per evaluation (clean post)', want: '≤ 1.50×', shown: ratio(value), pass: value <= 1.5 });
  targets.push({ name: 'issue 14: lexicon 100k ÷ 1k, per evaluation (clean post)', want: '≤ 1.20×', shown: ratio(value), pass: value <= 1.2 });
}

/** Table 3: time per character from 280 to 28,000 characters. */
async function textScaling(pack: CompiledPack): Promise<void> {
  const inputs: InputId[] = ['clean', 'medium', 'long'];
  const peers = [PEERS.leo, PEERS.obscenity];
  // The target compares gatehouse's three sizes with one another, so they are one interleaved
  // group, not three rows measured minutes apart: this machine's memory runs ~1.4× slower for
  // seconds at a time (docs/performance.md, "Time per character"), which a row measured alone
  // took whole. 3 s each, so that such a phase lands on every size.
  process.stderr.write('  text scaling: gatehouse on 280 | 2,800 | 28,000 chars, interleaved … ');
  const ownStats = await measureAll(inputs.map((input) => gatehouse(pack).prepare(INPUTS[input].content)), { minTimeMs: SCALING_MS });
  process.stderr.write(`${ownStats.map((s) => us(s.medianUs)).join(' | ')} µs\n`);
  const own: number[] = [];
  const rows: Cell[][] = [];
  for (const [i, input] of inputs.entries()) {
    await prefetch(peers, input);
    const chars = charsOf(INPUTS[input].content);
    own.push((ownStats[i]!.medianUs * 1_000) / chars);
    const row: Cell[] = [int(chars), us(ownStats[i]!.medianUs), us(ownStats[i]!.p99Us), own[i]!.toFixed(1)];
    for (const peer of peers) row.push((((await timed(peer, input)).medianUs * 1_000) / chars).toFixed(1));
    rows.push(row);
  }
  const mean = own.reduce((a, b) => a + b, 0) / own.length;
  rows.forEach((row, i) => row.splice(4, 0, percent(own[i]! / mean - 1)));
  print(
    table(
      '3. Text scaling: clean prose (lines ≤ 160 chars, one post; 2,800 and 28,000 chars also fire LENGTH_EXCEEDED); gatehouse\'s three sizes measured as one interleaved group',
      ['chars', 'gatehouse median µs', 'p99 µs', 'ns/char', 'vs mean', 'leo ns/char', 'obscenity ns/char'],
      rows,
    ),
  );
  // "Flat within ±30 %": every figure within a ±30 % band around the mean of the three.
  const spread = Math.max(...own.map((v) => Math.abs(v / mean - 1)));
  const maxOverMin = Math.max(...own) / Math.min(...own);
  targets.push({
    name: 'time per char, 280 → 28,000 chars: largest deviation from the mean',
    want: '≤ ±30 %',
    shown: `${own.map((v) => v.toFixed(1)).join(' / ')} ns → ±${(spread * 100).toFixed(0)} % (max ÷ min ${ratio(maxOverMin)})`,
    pass: spread <= 0.3,
  });
}

/** Table 4: 10 versus 200 checks. */
async function packScaling(packs: Map<number, { pack: CompiledPack; compileMs: number }>): Promise<void> {
  const rows: Cell[][] = [];
  const medians: { clean: number; one: number }[] = [];
  const subjects = PACK_SIZES.map((n) => gatehouse(packs.get(n)!.pack, `gatehouse, ${n} checks`));
  for (const n of PACK_SIZES) {
    await expectCodes(packs.get(n)!.pack, 'clean', [], `${n}-check pack`);
    await expectCodes(packs.get(n)!.pack, 'oneFinding', ['TOS_SCAM'], `${n}-check pack`);
  }
  await prefetch(subjects, 'clean');
  await prefetch(subjects, 'oneFinding');
  for (const [i, n] of PACK_SIZES.entries()) {
    const { compileMs } = packs.get(n)!;
    const clean = await timed(subjects[i]!, 'clean');
    const one = await timed(subjects[i]!, 'oneFinding');
    medians.push({ clean: clean.medianUs, one: one.medianUs });
    rows.push([n, ms(compileMs), us(clean.medianUs), us(clean.p99Us), us(one.medianUs), us(one.p99Us)]);
  }
  const [small, large] = medians as [{ clean: number; one: number }, { clean: number; one: number }];
  const extra = PACK_SIZES[1] - PACK_SIZES[0];
  rows.push(['per added check', '', us((large.clean - small.clean) / extra), '', us((large.one - small.one) / extra), '']);
  print(
    table(
      '4. Pack scaling: tos-scam plus copies of the other lexicon/pattern checks (unique ids and codes)',
      ['checks', 'compile ms', 'clean median µs', 'clean p99 µs', 'one-finding median µs', 'one-finding p99 µs'],
      rows,
    ),
  );
}

/** Table 5 (measured first, in a fresh heap): compile time and retained memory. */
interface CompileFigures {
  label: string;
  terms: number;
  compileMs: number[];
  rssBytes: number;
  heapBytes: number;
  rssAfterBytes: number;
}

function compileFigures(label: string, build: () => CompiledPack, repeat: number): { figures: CompileFigures; pack: CompiledPack } {
  const first = retained(() => timeMs(build));
  const compileMs = [first.value.ms];
  for (let i = 1; i < repeat; i++) compileMs.push(timeMs(build).ms);
  const pack = first.value.value;
  return {
    pack,
    figures: {
      label,
      terms: pack.resolved.lexicons.profanity?.terms.length ?? 0,
      compileMs,
      rssBytes: first.rssBytes,
      heapBytes: first.heapBytes,
      rssAfterBytes: first.rssAfterBytes,
    },
  };
}

function printCompile(rows: CompileFigures[]): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  print(
    table(
      '5. Compile time (compilePack on a resolved pack) and retained memory of the compiled pack (deltas after forced GC)',
      ['pack', 'profanity terms', 'first ms', 'median ms', 'runs', 'RSS Δ MiB', 'heap+external Δ MiB', 'RSS after MiB'],
      rows.map((r) => [
        r.label,
        int(r.terms),
        ms(r.compileMs[0]!),
        ms(median(r.compileMs)),
        r.compileMs.length,
        mib(r.rssBytes),
        mib(r.heapBytes),
        mib(r.rssAfterBytes),
      ]),
    ),
  );
}

/**
 * Table 6 (issue 12): the profanity checks alone (a pack holding only the checks of category
 * `profanity`: the lexicon check and mild swearing) against the peers on
 * the labelled test split, in this run; with GATEHOUSE_BASELINE=<checkout> also the engine and
 * pack of that checkout (today's main), for the clean-post cost of the new matcher.
 */
const isProfanityCheck = (c: { category?: string }) => c.category === 'profanity';

async function profanityTable(base: CompiledPack): Promise<void> {
  const pct = (rate: number) => `${(rate * 100).toFixed(2)} %`;
  const items = loadSplit(fileURLToPath(new URL('../../rules/qa/eval/test', import.meta.url)));
  const only = (pack: CompiledPack) => compilePack({ ...pack.resolved, checks: pack.resolved.checks.filter(isProfanityCheck) });
  const flagged = (pack: CompiledPack, evaluateIn: typeof evaluate) => async (content: string | string[]) => {
    const d = await evaluateIn(pack, { content });
    return d.violations.some((v) => v.category === 'profanity');
  };
  const postsOf = (content: string | string[]) => (typeof content === 'string' ? [content] : content);
  const anyPost = (check: (t: string) => boolean) => (content: string | string[]) => postsOf(content).some(check);
  const subjects: [string, (c: string | string[]) => boolean | Promise<boolean>][] = [['gatehouse (profanity checks)', flagged(only(base), evaluate)]];
  const baseline = process.env.GATEHOUSE_BASELINE;
  if (baseline) {
    // Its build, as for this checkout's engine (the benchmark runs under plain node: no TypeScript).
    const built = path.join(baseline, 'dist/engine/index.js');
    if (!existsSync(built)) throw new Error(`GATEHOUSE_BASELINE: ${built} is missing; run \`npm run build\` in ${baseline} first`);
    const engine = (await import(pathToFileURL(built).href)) as typeof import('../../engine/index.js');
    const old = await engine.loadPack(path.join(baseline, 'rules/qa'));
    const oldOnly = engine.compilePack({ ...old.resolved, checks: old.resolved.checks.filter(isProfanityCheck) });
    subjects.push([`gatehouse today (${baseline})`, flagged(oldOnly as CompiledPack, engine.evaluate as typeof evaluate)]);
  }
  subjects.push(['obscenity (recommended)', anyPost((t) => obscenity.hasMatch(t))]);
  subjects.push(['leo-profanity', anyPost((t) => leo.check(t))]);
  try {
    const { Filter } = (await import('bad-words')) as { Filter: new () => { isProfane(t: string): boolean } };
    const badWords = new Filter();
    subjects.push(['bad-words', anyPost((t) => badWords.isProfane(t))]);
  } catch {
    process.stderr.write('  bad-words is not installed: its row is skipped\n');
  }
  const rows: Cell[][] = [];
  const scores: [string, DetectionScore][] = [];
  for (const [label, detect] of subjects) {
    const s = await score(items, detect);
    scores.push([label, s]);
    rows.push([label, s.recall.toFixed(3), pct(s.fpRate), `${s.tp}/${s.tp + s.fn}`, `${s.fp}/${s.fp + s.tn}`, us(s.usPerPost)]);
  }
  print(
    table(
      `6. Profanity on the labelled test split (${items.length} posts, ${items.filter((i) => i.profane).length} profane; rules/qa/eval/test)`,
      ['subject', 'recall', 'FP rate', 'caught', 'false positives', 'µs per post'],
      rows,
    ),
  );
  const own = scores[0]![1];
  const peers = scores.filter(([label]) => !label.startsWith('gatehouse'));
  targets.push({ name: 'profanity recall on the test split', want: '≥ 0.95', shown: own.recall.toFixed(3), pass: own.recall >= 0.95 });
  targets.push({ name: 'profanity FP rate on the test split', want: '≤ 2 %', shown: pct(own.fpRate), pass: own.fpRate <= 0.02 });
  targets.push({
    name: 'gatehouse beats every peer on recall and on FP rate',
    want: 'all peers',
    shown: peers.map(([l, s]) => `${l} ${s.recall.toFixed(2)}/${pct(s.fpRate)}`).join('; '),
    pass: peers.every(([, s]) => own.recall > s.recall && own.fpRate < s.fpRate),
  });
}

/**
 * Table 7: many different posts, each evaluated once by each subject. The tables above repeat one
 * post, so every cache that remembers a post (re2js's lazy DFA states, per-post memos) serves all
 * but the first evaluation; a service sees new posts. First both subjects see CORPUS_WARMUP posts
 * of the dev split, as a service that has run for a while has (re2js builds DFA states as posts
 * need them: the first 10,000 new posts cost ~2× the next ones). Then the validation split's
 * posts (every family the corpus has, harmful and harmless; none seen in the warm-up), in a fixed
 * shuffle, go by in blocks of CORPUS_BLOCK for gatehouse and then obscenity, the order
 * alternating from block to block; CPU time (process.cpuUsage) per block. No target: issue 14's
 * are on the posts above.
 */
const CORPUS_BLOCK = 250;
const CORPUS_WARMUP = 20_000;

async function corpusTable(pack: CompiledPack): Promise<void> {
  const posts = shuffledPosts(fileURLToPath(new URL('../../rules/qa/eval/validation', import.meta.url)));
  const warmup = shuffledPosts(fileURLToPath(new URL('../../rules/qa/eval/dev', import.meta.url))).slice(0, CORPUS_WARMUP);
  const own = gatehouse(pack);
  const cpuOf = async (run: () => unknown): Promise<number> => {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    return used.user + used.system;
  };
  const runOwn = (slice: readonly Content[]) => cpuOf(async () => {
    for (const content of slice) await own.prepare(content)();
  });
  const runPeer = (slice: readonly Content[]) => cpuOf(() => {
    for (const content of slice) PEERS.obscenity.prepare(content)();
  });
  await runOwn(warmup);
  await runPeer(warmup);
  let ownTotal = 0;
  let peerTotal = 0;
  const speeds: number[] = [];
  for (let start = 0, n = 0; start < posts.length; start += CORPUS_BLOCK, n++) {
    const slice = posts.slice(start, start + CORPUS_BLOCK);
    let mine: number;
    let peer: number;
    if (n % 2 === 0) {
      mine = await runOwn(slice);
      peer = await runPeer(slice);
    } else {
      peer = await runPeer(slice);
      mine = await runOwn(slice);
    }
    ownTotal += mine;
    peerTotal += peer;
    speeds.push(peer / mine);
  }
  speeds.sort((x, y) => x - y);
  const chars = posts.reduce((sum, content) => sum + charsOf(content), 0);
  print(
    table(
      `7. Many different posts, each once: the validation split (${int(posts.length)} posts, ${int(Math.round(chars / posts.length))} chars on average; rules/qa/eval/validation), ` +
        `after ${int(warmup.length)} dev posts of warm-up; blocks of ${CORPUS_BLOCK}, order alternating`,
      ['subject', 'CPU µs per post', 'gatehouse ÷ obscenity (speed)', 'per block: median (range)'],
      [
        [own.label, us(ownTotal / posts.length), ratio(peerTotal / ownTotal), `${ratio(speeds[speeds.length >> 1]!)} (${ratio(speeds[0]!)}–${ratio(speeds.at(-1)!)})`],
        [PEERS.obscenity.label, us(peerTotal / posts.length), '', ''],
        ...(await coldRows(posts.slice(0, CORPUS_COLD_POSTS), own)),
      ],
    ),
  );
}

/**
 * The same posts with the CPU's caches cold: before each evaluation COLD_SWEEP_BYTES of other
 * memory are written (one byte a cache line), as a server's HTTP, audit and logging work pushes
 * the engine's tables out between requests; only the evaluation is timed (wall clock, one post at
 * a time, the subjects alternating post by post). A sweep of 16 MiB empties the core's own caches
 * but not a large shared L3: an upper bound of what a request's own work evicts, not main memory.
 */
const CORPUS_COLD_POSTS = 1_000;
const COLD_SWEEP_BYTES = 16 * 2 ** 20;

async function coldRows(posts: readonly Content[], own: Subject): Promise<Cell[][]> {
  const sweep = new Uint8Array(COLD_SWEEP_BYTES);
  const cold = async (run: () => unknown): Promise<number> => {
    for (let i = 0; i < sweep.length; i += 64) sweep[i] = (sweep[i]! + 1) & 0xff;
    const start = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - start) / 1_000;
  };
  let ownTotal = 0;
  let peerTotal = 0;
  for (const content of posts) {
    const mine = own.prepare(content);
    const peer = PEERS.obscenity.prepare(content);
    ownTotal += await cold(mine);
    peerTotal += await cold(peer);
  }
  const label = `cold caches (${int(posts.length)} of the posts, ${COLD_SWEEP_BYTES / 2 ** 20} MiB written before each; wall µs)`;
  return [
    [`${own.label}, ${label}`, us(ownTotal / posts.length), ratio(peerTotal / ownTotal), ''],
    [`${PEERS.obscenity.label}, ${label}`, us(peerTotal / posts.length), '', ''],
  ];
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!(await ensureExposedGc())) return;
  const started = Date.now();
  print(header());

  const base = await loadPack(PACK_DIR);
  if (process.env.BENCH_ONLY === 'profanity') {
    // `BENCH_ONLY=profanity npm run bench`: table 6 alone, for lexicon work.
    await profanityTable(base);
    print(table('Targets (issue 12)', ['target', 'wanted', 'measured', 'result'], targets.map((t) => [t.name, t.want, t.shown, t.pass ? 'PASS' : 'MISS'])));
    return;
  }
  if (process.env.BENCH_ONLY === 'corpus') {
    // `BENCH_ONLY=corpus npm run bench`: table 7 alone (after a warm-up on the benchmark's posts).
    for (const { content } of Object.values(INPUTS)) for (let i = 0; i < 200; i++) await evaluate(base, { content, metadata: METADATA });
    await corpusTable(base);
    return;
  }
  process.stderr.write('checking inputs …\n');
  await checkInputs(base);

  // Compile figures first, in a heap that holds little else.
  process.stderr.write('compiling packs …\n');
  const inputTexts = Object.values(INPUTS).flatMap((i) => textsOf(i.content));
  const allSynthetic = syntheticTerms(Math.max(...LEXICON_SIZES), wordsOf(inputTexts), inputTexts);
  const compileRows: CompileFigures[] = [];
  compileRows.push(compileFigures('default (rules/qa)', () => compilePack(base.resolved, { reuse: false }), COMPILE_RUNS).figures);
  const lexiconPacks = new Map<number, { pack: CompiledPack; compileMs: number }>();
  for (const n of [...LEXICON_SIZES].reverse()) {
    const resolved = withProfanityTerms(base.resolved, allSynthetic.slice(0, n));
    const { pack, figures } = compileFigures(`default + ${int(n)} synthetic terms`, () => compilePack(resolved, { reuse: false }), 1);
    if (n === 100_000) compileRows.push(figures);
    lexiconPacks.set(n, { pack, compileMs: figures.compileMs[0]! });
  }
  const checkPacks = new Map<number, { pack: CompiledPack; compileMs: number }>();
  for (const n of PACK_SIZES) {
    const resolved = withChecks(base.resolved, n);
    const { value, ms: compileMs } = timeMs(() => compilePack(resolved, { reuse: false }));
    checkPacks.set(n, { pack: value, compileMs });
  }

  process.stderr.write('table 1 …\n');
  await versusPeers(base);
  process.stderr.write('table 2 …\n');
  await lexiconScaling(base, lexiconPacks);
  process.stderr.write('table 3 …\n');
  await textScaling(base);
  process.stderr.write('table 4 …\n');
  await packScaling(checkPacks);
  printCompile(compileRows);
  process.stderr.write('table 6 …\n');
  await profanityTable(base);
  process.stderr.write('table 7 …\n');
  await corpusTable(base);

  print(
    table(
      'Targets (issue 5, engine part; issue 14 where marked: there the violations target is the same ≥ 1.0×)',
      ['target', 'wanted', 'measured', 'result'],
      targets.map((t) => [t.name, t.want, t.shown, t.pass ? 'PASS' : 'MISS']),
    ),
  );
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  print(
    `total ${((Date.now() - started) / 1000).toFixed(0)} s · load average at the end ${load} ` +
      `(above ~1, other processes shared the CPUs) · sink ${sinkValue()}`,
  );
}

await main();
