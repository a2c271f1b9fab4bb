/**
 * A loopback HTTP proxy in front of a real Elasticsearch: a URL that stays the same while the
 * cluster behind it is killed and restarted, and a place to inject faults — slow answers, 503s
 * answered by the proxy itself, or an outage (connections reset, as when nothing listens).
 * Nothing is faked about Elasticsearch: every request that is let through reaches the cluster.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyFaults {
  /** delay before each request is forwarded (ms) */
  delayMs: number;
  /** answer 503 to every Nth request (counted over all requests); 0: never */
  fail503Every: number;
  /** answer 503 to the next N requests */
  fail503Next: number;
  /** only requests whose path matches are subject to delay and 503s */
  match?: RegExp;
  /** ... and, when set, only those whose body matches too (e.g. writes naming one address) */
  bodyMatch?: RegExp;
  /** reset every connection: Elasticsearch looks unreachable */
  down: boolean;
}

export interface EsProxy {
  url: string;
  faults: ProxyFaults;
  /** counters since start */
  stats: { forwarded: number; answered503: number; delayed: number; reset: number };
  /** the cluster behind the proxy (e.g. after a restart on another port) */
  setUpstream(url: string): void;
  close(): Promise<void>;
}

export async function startEsProxy(upstream: string): Promise<EsProxy> {
  let target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const stats = { forwarded: 0, answered503: 0, delayed: 0, reset: 0 };
  const faults: ProxyFaults = { delayMs: 0, fail503Every: 0, fail503Next: 0, down: false };
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks));
    });
  });
  const reset = (res: http.ServerResponse) => {
    stats.reset++;
    res.socket?.destroy();
  };
  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    if (faults.down) return reset(res);
    const subject =
      (!faults.match || faults.match.test(req.url ?? '')) &&
      (!faults.bodyMatch || faults.bodyMatch.test(body.toString('utf8')));
    const next = subject && faults.fail503Next > 0;
    if (next) faults.fail503Next--;
    if (next || (subject && faults.fail503Every > 0 && ++counter % faults.fail503Every === 0)) {
      stats.answered503++;
      res.writeHead(503, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(
        JSON.stringify({
          error: { type: 'proxy_unavailable', reason: 'injected by the reliability proxy' },
          status: 503,
        }),
      );
      return;
    }
    if (subject && faults.delayMs > 0) {
      stats.delayed++;
      await new Promise((r) => setTimeout(r, faults.delayMs));
      if (res.socket?.destroyed) return;
    }
    const headers = { ...req.headers, host: target.host };
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => reset(res));
    stats.forwarded++;
    up.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    stats,
    setUpstream(url) {
      target = new URL(url);
      agent.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
