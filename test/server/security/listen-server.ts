/**
 * Serves an http.Server built by server/http/connections.ts (the limits under test) on an
 * ephemeral loopback port, as raw-http.ts's `listen` does for a bare app.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Listening } from './raw-http.js';

export async function listenServer(server: http.Server, maxSockets = 8): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    port: (server.address() as AddressInfo).port,
    agent,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
