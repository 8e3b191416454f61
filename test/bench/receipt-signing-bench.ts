/**
 * Receipt signing, one JWS per receipt against one signature per batch over a Merkle root
 * (issue 14; docs/decisions/0012-batch-signed-receipts.md): `npx tsx test/bench/receipt-signing-bench.ts`.
 *
 * For each batch size (receipts asked for in one event-loop turn, as one audit group commit
 * releases them), in the same run and interleaved round by round: the process CPU per receipt
 * (process.cpuUsage, user + system) and the median wall time from sign() to the token (the
 * latency a receipt adds to its answer), then the same for verification. Figures go to
 * docs/performance.md under "Receipt signing".
 */
import { performance } from 'node:perf_hooks';
import { contentSha256 } from '../../contract/content-hash.js';
import { createReceiptService, type ReceiptFacts, type ReceiptService, type ReceiptSigning } from '../../server/receipts/receipts.js';
import { fakeSigningKeyStore } from '../server/fakes.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const RECEIPTS_PER_ROUND = Number(process.env.PER_ROUND ?? 2_048);
const BATCH_SIZES = (process.env.BATCHES ?? '1,4,16,64,256').split(',').map(Number);

function facts(i: number): ReceiptFacts {
  const content = `post ${i}: our spring collection lands Friday, pre-order today`;
  return {
    receipt_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    request_id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
    stage: 'prod', platform: 'x', mode: 'enforced', pack: 'qa', policy_version: '2.0.0',
    policy_hash: 'sha256:e655b1f258f753f52c534edab7f6137a7a683af9c70e3575956633ecfcd98679',
    decision: 'PASS', allowed: true, content_sha256: contentSha256(content), content_kind: 'text',
  };
}

interface Sample {
  cpuUsPerReceipt: number;
  latencyUs: number[];
}

/** Signs RECEIPTS_PER_ROUND receipts, `batch` of them per event-loop turn, one turn after the other. */
async function signRound(service: ReceiptService, batch: number): Promise<Sample & { tokens: string[] }> {
  const latencyUs: number[] = [];
  const tokens: string[] = [];
  const cpu = process.cpuUsage();
  for (let done = 0; done < RECEIPTS_PER_ROUND; done += batch) {
    const started = performance.now();
    const signed = await Promise.all(
      Array.from({ length: batch }, (_, i) => service.sign(facts(done + i)).then((t) => (latencyUs.push((performance.now() - started) * 1000), t))),
    );
    tokens.push(...signed);
  }
  const used = process.cpuUsage(cpu);
  return { cpuUsPerReceipt: (used.user + used.system) / RECEIPTS_PER_ROUND, latencyUs, tokens };
}

async function verifyRound(service: ReceiptService, tokens: string[]): Promise<number> {
  const cpu = process.cpuUsage();
  for (const [i, token] of tokens.entries()) await service.verify(token, `post ${i}: our spring collection lands Friday, pre-order today`);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / tokens.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

async function main(): Promise<void> {
  const services = {} as Record<ReceiptSigning, ReceiptService>;
  for (const signing of ['jws', 'batch'] as const) {
    services[signing] = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 3_600, signing });
    await signRound(services[signing], 64); // warm up: JIT, key objects
  }
  console.log(`receipt signing: ${ROUNDS} interleaved rounds of ${RECEIPTS_PER_ROUND} receipts; medians over rounds`);
  console.log('batch | jws CPU µs/receipt | batch CPU µs/receipt | CPU ratio | jws latency p50/p99 µs | batch latency p50/p99 µs | token bytes jws/batch | verify CPU µs jws/batch');
  for (const size of BATCH_SIZES) {
    const cpu: Record<ReceiptSigning, number[]> = { jws: [], batch: [] };
    const latency: Record<ReceiptSigning, number[]> = { jws: [], batch: [] };
    const verify: Record<ReceiptSigning, number[]> = { jws: [], batch: [] };
    const bytes: Record<ReceiptSigning, number> = { jws: 0, batch: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const signing of round % 2 === 0 ? (['jws', 'batch'] as const) : (['batch', 'jws'] as const)) {
        const sample = await signRound(services[signing], size);
        cpu[signing].push(sample.cpuUsPerReceipt);
        latency[signing].push(...sample.latencyUs);
        bytes[signing] = median(sample.tokens.map((t) => t.length));
        if (round < 2) verify[signing].push(await verifyRound(services[signing], sample.tokens.slice(0, 256)));
      }
    }
    const [cj, cb] = [median(cpu.jws), median(cpu.batch)];
    console.log(
      [
        String(size).padStart(5),
        cj.toFixed(1).padStart(18),
        cb.toFixed(1).padStart(20),
        `${(cb / cj).toFixed(2)}×`.padStart(9),
        `${median(latency.jws).toFixed(0)}/${p99(latency.jws).toFixed(0)}`.padStart(22),
        `${median(latency.batch).toFixed(0)}/${p99(latency.batch).toFixed(0)}`.padStart(24),
        `${bytes.jws}/${bytes.batch}`.padStart(21),
        `${median(verify.jws).toFixed(0)}/${median(verify.batch).toFixed(0)}`.padStart(23),
      ].join(' | '),
    );
  }
}

await main();
