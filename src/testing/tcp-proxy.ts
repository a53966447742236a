/**
 * @module
 * A TCP proxy a test can cut or freeze, to play a backend outage without stopping a server others
 * share:
 *
 * - `cut()` closes every proxied connection and stops listening (new connections are refused):
 *   a server that went away, which a client notices at once;
 * - `freeze()` keeps every connection open but forwards nothing, either way, and holds new
 *   connections without reaching the backend: a hung host or a partition, which a client only
 *   notices by its own timeouts. `thaw()` forwards what was held, as a network that heals would;
 * - `restore()` listens again on the same port after a cut.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  let frozen = false;
  /** Work held back while frozen: bytes to forward, connections to open. */
  let held: (() => void)[] = [];
  const forward = (from: Socket, to: () => Socket | undefined) => {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        const dest = to();
        if (dest && !dest.destroyed) dest.write(chunk);
      };
      if (frozen) held.push(send);
      else send();
    });
  };
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        track(client);
        let upstream: Socket | undefined;
        const end = () => {
          client.destroy();
          upstream?.destroy();
        };
        client.once('error', end);
        client.once('close', end);
        forward(client, () => upstream);
        const open = () => {
          if (client.destroyed) return;
          upstream = connect(target.port, target.host);
          track(upstream);
          forward(upstream, () => client);
          upstream.once('error', end);
          upstream.once('close', end);
        };
        if (frozen) held.push(open);
        else open();
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(0);
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    cut: stop,
    restore: async () => void (await listen(port)),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      const work = held;
      held = [];
      for (const w of work) w();
    },
    close: async () => {
      held = [];
      if (server.listening) await stop();
      else for (const s of sockets) s.destroy();
    },
  };
}
