import { createServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import express, { type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import type { CallRecordRepository } from '../metrics/call-records.js';
import { AppError } from '../shared/app-error.js';
import { addressKey } from '../shared/address-key.js';
import { apiErrorHandler, notFoundHandler } from './api-error-handler.js';
import { createCallsRouter } from './calls.routes.js';
import { createHealthRouter, type HealthCheck } from './health.routes.js';
import { createMetricsRouter } from './metrics.routes.js';
import { createWorkspaceRouter } from './workspace-static.js';

export interface HttpServerDeps {
  readonly callRecords: CallRecordRepository;
  /** RECORDINGS_DIR: the only folder recordings are served from. */
  readonly recordingsDir?: string;
  readonly health: HealthCheck;
  readonly metrics: Registry;
  readonly logger: Logger;
  /** Run before every /api/v1 route (authentication goes here); /healthz and /metrics stay open. */
  readonly apiMiddleware?: readonly RequestHandler[];
  /** Routers under /api/v1 mounted before `apiMiddleware`, so reachable without it (e.g. login). */
  readonly publicApiRoutes?: readonly RequestHandler[];
  /** Routers under /api/v1 mounted after `apiMiddleware` (and after the built-in routes). */
  readonly apiRoutes?: readonly RequestHandler[];
  /** WORKSPACE_DIR: the built browser app served at `/` (with the SPA fallback); none when undefined. */
  readonly workspaceDir?: string;
}

export interface WebServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host?: string;
  /** How long close() lets requests in flight finish before cutting their connections. Default 5000. */
  readonly closeGraceMs?: number;
  /** Connections at once, WebSocket ones included; further ones are closed at accept (HTTP_MAX_CONNECTIONS). */
  readonly maxConnections?: number;
  /** Connections at once from one address (IPv6: one /64); further ones are closed at accept (HTTP_MAX_PER_ADDRESS). */
  readonly maxPerAddress?: number;
  /** A client must have sent its whole request head within this (default 10 000 ms; Node's own is 60 s). */
  readonly headersTimeoutMs?: number;
  /** PEM certificate (chain) and key: HTTPS, and wss:// for the WebSocket paths (HTTP_TLS_CERT/KEY). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

/**
 * Limits of the HTTP listener (issue 9 item 10): a slow or idle client holds a descriptor only briefly.
 * requestTimeout bounds receiving a request (bodies are at most 1 MB), not sending a response, so
 * recording downloads are not cut. 431 answers a head over 16 KB.
 */
export const HTTP_LIMITS = {
  maxConnections: 2000,
  maxPerAddress: 500,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
} as const;

export interface WebServer {
  /** The port actually bound. */
  readonly port: number;
  /** The node server, e.g. for a WebSocket server to share. */
  readonly server: Server;
  /** Served over TLS (HTTPS, wss://). */
  readonly secure: boolean;
  /** Stops accepting, lets requests in flight finish, then resolves; safe to call twice. */
  close(): Promise<void>;
}

export interface HttpServer {
  readonly app: Express;
  startWebServer(options: WebServerOptions): Promise<WebServer>;
}

/** The HTTP API: `/healthz`, `/metrics` and `/api/v1/*` (see README.md), and the workspace at `/`. */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '1mb' }));

  app.use(createHealthRouter(deps.health, deps.logger));
  app.use(createMetricsRouter(deps.metrics));

  const apiV1 = express.Router();
  for (const routes of deps.publicApiRoutes ?? []) apiV1.use(routes);
  for (const middleware of deps.apiMiddleware ?? []) apiV1.use(middleware);
  apiV1.use(createCallsRouter(deps.callRecords, deps.recordingsDir));
  for (const routes of deps.apiRoutes ?? []) apiV1.use(routes);
  app.use('/api/v1', apiV1);
  if (deps.workspaceDir !== undefined) app.use(createWorkspaceRouter(deps.workspaceDir));

  app.use(notFoundHandler);
  app.use(apiErrorHandler(deps.logger));

  return { app, startWebServer: (options) => startWebServer(app, options, deps.logger) };
}

function startWebServer(app: Express, options: WebServerOptions, logger: Logger): Promise<WebServer> {
  const host = options.host ?? '0.0.0.0';
  return new Promise((resolve, reject) => {
    const headersTimeout = options.headersTimeoutMs ?? HTTP_LIMITS.headersTimeoutMs;
    const limits: ServerOptions = {
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, HTTP_LIMITS.requestTimeoutMs),
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      // Timeouts are checked on this interval (Node's default 30 s would stretch a 10 s limit to 40 s).
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    };
    const tls = options.tls;
    // Node's TLS (never our own): the same limits, the certificate and key from the configured files.
    const server: Server = tls === undefined ? createServer(limits, app) : createHttpsServer({ ...limits, cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeout }, app);
    server.maxConnections = options.maxConnections ?? HTTP_LIMITS.maxConnections;
    // One address re-opening connections must not take every slot from agents' /ws/agent reconnects and /healthz.
    const maxPerAddress = options.maxPerAddress ?? HTTP_LIMITS.maxPerAddress;
    const perAddress = new Map<string, number>();
    let refused = 0;
    server.on('connection', (socket) => {
      const key = addressKey((socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
      const open = perAddress.get(key) ?? 0;
      if (open >= maxPerAddress) {
        if (refused++ % 100 === 0) logger.warn('http: connection refused, per-address limit', { address: key, limit: maxPerAddress, refused });
        socket.destroy();
        return;
      }
      perAddress.set(key, open + 1);
      socket.once('close', () => {
        const left = (perAddress.get(key) ?? 1) - 1;
        if (left > 0) perAddress.set(key, left);
        else perAddress.delete(key);
      });
    });
    server.listen(options.port, host);
    const onError = (err: Error): void => {
      reject(new AppError('HTTP_LISTEN_FAILED', `cannot listen on ${host}:${options.port}: ${err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      server.on('error', (err) => {
        logger.error('http server error', { error: err.message });
      });
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      logger.info('http server listening', { host, port, tls: tls !== undefined });
      resolve({ port, server, secure: tls !== undefined, close: closer(server, options.closeGraceMs ?? 5000) });
    });
  });
}

function closer(server: Server, graceMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => {
        server.closeAllConnections();
      }, graceMs);
      force.unref();
      server.close((err) => {
        clearTimeout(force);
        if (err) reject(new AppError('HTTP_CLOSE_FAILED', `closing the http server failed: ${err.message}`, { cause: err }));
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
}
