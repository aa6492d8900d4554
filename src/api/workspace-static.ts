/**
 * Serves the built browser workspace (dist/workspace) at `/`: hashed files under `/assets/` are cached
 * for a year (their name changes with their content), `index.html` is revalidated every time, and any
 * other GET that asks for HTML and is not an API, WebSocket, metrics or health path gets `index.html`
 * (the SPA fallback: `/unit`, `/orders/20261202-000123` are pages of the app). When the folder was
 * never built, `/` answers 503 saying how to build it instead of a bare 404.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import express, { type RequestHandler, Router } from 'express';

/** The names Vite gives built files (`/index-C6Z1LJvq.js`): nothing else is looked up as a .gz. */
const ASSET_NAME = /^\/([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(?:js|css|svg|json|woff2?|ttf))$/;

/** Paths that belong to the server, never to the app's fallback. */
const SERVER_PATHS = /^\/(api|ws|metrics|healthz)(\/|$)/;

/**
 * The pages' security policy: only our own origin for scripts, data and sockets; inline styles are
 * allowed (the component kit positions pop-ups with them); no framing (clickjacking on 退单/审核).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Referrer-Policy', 'no-referrer');
  next();
};

export function createWorkspaceRouter(dir: string): Router {
  const root = resolve(dir);
  const indexFile = join(root, 'index.html');
  const router = Router();
  router.use(securityHeaders);
  // The build writes a .gz beside each script and style sheet: sent as is to browsers that take gzip
  // (a third of the bytes for a branch office on a slow line), no compression work per request.
  router.use('/assets', (req, res, next) => {
    const name = ASSET_NAME.exec(req.path)?.[1];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || name === undefined || req.acceptsEncodings('gzip') !== 'gzip') {
      next();
      return;
    }
    const gz = join(root, 'assets', `${name}.gz`);
    stat(gz).then(
      (st) => {
        if (!st.isFile()) {
          next();
          return;
        }
        res.set({ 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Cache-Control': 'public, max-age=31536000, immutable' });
        res.type(extname(name));
        res.sendFile(gz, (err) => {
          if (err !== undefined && !res.headersSent) next(err);
        });
      },
      () => {
        next();
      },
    );
  });
  router.use(
    '/assets',
    express.static(join(root, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
      dotfiles: 'ignore',
      setHeaders: (res) => res.setHeader('Vary', 'Accept-Encoding'),
    }),
  );
  // A missing asset (a page built before the last deploy) is a plain 404, never index.html run as a script.
  router.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('no such asset\n');
  });
  router.use(
    express.static(root, {
      index: false,
      dotfiles: 'ignore',
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path) || !req.accepts('html')) {
      next();
      return;
    }
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain; charset=utf-8').send('The workspace is not built: run `npm run build:web` (npm install and npm start build it).\n');
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.set('Content-Security-Policy', CSP);
    res.set('X-Frame-Options', 'DENY');
    res.sendFile(indexFile, (err) => {
      if (err !== undefined && !res.headersSent) next(err);
    });
  });
  return router;
}
