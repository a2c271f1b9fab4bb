/**
 * The audit log rotates by size (logging.max_size): a monitor writing cycle records past the limit
 * leaves several files, each near the limit, and read back in order they hold one unbroken trail
 * from the start record to the stop record.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { testClient } from '../../helpers/ecs';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, waitFor } from '../../helpers/vigil-process';
import { auditFiles, auditText, cleanupIndices, eventsOf, monitorConfig, readAudit } from './monitor-kit';

const prefix = `mon-rotate-${process.pid}-${Date.now().toString(36)}`;
const logFiles = (dir: string) =>
  auditFiles(dir).filter((f) => /vigil-audit-.*\.log(\.\d+)?(\.gz)?$/.test(f));

describe('vigil monitor: audit log rotation', () => {
  let client: Client;
  let dir: string;

  beforeAll(() => {
    client = testClient();
    dir = tempDir('vigil-mon-rotate-');
  });
  afterAll(async () => {
    await killAllVigils();
    await cleanupIndices(client, prefix);
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['plain', false],
    ['gzip', true],
  ] as const)('rotates by size into several files (%s)', async (name, zip) => {
    const logDir = path.join(dir, name, 'logs');
    const config = path.join(dir, name, 'config.yaml');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(
      config,
      monitorConfig({
        prefix: `${prefix}-${name}`,
        logDir,
        interval: '1s',
        logging: { max_size: '10k', max_files: '50', zip },
      }),
    );
    // every shipped rule: each cycle record lists them all, a few kB per cycle
    const vigil = startVigil(['monitor', '--config', config]);
    const describe = () => `files: ${logFiles(logDir).join(', ')}\nstderr:\n${vigil.stderr()}`;
    // with zip, a rotated file and its .gz exist side by side until the gzip ends: wait for two
    // finished .gz files, not for a count that the end of a gzip takes back
    const done = () => {
      const files = logFiles(logDir);
      return files.length >= 3 && (!zip || files.filter((f) => f.endsWith('.gz')).length >= 2);
    };
    await waitFor('three audit files', done, { describe, timeoutMs: 90_000 });
    vigil.signal('SIGTERM');
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });

    const files = logFiles(logDir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    if (zip) expect(files.filter((f) => f.endsWith('.gz')).length).toBeGreaterThanOrEqual(2);
    else expect(files.filter((f) => f.endsWith('.gz'))).toEqual([]);
    for (const f of files) {
      const text = auditText(f);
      // a file ends when the next record would pass the limit: at most one record over 10 kB
      const lines = text.split('\n').filter((l) => l.trim());
      expect(Buffer.byteLength(text) - Buffer.byteLength(lines[lines.length - 1] ?? '')).toBeLessThanOrEqual(
        10 * 1024,
      );
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    }
    const records = readAudit(logDir);
    expect(records[0].event).toBe('start');
    expect(records[records.length - 1]).toMatchObject({ event: 'stop', reason: 'SIGTERM', exit: 0 });
    expect(eventsOf(records, 'cycle').length).toBe(records[records.length - 1].cycles);
  });
});
