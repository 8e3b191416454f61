/**
 * Starts the example posting service:
 *   GATEHOUSE_URL=http://127.0.0.1:8080 GATEHOUSE_API_KEY=<evaluator key> GATEHOUSE_STAGE=prod GATEHOUSE_PLATFORM=x PORT=3000 \
 *     node --import tsx docs/examples/posting-service/server.ts
 */
import { createPostingService } from './app.js';

const gatehouseUrl = process.env.GATEHOUSE_URL;
if (!gatehouseUrl) {
  console.error('Set GATEHOUSE_URL to the gatehouse service, e.g. http://127.0.0.1:8080');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3000);
const app = createPostingService({
  gatehouseUrl,
  gatehouseApiKey: process.env.GATEHOUSE_API_KEY,
  stage: process.env.GATEHOUSE_STAGE ?? 'prod',
  platform: process.env.GATEHOUSE_PLATFORM ?? 'x',
});
const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`posting service listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
