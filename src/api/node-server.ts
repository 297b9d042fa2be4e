// The Node HTTP(S) server under Fastify, built here for its client timeouts. Node's defaults (60 s for
// headers, 300 s for a request, checked every 30 s) let 25 connections that drip one header line at
// a time stay open for minutes; hookd bounds both (HOOKD_HEADERS_TIMEOUT_MS, HOOKD_REQUEST_TIMEOUT_MS)
// and checks every second, so a slow client is cut within about a second of its bound. The bounds
// cover receiving the request only: a long-poll or an event stream answers for as long as it likes.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Config } from '../config/settings.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** How often Node looks for connections past their header or request bound. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export function createNodeServer(handler: Handler, config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>, https?: { cert: string | Buffer; key: string | Buffer }): Server {
  const timeouts = {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  // https.Server extends tls.Server, not http.Server, but Fastify drives both through the same API.
  const server = https ? (createHttpsServer({ ...https, ...timeouts }, handler) as unknown as Server) : createHttpServer(timeouts, handler);
  return server;
}
