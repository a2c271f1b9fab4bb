/**
 * A TCP proxy on a stable loopback port in front of a real server (Elasticsearch), to simulate it
 * going away and coming back without restarting it:
 *  - down(): stop listening and cut every connection (clients see refused/reset connections);
 *  - up(): listen again on the same port;
 *  - hold(): keep accepting, but forward nothing until release() (a request in flight that hangs).
 */
import net from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  hold(): void;
  release(): void;
  /** bytes a client sent while held, not yet forwarded */
  heldBytes(): number;
  close(): Promise<void>;
}

interface Pipe {
  client: net.Socket;
  upstream: net.Socket;
  queue: Buffer[];
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const pipes = new Set<Pipe>();
  let holding = false;

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(targetPort, target.hostname);
    const pipe: Pipe = { client, upstream, queue: [] };
    pipes.add(pipe);
    const end = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d: Buffer) => {
      if (holding) pipe.queue.push(d);
      else upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  };

  let server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const cutAll = () => {
    for (const p of pipes) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pipes.clear();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      cutAll();
    });

  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    port,
    down: stopListening,
    up: async () => {
      if (server.listening) return;
      server = net.createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const p of pipes) for (const d of p.queue.splice(0)) p.upstream.write(d);
    },
    heldBytes: () => [...pipes].reduce((n, p) => n + p.queue.reduce((m, d) => m + d.length, 0), 0),
    close: async () => {
      holding = false;
      await stopListening();
    },
  };
}
