/**
 * The optional listener: /metrics for Prometheus; /livez for liveness (the process answers, so its
 * event loop runs) and /healthz for readiness (cycles succeed on schedule). A liveness probe on
 * /healthz would restart vigil during an Elasticsearch outage, which a restart does not end.
 */
import http from 'node:http';
import { ConfigError } from '../errors';
import type { Metrics } from './metrics';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export function startMetricsServer(
  metrics: Metrics,
  health: () => { ok: boolean; reason: string },
  port: number,
  host: string,
): Promise<MetricsServer> {
  const server = http.createServer(async (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    } else if (url === '/livez') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'alive' }));
    } else if (url === '/healthz') {
      const h = health();
      res
        .writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', reason: h.reason }));
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /metrics, /healthz or /livez\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const hint =
        e.code === 'EADDRINUSE'
          ? 'the port is taken: choose another with --metrics-port or metrics.port'
          : 'check --metrics-host or metrics.host (an address of this machine)';
      reject(new ConfigError(`metrics: cannot listen on ${host}:${port} (${e.code}); ${hint}`, { cause: e }));
    });
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
