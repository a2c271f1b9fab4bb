/**
 * Which entities a baseline rule keeps and evaluates when there are more than `max_entities`
 * (issue 13, defect 7), through the CLI against the real cluster, with the test rule bytes_spike
 * (bytes per host, baseline of one day, max_entities 3 or 2):
 *  - entities are chosen by the rule's metric, not by how many documents they have: a host that
 *    sends 30 GB in 3 requests is evaluated ahead of hosts with many small requests, and fires;
 *  - the stored baselines are the top max_entities by the metric, pruned every cycle, and loaded
 *    whole: the busiest host keeps its history while smaller hosts come and go, and a store larger
 *    than max_entities (max_entities lowered, or left by an older vigil) is cut to size.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEcsIndex, indexDocs, testClient, webRequest } from '../../helpers/ecs';
import { tempDir } from '../../helpers/vigil-cli';
import {
  baselineRulesDir,
  HOUR,
  iso,
  MIN,
  type StateSetup,
  scan,
  stateSetup,
  stateSetups,
  storedBaselineHours,
} from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-baseline-entities';
const KB = 1000;
const MB = 1_000_000;
const GB = 1_000_000_000;
// Wednesday 2026-11-04, replayed with --from/--to
const D = Date.parse('2026-11-04T00:00:00Z');

const states = stateSetups(PREFIX, {});
let client: Client;

beforeAll(() => {
  client = testClient();
});

afterAll(async () => {
  await states.dropAll(client);
  await client.indices.delete({ index: `${PREFIX}-*`, ignore_unavailable: true, allow_no_indices: true });
  await client.close();
});

/** A test's web index with these requests, and its state with bytes_spike at this max_entities. */
async function setUp(
  name: string,
  maxEntities: number,
  docs: Record<string, unknown>[],
): Promise<StateSetup> {
  const web = `${PREFIX}-${name}-web`;
  await createEcsIndex(client, web);
  await indexDocs(client, web, docs);
  const rulesDir = baselineRulesDir(tempDir(`vigil-${name}-`), { max_entities: maxEntities });
  return states.setup(name, { web: [web], rulesDir });
}

const requests = (host: string, atMs: number, n: number, bytes: number) =>
  Array.from({ length: n }, (_, i) => webRequest('198.51.100.7', atMs + i * 1000, 200, bytes, host));

/** The stored baselines of bytes_spike: host → number of hours. */
async function storedHours(s: StateSetup): Promise<Map<string, number>> {
  const stored = await storedBaselineHours(client, s.stateIndex, 'bytes_spike');
  return new Map([...stored].map(([key, hours]) => [JSON.parse(key)[0] as string, hours]));
}

const replay = (s: StateSetup, fromMs: number, toMs: number) =>
  scan(s.config, ['--from', iso(fromMs), '--to', iso(toMs)]);

test('a host with few requests but the most bytes is evaluated ahead of busier hosts, and fires', async () => {
  const docs: Record<string, unknown>[] = [];
  // a day of history: four chatty hosts (20 requests of 1 kB an hour), one quiet big one (1 of 5 MB)
  for (let h = D - 24 * HOUR; h < D; h += HOUR) {
    for (const host of ['chatty-1', 'chatty-2', 'chatty-3', 'chatty-4'])
      docs.push(...requests(host, h, 20, KB));
    docs.push(...requests('exfil', h + 30 * MIN, 1, 5 * MB));
  }
  // the hour evaluated: 25 small requests per chatty host (under twice its usual); exfil sends 30 GB
  // in 3 requests
  for (const host of ['chatty-1', 'chatty-2', 'chatty-3', 'chatty-4'])
    docs.push(...requests(host, D, 25, KB));
  docs.push(...requests('exfil', D + 20 * MIN, 3, 10 * GB));
  const s = await setUp('selection', 3, docs);

  const r = await replay(s, D, D + HOUR);
  expect(r.code).toBe(0);
  expect(r.alerts.map((a) => [a.entity['host.hostname'], a.status, a.value])).toEqual([
    ['exfil', 'new', 30 * GB],
  ]);
  // the 23 hours of the day before the hour evaluated (the period ends with that hour, left out)
  expect(r.alerts[0].baseline).toMatchObject({ expected: 5 * MB, samples: 23 });
  // the baselines kept: the most bytes first, ties between equal hosts broken by name
  expect([...(await storedHours(s)).keys()].sort()).toEqual(['chatty-1', 'chatty-2', 'exfil']);
});

test('the busiest host keeps its history across reloads; the stored baselines stay within max_entities', async () => {
  const docs: Record<string, unknown>[] = [];
  // busy: 10 MB an hour for 20 hours up to 01:00, silent 01:00–03:00, again at 03:00 and 04:00
  const busyHours: number[] = [];
  for (let h = D - 19 * HOUR; h < D + HOUR; h += HOUR) busyHours.push(h);
  busyHours.push(D + 3 * HOUR, D + 4 * HOUR);
  for (const h of busyHours) docs.push(...requests('busy', h + 10 * MIN, 1, 10 * MB));
  // small hosts come and go, each a little bigger than the last: small-1 at 19:00 the day before,
  // small-2 at 01:00, small-3 at 02:00, small-4 at 03:00
  docs.push(...requests('small-1', D - 5 * HOUR, 1, KB));
  docs.push(...requests('small-2', D + HOUR + 20 * MIN, 1, 2 * KB));
  docs.push(...requests('small-3', D + 2 * HOUR + 20 * MIN, 1, 3 * KB));
  docs.push(...requests('small-4', D + 3 * HOUR + 20 * MIN, 1, 4 * KB));
  const s = await setUp('history', 2, docs);

  // one scan per hour from 00:00 to 05:00: each adds the hour to the baselines and reloads them
  for (let k = 0; k < 5; k++) {
    const r = await replay(s, D + k * HOUR, D + (k + 1) * HOUR);
    expect(r.code).toBe(0);
    const stored = await storedHours(s);
    expect([k, stored.get('busy')]).toEqual([k, busyHours.filter((h) => h < D + (k + 1) * HOUR).length]);
    expect(stored.size).toBeLessThanOrEqual(2);
  }
  // the biggest small host of the period is the other one kept
  expect([...(await storedHours(s)).keys()].sort()).toEqual(['busy', 'small-4']);

  // max_entities lowered to 1 on the same state: the next cycle loads the top one, deletes the other
  const rulesDir = baselineRulesDir(tempDir('vigil-history-lowered-'), { max_entities: 1 });
  const lowered = stateSetup(s.stateIndex, { web: [`${PREFIX}-history-web`], rulesDir });
  expect((await replay(lowered, D + 5 * HOUR, D + 6 * HOUR)).code).toBe(0);
  // busy's history whole (a document is rewritten when its host has new hours; older ones are
  // dropped when it is loaded)
  expect(await storedHours(s)).toEqual(new Map([['busy', busyHours.length]]));
});
