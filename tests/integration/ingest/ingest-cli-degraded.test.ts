/**
 * Issue 16: ingest never degrades silently. Through the CLI as a user runs it: a line whose address,
 * time or status cannot be read is counted as unparsed with a sample, never indexed with a garbage
 * field, and the exit code says the run was partial (5); a clean run exits 0. `--timezone -02:00`
 * is accepted and written to event.timezone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { testClient } from '../../helpers/ecs';
import { runVigil, tempDir } from '../../helpers/vigil-cli';

jest.setTimeout(120_000);

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const BAD_INDEX = `vigil-logs-it-cli-degraded-${RUN}`;
const TZ_INDEX = `vigil-logs-it-cli-tz-${RUN}`;
let client: Client;
let dir: string;

beforeAll(() => {
  client = testClient();
  dir = tempDir('vigil-degraded-');
});

afterAll(async () => {
  await client.indices.delete({ index: [BAD_INDEX, TZ_INDEX], ignore_unavailable: true });
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ingest = (args: string[]) => runVigil(['ingest', ...args, '--format', 'json'], { cwd: dir });
const GOOD = '192.0.2.1 - - [04/Nov/2026:03:10:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0"';

describe('vigil ingest: degraded input is counted and said, never indexed with garbage', () => {
  it('a 31 February, a mangled address and a 4-digit status are unparsed lines with samples; exit 5', async () => {
    const file = path.join(dir, 'access.log');
    fs.writeFileSync(
      file,
      [
        GOOD,
        '192.0.2.2 - - [31/Feb/2026:03:10:00 +0000] "GET / HTTP/1.1" 200 512 "-" "x"',
        '999.1.1.1 - - [04/Nov/2026:03:10:01 +0000] "GET / HTTP/1.1" 200 512 "-" "x"',
        '192.0.2.3 - - [04/Nov/2026:25:10:01 +0000] "GET / HTTP/1.1" 200 512 "-" "x"',
        '',
      ].join('\n'),
    );
    const res = await ingest([file, '--type', 'apache', '--index', BAD_INDEX]);
    expect(res.code).toBe(5);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ linesRead: 4, documentsIndexed: 1, unparsedLines: 3 });
    expect(summary.failures.bad_timestamp.count).toBe(2);
    expect(summary.failures.bad_timestamp.samples[0]).toContain('31/Feb/2026');
    expect(summary.failures.bad_address.count).toBe(1);
    expect(summary.failures.bad_address.samples[0]).toContain('"999.1.1.1" is neither an IP nor a host name');

    await client.indices.refresh({ index: BAD_INDEX });
    const docs = await client.search<{ source: { address: string } }>({ index: BAD_INDEX });
    expect(docs.hits.hits.map((h) => h._source!.source.address)).toEqual(['192.0.2.1']);
  });

  it('the table summary names the reasons on stderr, and the exit code is 5 there too', async () => {
    const file = path.join(dir, 'status.log');
    const format = path.join(dir, 'format.yaml');
    fs.writeFileSync(
      format,
      'access:\n  format: \'$remote_addr [$time_local] "$request" $status $body_bytes_sent\'\n',
    );
    fs.writeFileSync(file, '192.0.2.9 [04/Nov/2026:03:10:00 +0000] "GET / HTTP/1.1" 2000 512\n');
    const res = await runVigil(
      ['ingest', file, '--type', 'nginx', '--index', BAD_INDEX, '--parser-config', format],
      {
        cwd: dir,
      },
    );
    expect(res.code).toBe(5);
    expect(res.stderr).toMatch(/1 unparsed lines/);
    expect(res.stderr).toMatch(/bad_status: 1 \(e\.g\. .*HTTP status .* is not a 3-digit code/);
  });

  it('a clean run exits 0, and --timezone -02:00 is taken and written to event.timezone', async () => {
    const file = path.join(dir, 'auth.log');
    fs.writeFileSync(
      file,
      'Feb 22 16:45:20 slave22 sshd[2738]: Failed password for root from 198.51.100.4 port 1786 ssh2\n',
    );
    const res = await ingest([
      file,
      '--type',
      'auth',
      '--index',
      TZ_INDEX,
      '--year',
      '2026',
      '--timezone',
      '-02:00',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    await client.indices.refresh({ index: TZ_INDEX });
    const doc = (
      await client.search<{ '@timestamp': string; event: { timezone: string } }>({ index: TZ_INDEX })
    ).hits.hits[0]._source!;
    expect(doc.event.timezone).toBe('-02:00');
    expect(doc['@timestamp']).toBe('2026-02-22T18:45:20.000Z');
  });
});
