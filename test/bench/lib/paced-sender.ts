/**
 * Evenly spaced requests for `npm run bench:http`'s fixed-rate phase (open loop: a request is
 * sent when it is due, whether or not earlier ones were answered), over at most `connections`
 * keep-alive sockets, each request the same prebuilt bytes (or each made when it is sent). Latency runs from the moment a
 * request was due to its last byte, so a stalled server cannot hide the requests it kept from
 * being sent (no coordinated omission).
 *
 * Raw sockets rather than node:http's client (issue 14, the tail): the client cost this process
 * ~4x the CPU per request that autocannon does at saturation (ClientRequest, Agent, header
 * objects, IncomingMessage, a Buffer.concat per answer), on the two cores it shares with the
 * server and PostgreSQL, and its own pauses were counted as the server's latency.
 */
import { connect, type Socket } from 'node:net';

export interface PacedRun {
  host: string;
  port: number;
  /** The whole request, headers and body, sent as is on a keep-alive connection; or, for requests that differ, what makes the next one. */
  request: Buffer | (() => Buffer);
  /** Requests per second, evenly spaced. */
  rate: number;
  seconds: number;
  connections: number;
  /** Every answer: its status, its body (latin1: only ASCII fields are read) and its latency in ms. */
  onAnswer(status: number, body: string, latencyMs: number): void;
  /** A request that got no answer (connection refused, reset or closed before the answer). */
  onError(): void;
}

export interface PacedResult {
  /** performance.now() at the start and at the last answer. */
  t0: number;
  t1: number;
}

interface Connection {
  socket: Socket;
  /** When the request in flight was due; undefined while the connection is idle. */
  dueAt: number | undefined;
  chunks: Buffer[];
  length: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

export function pacedRequests(run: PacedRun): Promise<PacedResult> {
  return new Promise((resolve) => {
    const due = Math.floor(run.seconds * run.rate);
    const interval = 1000 / run.rate;
    const idle: Connection[] = [];
    const open = new Set<Connection>();
    const waiting: number[] = [];
    let sent = 0;
    let settled = 0;
    const t0 = performance.now();
    let t1 = t0;

    const settle = () => {
      if (++settled < due) return;
      clearInterval(timer);
      for (const c of open) c.socket.destroy();
      resolve({ t0, t1 });
    };

    const send = (c: Connection, dueAt: number) => {
      c.dueAt = dueAt;
      c.socket.write(typeof run.request === 'function' ? run.request() : run.request);
    };

    /** The connection is free again: the oldest waiting request goes on it, or it waits (most recent first, as node's Agent). */
    const release = (c: Connection) => {
      const next = waiting.shift();
      if (next !== undefined) send(c, next);
      else idle.push(c);
    };

    const fail = (c: Connection) => {
      open.delete(c);
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      if (c.dueAt !== undefined) {
        c.dueAt = undefined;
        run.onError();
        settle();
      }
      // The requests it would have carried go on another connection.
      while (waiting.length > 0 && open.size < run.connections) dispatch(waiting.shift()!);
    };

    const onData = (c: Connection, chunk: Buffer) => {
      c.chunks.push(chunk);
      c.length += chunk.length;
      const data = c.chunks.length === 1 ? chunk : Buffer.concat(c.chunks, c.length);
      const headerEnd = data.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const head = data.toString('latin1', 0, headerEnd);
      const bodyLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(bodyLength)) {
        c.socket.destroy();
        return;
      }
      const end = headerEnd + HEADER_END.length + bodyLength;
      if (data.length < end) {
        c.chunks = [data];
        return;
      }
      t1 = performance.now();
      const latency = t1 - c.dueAt!;
      c.dueAt = undefined;
      c.chunks = [];
      c.length = 0;
      run.onAnswer(Number(head.slice(9, 12)), data.toString('latin1', headerEnd + HEADER_END.length, end), latency);
      if (/\r\nconnection: *close/i.test(head)) c.socket.destroy();
      else release(c);
      settle();
    };

    const dispatch = (dueAt: number) => {
      const reused = idle.pop();
      if (reused) return send(reused, dueAt);
      if (open.size >= run.connections) return void waiting.push(dueAt);
      const socket = connect({ host: run.host, port: run.port, noDelay: true });
      const c: Connection = { socket, dueAt: undefined, chunks: [], length: 0 };
      open.add(c);
      socket.on('data', (chunk: Buffer) => onData(c, chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => fail(c));
      send(c, dueAt);
    };

    // A 1 ms timer sends every request that has come due (several at once if the timer was late).
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < due && t0 + sent * interval <= now) dispatch(t0 + sent++ * interval);
      if (sent === due) clearInterval(timer);
    }, 1);
    if (due === 0) {
      clearInterval(timer);
      resolve({ t0, t1 });
    }
  });
}
