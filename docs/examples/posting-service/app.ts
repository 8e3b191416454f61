/**
 * A minimal posting service: it publishes a post only when gatehouse's
 * receipt for exactly that content allows it. The whole integration is the
 * `requireReceipt` line; everything else is the app's own business.
 */
import express, { type Express } from 'express';
import { GatehouseClient, requireReceipt, type PostingGateLocals } from '@gatehouse/client';

export interface PostingServiceOptions {
  /** Where gatehouse listens, e.g. http://gatehouse:8080. */
  gatehouseUrl: string;
  /** An evaluator key: lets a QA_BLOCKED refusal carry the violations and required edits. Optional. */
  gatehouseApiKey?: string;
  /** The gatehouse stage this service posts for: receipts decided on any other stage are refused. */
  stage: string;
  /** The platform this service publishes to: receipts decided under another platform's rules are refused. */
  platform: string;
}

interface Post {
  id: number;
  user: string;
  content: string | string[];
  receipt_id: string;
  warning: string | null;
}

export function createPostingService(options: PostingServiceOptions): Express {
  const client = new GatehouseClient({ baseUrl: options.gatehouseUrl, apiKey: options.gatehouseApiKey });
  const posts: Post[] = [];
  const app = express();
  app.use(express.json());

  app.post(
    '/posts',
    requireReceipt({
      // Receipts are checked offline against gatehouse's public keys (fetched once, cached).
      jwks: client.jwksUrl,
      // What this service posts for: an advisory `dev` receipt, or a PASS under another platform's
      // length rules, must not publish here.
      stages: options.stage,
      platforms: options.platform,
      // Only used to fetch the violations of a blocked post.
      client: options.gatehouseApiKey ? client : undefined,
      // Your real app would use its session's user id; a header keeps the example short.
      userId: (req) => req.get('x-user') ?? undefined,
    }),
    (req, res) => {
      const gate = res.locals.gatehouse as PostingGateLocals;
      const post: Post = {
        id: posts.length + 1,
        user: req.get('x-user') ?? 'anonymous',
        content: req.body.content,
        receipt_id: gate.receipt.claims.jti,
        warning: gate.warning ?? null,
      };
      posts.push(post); // Here a real service would publish to the platform.
      res.status(201).json(post);
    },
  );

  app.get('/posts', (_req, res) => {
    res.json({ items: posts });
  });
  return app;
}
