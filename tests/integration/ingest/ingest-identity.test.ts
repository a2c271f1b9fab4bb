/**
 * The identity of an event (issue 16): the same content ingested again adds nothing, whatever the
 * path, rotation, compression or ingesting machine; a run with corrected time options replaces the
 * earlier documents, also when they sit in another daily index of the pattern.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { type IngestSummary, runIngest } from '../../../src/ingest/run-ingest';
import { formatSummary } from '../../../src/ingest/summary';

const AUTH_LOG = path.resolve(__dirname, '../../../../shared/data/elastic-examples/auth.log');
const RUN = `${process.pid}-${Date.now()}`;
const INDEX = `vigil-logs-it-identity-${RUN}`;
const TZ_INDEX = `vigil-logs-it-identity-tz-${RUN}`;
const NOW = Date.parse('2026-01-15T12:00:00Z');
/** The daily indices of --type auth; only this file writes them (years 2001-2003). */
const DAILY = 'vigil-logs-auth-200*';

const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL });
jest.setTimeout(180_000);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-identity-'));
});

afterAll(async () => {
  const daily = await client.cat.indices({ index: DAILY, format: 'json', h: 'index' });
  const names = daily.map((i) => i.index as string);
  await client.indices.delete({ index: [INDEX, TZ_INDEX, ...names], ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function count(index: string, query: object = { match_all: {} }): Promise<number> {
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  return (await client.count({ index, query, ignore_unavailable: true, allow_no_indices: true })).count;
}

const replaced = (s: IngestSummary) => (s as IngestSummary & { replaced?: number }).replaced;

describe('ingest: one event, one document', () => {
  it('ingesting auth.log again as a renamed and a gzipped copy, from another machine, leaves the count unchanged', async () => {
    const first = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', index: INDEX, timezone: 'UTC', refresh: true },
      { client, now: () => NOW },
    );
    expect(first.unparsedLines).toBe(0);
    const docs = await count(INDEX);
    expect(docs).toBe(first.documentsIndexed);

    const rotated = path.join(dir, 'auth.log.1');
    const gzipped = path.join(dir, 'auth.log.2.gz');
    fs.copyFileSync(AUTH_LOG, rotated);
    fs.writeFileSync(gzipped, zlib.gzipSync(fs.readFileSync(AUTH_LOG)));
    const again = await runIngest(
      { paths: [rotated, gzipped], type: 'auth', index: INDEX, timezone: 'UTC', refresh: true },
      // another ingesting machine: vigil before issue 16 put the host name into the ids
      { client, now: () => NOW, hostname: 'another-container' } as Parameters<typeof runIngest>[1],
    );
    expect(again.documentsIndexed).toBe(0);
    expect(again.duplicates).toBe(2 * docs);
    expect(await count(INDEX)).toBe(docs);
  });

  it('a run with a corrected --year replaces the earlier documents, also in other daily indices', async () => {
    const first = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', year: 2001, timezone: 'UTC', refresh: true },
      { client, now: () => NOW },
    );
    const docs = first.documentsIndexed;
    expect(await count(DAILY)).toBe(docs);
    expect(await count('vigil-logs-auth-2001.*')).toBe(docs);

    const corrected = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', year: 2002, timezone: 'UTC', refresh: true },
      { client, now: () => NOW },
    );
    expect(corrected.documentsIndexed).toBe(docs);
    expect(replaced(corrected)).toBe(docs);
    expect(formatSummary(corrected, 'table')).toContain(`replaced ${docs} documents whose time changed`);
    expect(await count(DAILY)).toBe(docs); // no second copy under the pattern
    expect(await count('vigil-logs-auth-2001.*')).toBe(0); // nothing kept at the wrong time
    expect(await count('vigil-logs-auth-2002.*')).toBe(docs);

    const same = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', year: 2002, timezone: 'UTC', refresh: true },
      { client, now: () => NOW },
    );
    expect(same.documentsIndexed).toBe(0);
    expect(same.duplicates).toBe(docs);
    expect(replaced(same)).toBe(0);
  });

  it('with --index, a corrected --timezone replaces the earlier times instead of keeping them', async () => {
    const run = (timezone: string) =>
      runIngest(
        { paths: [AUTH_LOG], type: 'auth', index: TZ_INDEX, year: 2003, timezone, refresh: true },
        { client, now: () => NOW },
      );
    const first = await run('UTC');
    const docs = first.documentsIndexed;
    const firstLine = { term: { 'log.offset': 0 } };
    const before = await client.search<{ '@timestamp': string }>({ index: TZ_INDEX, query: firstLine });
    expect(before.hits.hits[0]._source!['@timestamp']).toBe('2003-03-27T13:06:56.000Z');

    const corrected = await run('UTC-2'); // a form vigil took before issue 16 too
    expect(replaced(corrected)).toBe(docs);
    expect(corrected.duplicates).toBe(0);
    expect(await count(TZ_INDEX)).toBe(docs);
    const after = await client.search<{ '@timestamp': string; event: { timezone: string } }>({
      index: TZ_INDEX,
      query: firstLine,
    });
    expect(after.hits.hits).toHaveLength(1);
    expect(after.hits.hits[0]._source!['@timestamp']).toBe('2003-03-27T15:06:56.000Z');
    expect(after.hits.hits[0]._source!.event.timezone).toBe('-02:00');
  });

  it('identical lines in one file are distinct events, and stay so on a second run', async () => {
    const line = 'Mar  3 10:00:00 web1 sshd[4242]: Failed password for root from 10.9.9.9 port 5555 ssh2\n';
    const file = path.join(dir, 'twice.log');
    fs.writeFileSync(file, line + line + line);
    const index = `${INDEX}-twice`;
    const opts = { paths: [file], type: 'auth', index, year: 2003, timezone: 'UTC', refresh: true };
    const first = await runIngest(opts, { client, now: () => NOW });
    expect(first.documentsIndexed).toBe(3);
    const second = await runIngest(opts, { client, now: () => NOW });
    expect(second.documentsIndexed).toBe(0);
    expect(second.duplicates).toBe(3);
    expect(await count(index)).toBe(3);
    await client.indices.delete({ index });
  });
});
