import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** Real receivers on loopback (SMTP, HTTP) for the notify integration and e2e tests. */

export interface ReceivedMail {
  raw: Buffer;
  parsed: ParsedMail;
  /** RCPT TO addresses: who the server was actually asked to deliver to */
  rcptTo: string[];
  mailFrom: string;
  secure: boolean;
  user?: string;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** how long the server takes to accept a message after its DATA (a slow mail server) */
  delayMs: number;
  close(): Promise<void>;
}

export type SmtpMode =
  | { kind: 'plain' }
  | { kind: 'starttls'; cert: SelfSigned; user: string; password: string }
  | { kind: 'reject'; code: number; message: string };

export async function startSmtp(mode: SmtpMode, port = 0): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const receiver = { delayMs: 0 };
  const options: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    size: 5 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (mode.kind === 'reject') {
          callback(Object.assign(new Error(mode.message), { responseCode: mode.code }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const accept =
          receiver.delayMs > 0 ? new Promise((r) => setTimeout(r, receiver.delayMs)) : Promise.resolve();
        accept
          .then(() => simpleParser(raw))
          .then(
            (parsed) => {
              mails.push({
                raw,
                parsed,
                rcptTo: session.envelope.rcptTo.map((r) => r.address),
                mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                secure: session.secure,
                user: typeof session.user === 'string' ? session.user : undefined,
              });
              callback();
            },
            (e) => callback(e),
          );
      });
    },
  };
  if (mode.kind === 'starttls') {
    const tlsOptions: Partial<SMTPServerOptions> = {
      key: mode.cert.key,
      cert: mode.cert.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false,
      onAuth(auth, _session, cb) {
        if (auth.username === mode.user && auth.password === mode.password) cb(null, { user: mode.user });
        else cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
    };
    Object.assign(options, tlsOptions);
  } else {
    Object.assign(options, { disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true });
  }
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return Object.assign(receiver, {
    port: address.port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface SelfSigned {
  key: Buffer;
  cert: Buffer;
  certFile: string;
  dir: string;
}

/** A self-signed certificate for 127.0.0.1 / localhost, made with openssl. */
export function makeSelfSignedCert(): SelfSigned {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-notify-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), certFile, dir };
}

export interface HttpRequestRecord {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  json: unknown;
}

export interface HttpReceiver {
  url: string;
  requests: HttpRequestRecord[];
  /** statuses to answer with, in order; the last one repeats */
  respondWith(...statuses: number[]): void;
  /** how long the server holds each request (recorded at once) before it answers: a hanging receiver */
  delayMs: number;
  close(): Promise<void>;
}

/** A real HTTP server that records every request and answers with scripted statuses. */
export async function startHttpReceiver(pathName = '/hook'): Promise<HttpReceiver> {
  const requests: HttpRequestRecord[] = [];
  let script = [200];
  const state = { delayMs: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
      requests.push({ path: req.url ?? '', headers: req.headers, raw, json });
      const status = script.length > 1 ? script.shift()! : script[0];
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status < 300 ? 'ok' : status === 400 ? 'invalid_payload' : 'server_error');
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}${pathName}`,
    requests,
    respondWith: (...statuses: number[]) => {
      script = statuses;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
