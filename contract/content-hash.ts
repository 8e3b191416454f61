/**
 * How a receipt names its content, in one pure module: the service signs
 * with it and the client (offline verification, posting gate) checks with
 * it, so the two can never hash differently. No I/O, no server imports.
 *
 * Content hash (claim `content_sha256`, hex SHA-256 over UTF-8):
 *   - `content` a string → the string itself;
 *   - `content` an array (a thread) → `JSON.stringify(array)`.
 * Claim `content_kind` (`text` | `thread`) says which, so a string that
 * happens to look like a JSON array never matches a thread's receipt.
 */
import { createHash } from 'node:crypto';

export type ContentKind = 'text' | 'thread';

export function canonicalContent(content: string | string[]): { text: string; kind: ContentKind } {
  return typeof content === 'string' ? { text: content, kind: 'text' } : { text: JSON.stringify(content), kind: 'thread' };
}

export function contentSha256(content: string | string[]): string {
  return contentFingerprint(content).sha256;
}

/** The canonical text, its kind and its hash together, for callers that need all three once. */
export interface ContentFingerprint {
  text: string;
  kind: ContentKind;
  sha256: string;
}

export function contentFingerprint(content: string | string[]): ContentFingerprint {
  const canonical = canonicalContent(content);
  return { ...canonical, sha256: createHash('sha256').update(canonical.text, 'utf8').digest('hex') };
}
