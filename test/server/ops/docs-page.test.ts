// /docs in Debian's Chromium (issue 16): Swagger UI renders /openapi.json with no warning (it
// warned about any jsonSchemaDialect but OpenAPI's default), and shows the realistic examples.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../server/ops/metrics.js';
import { buildOpenApi } from '../../../server/ops/openapi.js';
import { createOpsRouter } from '../../../server/ops/ops-router.js';
import { isCi } from '../../helpers/databases.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && isCi()) throw new Error(`${CHROMIUM} is missing: CI is set, the /docs browser test may not be skipped.`);

describe.skipIf(missing)('/docs in Chromium', () => {
  let browser: Browser;
  let server: Server;

  /** The ops routes alone, serving `doc` as /openapi.json. */
  async function serveDocs(doc: Record<string, unknown>): Promise<string> {
    const app = express();
    app.use(createOpsRouter({ metrics: createMetrics({ defaultMetrics: false }), readiness: async () => ({ ready: true, checks: {} }) as never, openapi: doc }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function pageText(base: string): Promise<{ text: string; errors: number }> {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/docs`);
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
      // Warnings render after the spec is parsed, next to the title.
      await page.waitForTimeout(1_000);
      return { text: await page.locator('body').innerText(), errors: await page.locator('.swagger-ui .errors-wrapper').count() };
    } finally {
      await page.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows no warning for the document as served', async () => {
    const { text, errors } = await pageText(await serveDocs(buildOpenApi('0.1.0')));
    expect(text).not.toContain('jsonSchemaDialect');
    expect(errors).toBe(0);
    expect(text).toContain('POST\n/v1/evaluate');
  }, 120_000);

  it('would warn with a jsonSchemaDialect, as the document had (so the test above can fail)', async () => {
    const { text } = await pageText(await serveDocs({ ...buildOpenApi('0.1.0'), jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema' }));
    expect(text).toContain('jsonSchemaDialect');
  }, 120_000);
});
