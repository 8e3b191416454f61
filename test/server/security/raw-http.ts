/**
 * Plain node:http and node:net clients for the security tests: supertest and fetch both
 * normalise what they send (valid UTF-8, well-formed headers), and these tests must send
 * the bytes an attacker would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Express } from 'express';
import { listenServer } from './listen-server.js';

export interface Listening {
  port: number;
  agent: http.Agent;
  close(): Promise<void>;
}

/** Serves `app` on an ephemeral loopback port with a keep-alive client agent. */
export async function listen(app: Express): Promise<Listening> {
  return listenServer(http.createServer(app));
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Already percent-encoded path and query. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function send(server: Listening, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | number> = { ...req.headers };
    if (body) headers['Content-Length'] = body.length;
    const r = http.request(
      { host: '127.0.0.1', port: server.port, method: req.method, path: req.path, headers, agent: server.agent },
      (res) => {
        // An event stream never ends by itself: its status and headers are the answer.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

/**
 * Writes `bytes` on a fresh TCP connection and collects whatever comes back until the
 * server closes the connection or `waitMs` passes (then the client closes it).
 */
export function rawExchange(port: number, bytes: Buffer | string, waitMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(bytes);
  });
}
