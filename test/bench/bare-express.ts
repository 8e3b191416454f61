/**
 * The baseline of `npm run bench:http`: a bare Express 5 server, one process, whose
 * POST /v1/evaluate parses the same JSON body as gatehouse (express.json, same size
 * limit) and answers a constant, decision-shaped JSON. No auth, no engine, no audit:
 * the cost of answering an HTTP request at all.
 *
 *   PORT=8099 node --import tsx test/bench/bare-express.ts
 */
import { randomUUID } from 'node:crypto';
import express from 'express';

const DECISION = {
  stage: 'bench',
  mode: 'advisory',
  decision: 'FAIL',
  allowed: true,
  audit_ok: true,
  policy: { pack: 'qa', version: '1.0.0', hash: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' },
  violations: [],
  warnings: [{ code: 'TOS_SCAM', check: 'tos-scam', severity: 'block', message: 'Promises of easy money.', suggestedFix: 'Remove the promise.' }],
};

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: 256 * 1024, strict: true }));
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});
app.post('/v1/evaluate', (req, res) => {
  const body = req.body as { stage?: unknown; content?: unknown };
  if (typeof body?.content !== 'string' && !Array.isArray(body?.content)) {
    res.status(400).json({ error: { code: 'VALIDATION_FAILED' } });
    return;
  }
  // A request id per answer, as gatehouse gives: the bench collects them the same way for every server.
  res.json({ request_id: randomUUID(), receipt_id: null, ...DECISION });
});

const server = app.listen(Number(process.env.PORT ?? 8099), process.env.HOST ?? '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
