import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate, loadPack, PackError, type CompiledPack } from '../../../engine/index.js';
import { createPackCache } from '../../../server/packs/pack-cache.js';
import { precompileCommand } from '../../../server/packs/precompile-command.js';

// A pack with every kind of built structure the cache keeps: a phrase set, a text model, a lexicon.
const PACK = `id: cached
version: 1.0.0
description: A pack for the pack cache tests.
lexicons:
  words: { file: lexicons/words.yaml }
phrases:
  threats: { file: phrases/threats.yaml }
models:
  threat: { file: models/threat.json }
checks:
  - id: mild
    code: MILD_WORD
    severity: block
    category: profanity
    detector: { type: lexicon, lexicons: [words] }
    message: "{{evidence}}"
    suggestedFix: "Drop it."
    required_edit: { action: replace, replacement: mask }
  - id: threat-phrases
    code: VIOLENT_THREAT
    severity: block
    category: harmful
    labels: [violent_threat]
    detector: { type: phrase, phrases: [threats] }
    message: "{{evidence}}"
    suggestedFix: "Remove the threat."
    required_edit: { action: review }
  - id: threat-model
    code: VIOLENT_THREAT_MODEL
    severity: block
    category: harmful
    labels: [violent_threat]
    detector: { type: classifier, model: threat, unless_guarded: [threats] }
    message: "{{evidence}}"
    suggestedFix: "Remove the threat."
    required_edit: { action: review }
`;
const PHRASES = `slots:
  HARM: [hurt, kill, stab]
guards:
  idiom: { match: "$HARM it" }
rules:
  - { id: will-harm, match: "i will $HARM you", unless: [idiom] }
`;
const MODEL = JSON.stringify({ label: 'violent_threat', bias: -3, threshold: 0, features: { 'w:stab': 2, 'w:knife': 2, 'w:tonight': 1 } });
const WORDS = 'terms: [darn, heck]\n';

const POSTS = ['darn, i will stab you tonight with a knife', 'i will kill you', 'kill it on stage tonight', 'a calm day'];

let root: string;
let lines: { msg: string; level: number }[];
const logger = () => pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

function writePack(dir: string, phrases = PHRASES): void {
  for (const sub of ['lexicons', 'phrases', 'models']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'pack.yaml'), PACK);
  writeFileSync(path.join(dir, 'lexicons/words.yaml'), WORDS);
  writeFileSync(path.join(dir, 'phrases/threats.yaml'), phrases);
  writeFileSync(path.join(dir, 'models/threat.json'), MODEL);
}

async function answers(pack: CompiledPack): Promise<string[]> {
  return Promise.all(POSTS.map(async (content) => JSON.stringify({ ...(await evaluate(pack, { content }, { explain: true })), latency_ms: 0 })));
}

const fromCache = () => lines.filter((l) => l.msg === 'pack compiled from the pack cache').length;
const entries = (cacheDir: string) => readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => f.endsWith('.bin') || f.endsWith('.json'));

