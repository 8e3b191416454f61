// Server-Sent Events over fetch(): EventSource cannot send an Authorization header, and
// the key must not go in the URL, so the stream is read with a ReadableStream reader and
// parsed here (the text/event-stream format: field lines, frames ended by a blank line).

import { ApiError, authHeaders } from './api.js';

const STALE_MS = 45_000; // three missed heartbeats
const MAX_BACKOFF_MS = 15_000;

/**
 * Keeps one stream open, reconnecting with backoff.
 * onEvent(type, data) for each frame; onStatus('open' | 'reconnecting' | 'refused', error?).
 */
export function connectEvents({ path = '/v1/events', onEvent, onStatus }) {
  let stopped = false;
  let controller;
  let attempt = 0;

  async function once() {
    controller = new AbortController();
    const watchdog = staleWatchdog(controller);
    try {
      const res = await fetch(path, { headers: { ...authHeaders(), Accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal });
      if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => undefined));
      attempt = 0;
      onStatus('open');
      await readFrames(res.body, watchdog.touch, (frame) => onEvent(frame.event, frame.data));
    } finally {
      watchdog.stop();
    }
  }

  (async () => {
    while (!stopped) {
      try {
        await once();
        if (!stopped) onStatus('reconnecting');
      } catch (error) {
        if (stopped) return;
        // A refused key will not get better by retrying.
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          onStatus('refused', error);
          return;
        }
        onStatus('reconnecting', error instanceof ApiError ? error : undefined);
      }
      await sleep(Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt++));
    }
  })();

  return {
    close() {
      stopped = true;
      controller?.abort();
    },
  };
}

/** Aborts the request when nothing (not even a heartbeat) has arrived for STALE_MS. */
function staleWatchdog(controller) {
  let timer;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), STALE_MS);
  };
  touch();
  return { touch, stop: () => clearTimeout(timer) };
}

async function readFrames(body, onBytes, onFrame) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = frameParser(onFrame);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onBytes();
    parser(value);
  }
}

/** Feeds text chunks; calls onFrame({ event, data, id }) per complete frame. Comment lines are skipped. */
export function frameParser(onFrame) {
  let buffer = '';
  let frame = { event: 'message', data: [], id: '' };
  const line = (text) => {
    if (text === '') {
      if (frame.data.length > 0) onFrame({ event: frame.event, data: frame.data.join('\n'), id: frame.id });
      frame = { event: 'message', data: [], id: '' };
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data.push(value);
    else if (field === 'id') frame.id = value;
  };
  return (chunk) => {
    buffer += chunk;
    // A chunk may end between the \r and the \n of one line break: keep that \r for the next chunk.
    const end = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
    buffer = (lines.pop() ?? '') + buffer.slice(end);
    lines.forEach(line);
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
