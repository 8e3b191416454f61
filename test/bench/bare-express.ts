/**
 * The baseline of `npm run bench:http`: a bare Express 5 server, one process, whose
 * POST /v1/evaluate parses the same JSON body as gatehouse (express.json, same size
 * limit) and answers a constant decision of the same shape and size as gatehouse's answer.
 * No auth, no engine, no audit, no logging: the cost of answering an HTTP request at all.
 *
 *   PORT=8099 [BARE_ANSWER_FILE=answer.json] [BARE_BORN=1] node --import tsx test/bench/bare-express.ts
 *
 * BARE_BORN=1: Node's server makes requests and responses with Express's prototypes already in
 * place, as gatehouse's does (server/http/express-born.ts), so that the bench shows what that step
 * is worth to any Express app and gatehouse's ratio to both.
 *
 * `npm run bench:http` passes gatehouse's own answer to the bench body (BARE_ANSWER_FILE, without
 * its request_id); the DECISION below is a recorded one, for a run without gatehouse.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import express from 'express';
import { bornWithExpressPrototypes } from '../../server/http/express-born.js';

// A real answer of gatehouse to the bench body (recorded once), so that both servers write the
// same JSON: same fields, same size (~2.3 kB then; 4.1 kB in 2026-12 with the grown pack); the receipt
// is a constant of the token's length.
const RECORDED = {
  "receipt_id": "00000000-0000-4000-8000-000000000000",
  "stage": "bench",
  "mode": "advisory",
  "policy": {
    "pack": "qa",
    "version": "1.0.0",
    "hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000"
  },
  "decision": "FAIL",
  "checks": [
    "profanity",
    "violent-threat",
    "self-harm",
    "tos-fake-engagement",
    "tos-scam",
    "tos-spam",
    "tos-undisclosed-promotion",
    "post-length",
    "thread-numbering",
    "line-length",
    "policy-tags",
    "citation"
  ],
  "allowed": true,
  "violations": [
    {
      "code": "TOS_SCAM",
      "check": "tos-scam",
      "severity": "block",
      "category": "tos",
      "post": 0,
      "message": "Post 1 makes a scam-like financial promise (\"g** **** ****k\").",
      "suggestedFix": "Remove guaranteed-return or money-doubling claims; state risks plainly.",
      "span": [
        8,
        22
      ],
      "evidence": "g** **** ****k"
    }
  ],
  "required_edits": [
    {
      "check": "tos-scam",
      "code": "TOS_SCAM",
      "post": 0,
      "action": "delete",
      "span": [
        8,
        22
      ]
    }
  ],
  "warnings": [
    {
      "code": "TOS_SCAM",
      "check": "tos-scam",
      "severity": "block",
      "category": "tos",
      "post": 0,
      "message": "Post 1 makes a scam-like financial promise (\"g** **** ****k\").",
      "suggestedFix": "Remove guaranteed-return or money-doubling claims; state risks plainly.",
      "span": [
        8,
        22
      ],
      "evidence": "g** **** ****k"
    }
  ],
  "sanitized": [
    "Want to get rich quick? Read the plan below first.\nReading the error message carefully is still the fastest way to fix most bugs. Reading the error message carefully is still the fastest way to fix most bugs.\nHe repaired the old bicycle with parts from three other bikes and.. #AI"
  ],
  "audit_ok": true,
  "receipt": "eyJhbGciOiJFZERTQSIsImtpZCI6IkQ5ZThBS2tDMXNkZUJtYzJiaVlEX1ktZmxmNWlUWVpYdnVHNmZZMnJHR1UiLCJ0eXAiOiJnYXRlaG91c2UtcmVjZWlwdCtqd3QifQ.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
};

const answerFile = process.env.BARE_ANSWER_FILE;
const DECISION = answerFile ? (JSON.parse(readFileSync(answerFile, 'utf8')) as Record<string, unknown>) : RECORDED;

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
  res.json({ request_id: randomUUID(), ...DECISION });
});

const server = http.createServer(process.env.BARE_BORN === '1' ? bornWithExpressPrototypes(app) : {}, app);
server.listen(Number(process.env.PORT ?? 8099), process.env.HOST ?? '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
