import { canonicalContent, contentSha256 } from '../../contract/content-hash.js';
import type { ReceiptFacts } from '../../server/receipts/receipts.js';

/** The facts of a PASS receipt under enforced mode for `content`; override any of them. */
export function receiptFactsFor(content: string | string[], over: Partial<ReceiptFacts> = {}): ReceiptFacts {
  return {
    receipt_id: '8d2b7b8e-7f43-4a43-9d8e-1c0f6ab1c001',
    request_id: '8d2b7b8e-7f43-4a43-9d8e-1c0f6ab1c002',
    stage: 'prod',
    platform: 'x',
    mode: 'enforced',
    pack: 'qa',
    policy_version: '1.0.0',
    policy_hash: 'sha256:abc',
    decision: 'PASS',
    allowed: true,
    content_sha256: contentSha256(content),
    content_kind: canonicalContent(content).kind,
    ...over,
  };
}
