/**
 * `vigil ingest` of the real auth.log into a real Elasticsearch: counts match the data's README,
 * re-ingesting duplicates nothing, and --shift-to-now puts the 24.151.103.17 burst into the last
 * 10 minutes with its gaps kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { runIngest } from '../../../src/ingest/run-ingest';

const AUTH_LOG = path.resolve(__dirname, '../../../../shared/data/elastic-examples/auth.log');
const RUN = `${process.pid}-${Date.now()}`;
const INDEX = `vigil-logs-it-ingest-auth-${RUN}`;
const SHIFTED = `vigil-logs-it-ingest-shift-${RUN}`;
const NOW = Date.parse('2026-01-15T12:00:00Z');

const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL });
jest.setTimeout(120_000);

afterAll(async () => {
  await client.indices.delete({ index: [INDEX, SHIFTED], ignore_unavailable: true });
  await client.close();
});

/** Failed-password documents the file implies, counted without the parser: lines + rsyslog repeats. */
function expectedFailedDocs(): { lines: number; docs: number } {
  let lines = 0;
  let docs = 0;
  for (const line of fs.readFileSync(AUTH_LOG, 'utf8').split('\n')) {
    if (!line.includes('Failed password')) continue;
    lines++;
    const rep = /message repeated (\d+) times/.exec(line);
    docs += rep ? Number(rep[1]) : 1;
  }
  return { lines, docs };
}

async function count(index: string, query: object): Promise<number> {
  const res = await client.count({ index, query });
  return res.count;
}

const failedPassword = [
  { term: { 'system.auth.ssh.event': 'Failed' } },
  { term: { 'system.auth.ssh.method': 'password' } },
];

describe('ingest auth.log', () => {
  it('indexes every line once; a second run finds only duplicates', async () => {
    const first = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', index: INDEX, refresh: true },
      { client, now: () => NOW },
    );
    expect(first.linesRead).toBe(7121);
    expect(first.unparsedLines).toBe(0);
    expect(first.rejected).toBe(0);
    expect(first.duplicates).toBe(0);
    expect(await count(INDEX, { match_all: {} })).toBe(first.documentsIndexed);

    const second = await runIngest(
      { paths: [AUTH_LOG], type: 'auth', index: INDEX, refresh: true },
      { client, now: () => NOW },
    );
    expect(second.documentsIndexed).toBe(0);
    expect(second.duplicates).toBe(first.documentsIndexed);
    expect(await count(INDEX, { match_all: {} })).toBe(first.documentsIndexed);
  });

  it('has the README counts: 713 Failed password lines, 157 from 24.151.103.17', async () => {
    const { lines, docs } = expectedFailedDocs();
    expect(lines).toBe(713);
    const res = await client.search({
      index: INDEX,
      size: 0,
      query: { bool: { filter: failedPassword } },
      aggs: { lines: { cardinality: { field: 'log.offset', precision_threshold: 40000 } } },
    });
    expect((res.hits.total as { value: number }).value).toBe(docs); // "message repeated N times" → N documents
    expect((res.aggregations!.lines as { value: number }).value).toBe(713);
    expect(
      await count(INDEX, {
        bool: { filter: [...failedPassword, { term: { 'source.ip': '24.151.103.17' } }] },
      }),
    ).toBe(157);
    expect(await count(INDEX, { term: { 'system.auth.ssh.event': 'Invalid' } })).toBe(178);
    expect(await count(INDEX, { term: { 'system.auth.ssh.event': 'Accepted' } })).toBe(226);
    expect(await count(INDEX, { exists: { field: 'system.auth.sudo.command' } })).toBe(186);
  });

  it('puts no event in the future and types the ECS fields', async () => {
    expect(await count(INDEX, { range: { '@timestamp': { gt: NOW } } })).toBe(0);
    const mapping = await client.indices.getFieldMapping({
      index: INDEX,
      fields: ['source.ip', 'source.port', 'user.name', 'message'],
    });
    const fields = mapping[INDEX].mappings;
    expect(Object.values(fields['source.ip'].mapping)[0]).toMatchObject({ type: 'ip' });
    expect(Object.values(fields['source.port'].mapping)[0]).toMatchObject({ type: 'long' });
    expect(Object.values(fields['user.name'].mapping)[0]).toMatchObject({ type: 'keyword' });
    expect(Object.values(fields.message.mapping)[0]).toMatchObject({ type: 'text' });
  });

  it('--shift-to-now moves the burst of 24.151.103.17 into the last 10 minutes, keeping gaps', async () => {
    const summary = await runIngest(
      {
        paths: [AUTH_LOG],
        type: 'auth',
        index: SHIFTED,
        refresh: true,
        shiftToNow: 'Mar 30 16:01:35',
        timezone: 'UTC',
      },
      { client, now: () => NOW },
    );
    expect(summary.shiftMs).toBeGreaterThan(0);
    const burst = { bool: { filter: [...failedPassword, { term: { 'source.ip': '24.151.103.17' } }] } };
    const lastTen = { range: { '@timestamp': { gte: NOW - 10 * 60_000, lte: NOW } } };
    const inWindow = await count(SHIFTED, { bool: { filter: [burst, lastTen] } });
    expect(inWindow).toBe(147); // 15:54:xx → 16:01:35, per the file
    const res = await client.search({
      index: SHIFTED,
      size: 1,
      query: burst,
      sort: [{ '@timestamp': 'desc' }],
    });
    expect(res.hits.hits[0]._source).toMatchObject({ '@timestamp': new Date(NOW).toISOString() });
  });
});
