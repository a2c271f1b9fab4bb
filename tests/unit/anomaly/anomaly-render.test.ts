/**
 * An anomaly alert explains itself wherever findings show details: email (HTML and text), Slack,
 * the webhook payload, the console, JSON, and the weekly report's sections.
 */
import { findingJson, findingsTable } from '../../../src/cli/output';
import { describeAnomaly, formatShare } from '../../../src/notify/describe-anomaly';
import { createDigest } from '../../../src/notify/digest';
import { renderEmail } from '../../../src/notify/email-render';
import { renderSlack } from '../../../src/notify/slack-render';
import { buildWebhookPages } from '../../../src/notify/webhook-payload';
import { readAnomalyAlerts, readFailureTypes } from '../../../src/report/failure-summary';
import type { AnomalyContext } from '../../../src/types';
import { makeAlert } from '../notify/alert-fixtures';

const anomaly: AnomalyContext = {
  score: 0.83,
  drivers: 2,
  features: [
    { name: 'distinct_users', value: 14, below: 0.998, above: 0, contribution: 0.2 },
    { name: 'successes', value: 1, below: 0.4, above: 0.1, contribution: 0.02 },
    { name: 'failures', value: 0, below: 0, above: 0.7, contribution: 0 },
  ],
  training: {
    start: '2026-03-01T00:00:00.000Z',
    end: '2026-03-15T00:00:00.000Z',
    windows: 3421,
    sampled: false,
  },
};
const alert = makeAlert({ rule: 'anomaly_auth_source', value: 0.83, threshold: 0.75, anomaly });
const WHY =
  'score 0.83: distinct users 14, above 99.8% of training windows; successes 1, above 40% of training windows (trained on 3421 windows, 2026-03-01 – 2026-03-15)';

describe('the explanation of an anomaly score', () => {
  test('names the driving features with value and rank, then the training span', () => {
    expect(describeAnomaly(anomaly)).toBe(WHY);
  });
  test('shares never round up to 100% unless every window was below', () => {
    expect(formatShare(0.9999)).toBe('99.9%');
    expect(formatShare(1)).toBe('100%');
  });
  test('a feature lower than usual says below', () => {
    expect(describeAnomaly({ ...anomaly, drivers: 3 }, 3)).toContain(
      'failures 0, below 70% of training windows',
    );
  });
});

describe('every channel shows it', () => {
  const digest = createDigest('email', [alert], {});
  test('email, HTML and text', () => {
    const mail = renderEmail(digest);
    expect(mail.text).toContain(`Why:       ${WHY}`);
    expect(mail.html).toContain('>Why</td>');
    expect(mail.html).toContain('distinct users 14, above 99.8% of training windows');
  });
  test('Slack', () => {
    expect(JSON.stringify(renderSlack(digest).blocks)).toContain('*Why*\\nscore 0.83: distinct users 14');
  });
  test('webhook: the whole context, machine-readable', () => {
    expect(buildWebhookPages(digest)[0].alerts[0].anomaly).toEqual(anomaly);
  });
  test('console table and JSON', () => {
    expect(findingsTable([alert], process.stdout)).toContain(
      `anomaly_auth_source source.ip=203.0.113.5: ${WHY}`,
    );
    expect(JSON.parse(findingJson(alert)).anomaly).toEqual(anomaly);
  });
});

describe('the report’s error summary and anomaly section', () => {
  test('failures by action × dataset × outcome, busiest first, with the latest messages', () => {
    const hit = (message: string) => ({ _source: { message } });
    const types = readFailureTypes({
      actions: {
        buckets: [
          {
            key: 'ssh_login',
            doc_count: 7,
            datasets: {
              buckets: [
                {
                  key: 'system.auth',
                  doc_count: 7,
                  outcomes: {
                    buckets: [
                      {
                        key: 'failure',
                        doc_count: 7,
                        latest: {
                          hits: { hits: [hit('Failed password for root'), hit('Invalid user x\r\nFAKE')] },
                        },
                      },
                    ],
                  },
                },
              ],
            },
          },
          {
            key: '(none)',
            doc_count: 9,
            datasets: {
              buckets: [
                {
                  key: 'nginx.access',
                  doc_count: 9,
                  outcomes: { buckets: [{ key: 'failure', doc_count: 9 }] },
                },
              ],
            },
          },
        ],
      },
    });
    expect(types).toEqual([
      { action: '(none)', dataset: 'nginx.access', outcome: 'failure', count: 9, messages: [] },
      {
        action: 'ssh_login',
        dataset: 'system.auth',
        outcome: 'failure',
        count: 7,
        // log content: control characters stripped
        messages: ['Failed password for root', 'Invalid user x FAKE'],
      },
    ]);
  });
  test('anomaly alerts read back from the alerts index with their explanation', () => {
    const rows = readAnomalyAlerts({
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, failed: 0 },
      hits: {
        hits: [
          {
            _index: 'a',
            _id: '1',
            _source: {
              '@timestamp': '2026-03-16T03:00:00.000Z',
              rule: { id: 'anomaly_auth_source' },
              vigil: {
                entity: [{ field: 'source.ip', value: '203.0.113.5' }],
                value: 0.83,
                anomaly: { why: WHY },
              },
            },
          },
        ],
      },
    });
    expect(rows).toEqual([
      {
        at: '2026-03-16T03:00:00.000Z',
        rule: 'anomaly_auth_source',
        entity: 'source.ip=203.0.113.5',
        score: 0.83,
        why: WHY,
      },
    ]);
  });
});
