/**
 * gatehouse engine: load → validate → compile → evaluate rule packs.
 * Pure library: no server, no database, no environment reads.
 */
export type {
  EngineDecision,
  EvaluationInput,
  Violation,
  RequiredEdit,
  PolicyRef,
  Severity,
  Category,
  Revelation,
} from './decision.js';
export { loadPack, loadPacks, packDirs, type LoadOptions } from './load.js';
export type { CompiledPack, CheckInfo } from './compile.js';
export { evaluate } from './evaluate.js';
export { PackError } from './errors.js';
export type { PackIssue } from './errors.js';
export { compilePack, type CompileOptions } from './compile.js';
export { prebuiltOf, PrebuiltError } from './prebuilt.js';
export type { ResolvedPack } from './pack-schema.js';
export { loadPackTests, runPackTests } from './pack-tests.js';
export type { LoadedCase, CaseResult } from './pack-tests.js';
export { formatIssue } from './errors.js';
export { mask } from './mask.js';
export { SCHEMA_BASE, schemaDocuments, schemaId } from './schema-documents.js';
export type { SchemaFile } from './schema-documents.js';
export { featureNames, wordsOf } from './classifier/features.js';
export type { ModelSpec } from './classifier/model.js';