describe('the pack cache (server/packs/pack-cache.ts)', () => {
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'gh-pack-cache-'));
    lines = [];
    writePack(path.join(root, 'pack'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a compiled pack, and a later start takes it when no file changed: the same hash and answers', async () => {
    const cacheDir = path.join(root, 'cache');
    const first = await createPackCache({ dir: cacheDir, logger: logger() }).load(path.join(root, 'pack'));
    expect(fromCache()).toBe(0);
    expect(entries(cacheDir)).toHaveLength(2);
    const second = await createPackCache({ dir: cacheDir, logger: logger() }).load(path.join(root, 'pack'));
    expect(fromCache()).toBe(1);
    expect(second.hash).toBe(first.hash);
    expect(second.resolvedJson).toBe(first.resolvedJson);
    const direct = await loadPack(path.join(root, 'pack'));
    expect(await answers(second)).toEqual(await answers(direct));
    const codes = (await Promise.all(POSTS.map((content) => evaluate(direct, { content })))).map((d) => d.violations.map((v) => v.code).sort().join());
    expect(codes).toEqual(['MILD_WORD,VIOLENT_THREAT,VIOLENT_THREAT_MODEL', 'VIOLENT_THREAT', '', '']);
  });

  it('compiles again when any file the pack read changed, and keeps the new version', async () => {
    const cacheDir = path.join(root, 'cache');
    const dir = path.join(root, 'pack');
    const first = await createPackCache({ dir: cacheDir, logger: logger() }).load(dir);
    writeFileSync(path.join(dir, 'phrases/threats.yaml'), PHRASES.replace('HARM: [hurt, kill, stab]', 'HARM: [hurt, kill, stab, shoot]'));
    const edited = await createPackCache({ dir: cacheDir, logger: logger() }).load(dir);
    expect(fromCache()).toBe(0);
    expect(edited.hash).not.toBe(first.hash);
    expect((await evaluate(edited, { content: 'i will shoot you' })).violations.map((v) => v.code)).toContain('VIOLENT_THREAT');
    const again = await createPackCache({ dir: cacheDir, logger: logger() }).load(dir);
    expect(fromCache()).toBe(1);
    expect(again.hash).toBe(edited.hash);
  });

  it('treats an unreadable entry as a miss and writes it again; never caches a pack that does not load', async () => {
    const cacheDir = path.join(root, 'cache');
    const dir = path.join(root, 'pack');
    const first = await createPackCache({ dir: cacheDir, logger: logger() }).load(dir);
    const bin = entries(cacheDir).find((f) => f.endsWith('.bin'))!;
    writeFileSync(path.join(cacheDir, bin), Buffer.from('not a pack'));
    const second = await createPackCache({ dir: cacheDir, logger: logger() }).load(dir);
    expect(fromCache()).toBe(0);
    expect(second.hash).toBe(first.hash);
    expect(readFileSync(path.join(cacheDir, bin)).length).toBeGreaterThan(1_000);

    writeFileSync(path.join(dir, 'phrases/threats.yaml'), 'rules: [{ id: x }]\n');
    await expect(createPackCache({ dir: cacheDir, logger: logger() }).load(dir)).rejects.toBeInstanceOf(PackError);
    expect(entries(cacheDir)).toHaveLength(2);
  });

  it('drops the entries of other engine builds and nothing else, and a failed write is only a warning', async () => {
    const cacheDir = path.join(root, 'cache');
    mkdirSync(path.join(cacheDir, '0123456789abcdef/packs'), { recursive: true });
    writeFileSync(path.join(cacheDir, '0123456789abcdef/packs/x.bin'), 'old');
    mkdirSync(path.join(cacheDir, 'not-ours'));
    await createPackCache({ dir: cacheDir, logger: logger() }).load(path.join(root, 'pack'));
    expect(existsSync(path.join(cacheDir, '0123456789abcdef'))).toBe(false);
    expect(existsSync(path.join(cacheDir, 'not-ours'))).toBe(true);

    const blocked = path.join(root, 'a-file');
    writeFileSync(blocked, 'the cache folder cannot be made under a file');
    const pack = await createPackCache({ dir: path.join(blocked, 'cache'), logger: logger() }).load(path.join(root, 'pack'));
    expect(pack.id).toBe('cached');
    expect(lines.some((l) => l.level === 40 && l.msg.startsWith('pack cache: could not keep'))).toBe(true);
  });

  it('compiles a stored version from the cache by its hash', async () => {
    const cacheDir = path.join(root, 'cache');
    const cache = createPackCache({ dir: cacheDir, logger: logger() });
    const stored = await loadPack(path.join(root, 'pack'));
    const first = await cache.compile(stored.hash, stored.resolved);
    expect(entries(cacheDir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    const second = await createPackCache({ dir: cacheDir, logger: logger() }).compile(stored.hash, JSON.parse(stored.resolvedJson));
    expect(second.hash).toBe(first.hash);
    expect(await answers(second)).toEqual(await answers(stored));
  });

  it('is filled ahead of the first start by `gatehouse precompile`, which fails when a pack does not load or there is no cache', async () => {
    const cacheDir = path.join(root, 'cache');
    const out: string[] = [];
    const io = { out: (line: string) => void out.push(line), err: (line: string) => void out.push(`ERR ${line}`) };
    const env = { GATEHOUSE_PACK_CACHE_DIR: cacheDir, GATEHOUSE_RULES_DIR: root };
    expect(await precompileCommand([], env, io)).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^cached@1\.0\.0 sha256:[0-9a-f]{64} → /)]);
    await createPackCache({ dir: cacheDir, logger: logger() }).load(path.join(root, 'pack'));
    expect(fromCache()).toBe(1);

    expect(await precompileCommand([], { ...env, GATEHOUSE_PACK_CACHE_DIR: 'off' }, io)).toBe(1);
    writeFileSync(path.join(root, 'pack/phrases/threats.yaml'), 'rules: [{ id: x }]\n');
    out.length = 0;
    expect(await precompileCommand([path.join(root, 'pack')], env, io)).toBe(1);
    expect(out.some((line) => line.startsWith('ERR ') && line.includes('threats.yaml'))).toBe(true);
  });
});
