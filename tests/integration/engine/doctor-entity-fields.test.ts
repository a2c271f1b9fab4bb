/**
 * Issue 16: `vigil doctor` reports a rule whose entity (group_by) field is missing from most of the
 * latest documents it matches. Web logs without host.hostname (as vigil ingest wrote them before
 * issue 16, or Filebeat without add_host_metadata) leave data_transfer_spike blind though every
 * field is mapped; the same logs with host.hostname raise nothing.
 */
import type { Client } from '@elastic/elasticsearch';
import type { EntityCoverage } from '../../../src/collect/entity-coverage';
import { createEcsIndex, indexDocs, testClient, webRequest } from '../../helpers/ecs';
import { baseConfig, runVigil, tempDir, writeConfig } from '../../helpers/vigil-cli';

jest.setTimeout(120_000);

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const NO_HOST = `it-doctor-entity-nohost-${RUN}`;
const WITH_HOST = `it-doctor-entity-host-${RUN}`;
const T0 = Date.parse('2026-11-18T03:00:00Z');
let client: Client;

const requests = (withHost: boolean) =>
  Array.from({ length: 40 }, (_, i) => {
    const doc = webRequest(`198.51.100.${i % 5}`, T0 + i * 60_000, 200, 1000);
    if (!withHost) delete doc.host;
    return doc;
  });

beforeAll(async () => {
  client = testClient();
  await createEcsIndex(client, NO_HOST);
  await createEcsIndex(client, WITH_HOST);
  // the mapping of host.hostname exists in both: only the documents differ
  await indexDocs(client, NO_HOST, [...requests(false), webRequest('198.51.100.9', T0 - 3 * 86400_000, 200)]);
  await indexDocs(client, WITH_HOST, requests(true));
});

afterAll(async () => {
  await client.indices.delete({ index: [NO_HOST, WITH_HOST], ignore_unavailable: true });
  await client.close();
});

async function doctor(web: string, format: 'json' | 'table') {
  const config = writeConfig(
    tempDir(),
    baseConfig({ web: [web], stateIndex: `it-doctor-entity-state-${RUN}` }),
  );
  return runVigil(['doctor', '--config', config, '--format', format]);
}

describe('vigil doctor: entity fields of recent documents', () => {
  it('names the rule, pattern and field when the latest day lacks it, with the share missing', async () => {
    const res = await doctor(NO_HOST, 'json');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as {
      entity_fields: EntityCoverage[];
      entity_problems: number;
      field_problems: number;
    };
    expect(report.field_problems).toBe(0); // every field is mapped: only the documents tell
    const spike = report.entity_fields.find((e) => e.rule === 'data_transfer_spike');
    // the day before the latest document: the 40 recent requests, not the older one that has a host
    expect(spike).toEqual({
      rule: 'data_transfer_spike',
      pattern: NO_HOST,
      field: 'host.hostname',
      documents: 40,
      missing: 40,
      share_missing: 1,
      latest: new Date(T0 + 39 * 60_000).toISOString(),
      problem: true,
    });
    expect(report.entity_fields.filter((e) => e.field === 'source.ip').every((e) => !e.problem)).toBe(true);
    expect(report.entity_problems).toBe(1);

    const text = await doctor(NO_HOST, 'table');
    expect(text.stdout).toContain(
      `entity field host.hostname of data_transfer_spike is missing from 100% of the 40 documents it matches in ${NO_HOST}`,
    );
    expect(text.stdout).toMatch(/1 entity field problem\(s\)/);
  });

  it('reports no problem when the documents carry the field', async () => {
    const res = await doctor(WITH_HOST, 'json');
    const report = JSON.parse(res.stdout) as { entity_fields: EntityCoverage[]; entity_problems: number };
    expect(report.entity_problems).toBe(0);
    expect(report.entity_fields.find((e) => e.rule === 'data_transfer_spike')).toMatchObject({
      missing: 0,
      documents: 40,
    });
  });
});
