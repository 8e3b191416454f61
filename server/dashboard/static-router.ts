/**
 * The dashboard's page and assets under /dashboard: plain files from
 * public/, no build step, nothing fetched from elsewhere, and a
 * Content-Security-Policy that allows this origin only.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';
import { setHtmlCsp } from '../http/security-headers.js';

// Stricter than helmet's default (which allows inline styles and https: fonts): the page needs nothing but itself.
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;

export function createStaticRouter(publicDir = findPublicDir()): Router {
  const assets = listAssets(publicDir);
  const router = Router();
  const serve = (res: Response, file: string) => {
    setHtmlCsp(res, DASHBOARD_CSP);
    res.setHeader('Content-Type', CONTENT_TYPES[path.extname(file)]!);
    // Revalidate every time: a new server version must never run with the old page's scripts.
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(publicDir, file));
  };

  router.get('/dashboard', (_req, res) => serve(res, 'index.html'));
  router.get('/dashboard/:file', (req, res, next) => {
    const file = req.params.file;
    if (!assets.has(file)) {
      next();
      return;
    }
    serve(res, file);
  });
  return router;
}

/** Only files named like assets, listed once at start: no path from a request ever reaches the file system. */
function listAssets(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((name) => ASSET_NAME.test(name)));
}

/** public/ sits beside this file in server/; when running from dist/server/ (tsc copies no assets) it is the source folder. */
function findPublicDir(): string {
  const here = import.meta.dirname;
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../server/dashboard/public')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`dashboard assets not found in ${candidates.join(' or ')}`);
  return found;
}
