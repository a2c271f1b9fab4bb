/**
 * Malformed input never stops a run: binary garbage, a 1 MB line, invalid UTF-8 and truncated JSON
 * are counted, sampled (escaped) in the summary, and the good lines around them are indexed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { runIngest } from '../../../src/ingest/run-ingest';
import { formatSummary } from '../../../src/ingest/summary';

jest.setTimeout(120_000);

const RUN = `${process.pid}-${Date.now()}`;
const AUTH_INDEX = `vigil-logs-it-ingest-bad-auth-${RUN}`;
const JSON_INDEX = `vigil-logs-it-ingest-bad-json-${RUN}`;
const NOW = Date.parse('2026-03-01T00:00:00Z');
const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL });
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bad-'));
});

afterAll(async () => {
  await client.indices.delete({ index: [AUTH_INDEX, JSON_INDEX], ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const good = (i: number) =>
  `Feb 27 10:00:0${i} web1 sshd[1${i}]: Failed password for root from 10.9.9.${i} port 22${i} ssh2\n`;

describe('malformed input', () => {
  it('counts and reports binary, over-long and invalid UTF-8 lines, indexes the rest, and resolves', async () => {
    const garbage = Buffer.from(
      Array.from({ length: 600 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 10),
    );
    const huge = `Feb 27 10:00:09 web1 sshd[9]: ${'A'.repeat(1024 * 1024)}\n`;
    const badUtf8 = Buffer.concat([
      Buffer.from('Feb 27 10:00:08 web1 sshd[8]: Invalid user caf'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(' from 10.9.9.8\n'),
    ]);
    const file = path.join(dir, 'auth.log');
    fs.writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(good(1)),
        garbage,
        Buffer.from('\n'),
        Buffer.from(huge),
        badUtf8,
        Buffer.from('\u001b[31mnot syslog at all\n'),
        Buffer.from(good(2)),
      ]),
    );
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file)));

    const summary = await runIngest(
      {
        paths: [path.join(dir, 'auth.log*')],
        type: 'auth',
        index: AUTH_INDEX,
        refresh: true,
        timezone: 'UTC',
      },
      { client, now: () => NOW },
    );
    expect(summary.files).toBe(2); // the glob matched the plain and the gzipped copy
    expect(summary.linesRead).toBe(12);
    expect(summary.failures.binary?.count).toBe(2);
    expect(summary.failures.line_too_long?.count).toBe(2);
    expect(summary.failures.no_syslog_header?.count).toBe(2);
    expect(summary.invalidUtf8).toBe(2);
    expect(summary.unparsedLines).toBe(6);
    // 2 good + 1 invalid UTF-8 (with U+FFFD); the gzipped copy holds the same events: duplicates
    expect(summary.documentsIndexed).toBe(3);
    expect(summary.duplicates).toBe(3);
    const text = formatSummary(summary, 'table');
    expect(text).toMatch(/12 lines read, 3 documents indexed, 3 duplicates, 6 unparsed lines/);
    expect(text).not.toMatch(/\u001b/); // control characters from the log are escaped
    expect(text).toContain('\\u001b[31mnot syslog');
    const invalid = await client.count({
      index: AUTH_INDEX,
      query: { term: { 'user.name': 'caf\uFFFD(\uFFFD' } },
    });
    expect(invalid.count).toBe(1);
  });

  it('counts truncated and non-object JSON lines and indexes the valid ones with the field map', async () => {
    const file = path.join(dir, 'app.jsonl');
    const map = path.join(dir, 'map.yaml');
    fs.writeFileSync(
      map,
      'json:\n  timestamp_field: ts\n  fields:\n    client: source.ip\n    who: user.name\n    outcome: event.outcome\n',
    );
    fs.writeFileSync(
      file,
      [
        '{"ts":"2026-02-27T10:00:00Z","client":"10.0.0.1","who":"alice","outcome":"failure","extra":{"a":1}}',
        '{"ts":"2026-02-27T10:00:01Z","client":"not-an-ip","who":"bob"',
        '[1,2,3]',
        '{"ts":1772186402,"client":"10.0.0.2","who":"carol"}',
        '{"client":"10.0.0.3"}',
        '',
      ].join('\n'),
    );
    const summary = await runIngest(
      { paths: [file], type: 'json', index: JSON_INDEX, refresh: true, parserConfig: map },
      { client, now: () => NOW },
    );
    expect(summary.failures.bad_json?.count).toBe(1);
    expect(summary.failures.json_not_object?.count).toBe(1);
    expect(summary.failures.bad_timestamp?.count).toBe(1);
    expect(summary.documentsIndexed).toBe(2);
    const res = await client.search<Record<string, unknown>>({
      index: JSON_INDEX,
      sort: [{ '@timestamp': 'asc' }],
    });
    expect(res.hits.hits[0]._source).toMatchObject({
      source: { ip: '10.0.0.1' },
      user: { name: 'alice' },
      event: { outcome: 'failure' },
      json: { extra: { a: 1 } },
    });
    expect(res.hits.hits[1]._source).toMatchObject({
      '@timestamp': '2026-02-27T10:00:02.000Z',
      user: { name: 'carol' },
    });
  });
});
