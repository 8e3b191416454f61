/** One build of the engine, loaded from its compiled files, for the A/B scripts (engine-ab.ts, corpus-ab.ts). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Content } from './inputs.js';

export interface Engine {
  evaluate(pack: unknown, input: { content: Content; metadata: Record<string, unknown> }): Promise<unknown>;
  loadPack(dir: string): Promise<unknown>;
}

export interface EngineBuild {
  engine: Engine;
  pack: unknown;
}

/** Imports `file` (a build's engine/index.js) and compiles the pack at `packDir` with it. */
export async function loadEngineBuild(file: string, packDir: string): Promise<EngineBuild> {
  if (!isModuleBuild(path.resolve(file))) throw new Error(`${file}: no package.json with "type": "module" above it (see engine-ab.ts)`);
  const engine = (await import(pathToFileURL(path.resolve(file)).href)) as Engine;
  return { engine, pack: await engine.loadPack(packDir) };
}

/** Whether the nearest package.json above `file` says "type": "module". */
function isModuleBuild(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
    if (path.dirname(dir) === dir) return false;
  }
}
