import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Where new connections go from now on (a load balancer taking a stopped instance out). */
  retarget(port: number): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort`: a load balancer for tests. `onData` may cut a
 * connection (returns true: both sides are destroyed, that data never reaches the target).
 */
export async function startTcpProxy(targetPort: number, onData?: (sentSoFar: number) => boolean): Promise<TcpProxy> {
  const state = { sent: 0, target: targetPort };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(state.target, '127.0.0.1');
    [client, upstream].forEach((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    client.on('data', (data: Buffer) => {
      state.sent += data.length;
      if (onData?.(state.sent)) {
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(data);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    retarget: (port) => {
      state.target = port;
    },
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((ok) => server.close(ok));
    },
  };
}
