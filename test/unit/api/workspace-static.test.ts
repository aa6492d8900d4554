import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import express from 'express';
import { apiErrorHandler, notFoundHandler } from '../../../src/api/api-error-handler.js';
import { createWorkspaceRouter } from '../../../src/api/workspace-static.js';
import { createLogger } from '../../../src/logging/logger.js';

describe('workspace static files (/)', () => {
  let dir: string;
  let server: Server;
  let base: string;

  async function serve(folder: string): Promise<void> {
    const app = express();
    app.get('/api/v1/ping', (_req, res) => res.json({ ok: true }));
    app.use(createWorkspaceRouter(folder));
    app.use(notFoundHandler);
    app.use(apiErrorHandler(createLogger('error', { silent: true })));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, '.build-hash'), 'secret');
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const html = { headers: { Accept: 'text/html,application/xhtml+xml' } };

  it('serves hashed assets for a year and immutable', async () => {
    await serve(dir);
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.match(/max-age=31536000/).and.match(/immutable/);
    expect(await res.text()).to.equal('console.log(1)');
  });

  it('sends the pre-compressed copy to a browser that takes gzip, and the plain file to one that does not', async () => {
    await writeFile(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync('console.log(1)'));
    await serve(dir);
    // fetch() always asks for gzip and unpacks it; a raw request shows what went over the wire.
    const raw = (encoding: string | undefined) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(`${base}/assets/index-abc123.js`, { headers: encoding === undefined ? {} : { 'Accept-Encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({ headers: res.headers, body: Buffer.concat(chunks) });
          });
        });
        req.on('error', reject);
        req.end();
      });
    const zipped = await raw('gzip, deflate, br');
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(zipped.headers['content-type']).to.match(/javascript/);
    expect(zipped.headers.vary).to.match(/Accept-Encoding/);
    expect(gunzipSync(zipped.body).toString()).to.equal('console.log(1)');
    const plain = await raw(undefined);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.toString()).to.equal('console.log(1)');
  });

  it('answers the app pages with index.html, revalidated and with a security policy', async () => {
    await serve(dir);
    for (const path of ['/', '/unit', '/orders/20261202-000123', '/supervisor/wallboard']) {
      const res = await fetch(`${base}${path}`, html);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('cache-control'), path).to.equal('no-cache');
      expect(res.headers.get('content-security-policy'), path).to.include("frame-ancestors 'none'");
      expect(await res.text(), path).to.include('<title>app</title>');
    }
  });

  it('never answers API, socket, metrics or health paths with the app', async () => {
    await serve(dir);
    expect((await fetch(`${base}/api/v1/ping`, html)).status).to.equal(200);
    for (const path of ['/api/v1/nothing', '/api', '/ws/agent', '/metrics/x', '/healthz/x']) {
      const res = await fetch(`${base}${path}`, html);
      expect(res.status, path).to.equal(404);
      expect(res.headers.get('content-type'), path).to.match(/json/);
    }
  });

  it('a missing asset is a 404, not the app page (a stale page must not run HTML as a script)', async () => {
    await serve(dir);
    const res = await fetch(`${base}/assets/gone-123.js`, html);
    expect(res.status).to.equal(404);
    expect(await res.text()).not.to.include('<title>app</title>');
  });

  it('serves no dotfile and nothing outside the folder', async () => {
    await serve(dir);
    expect(await (await fetch(`${base}/.build-hash`, html)).text()).not.to.include('secret');
    for (const path of ['/assets/..%2f.build-hash', '/assets/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd']) {
      const body = await (await fetch(`${base}${path}`, html)).text();
      expect(body, path).not.to.include('secret');
      expect(body, path).not.to.include('root:');
    }
  });

  it('asks for a build (503) when the app was never built', async () => {
    await serve(join(dir, 'missing'));
    const res = await fetch(`${base}/`, html);
    expect(res.status).to.equal(503);
    expect(await res.text()).to.include('npm run build:web');
  });
});
