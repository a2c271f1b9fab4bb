/**
 * A recovered alert as each channel shows it (issue 13, defect 11): the value is below the
 * threshold (`0 < 8`, never `0 ≥ 8`), and the message says since when the episode was firing.
 */
import { createConsoleLog } from '../../../src/cli/console-log';
import { findingJson, findingsTable } from '../../../src/cli/output';
import { createDigest } from '../../../src/notify/digest';
import { renderEmail } from '../../../src/notify/email-render';
import { renderSlack, type SlackBlock } from '../../../src/notify/slack-render';
import { buildWebhookPages } from '../../../src/notify/webhook-payload';
import { alertDocument } from '../../../src/state/alerts-index';
import { captureStream } from '../../helpers/capture-stream';
import { makeAlert, recoveredAlert } from './alert-fixtures';

const SINCE_LOCAL = '2024-03-08 02:00 EST';

describe('a recovered alert, rendered', () => {
  test('console (monitor): value below threshold and firing since, on one line', () => {
    const { lines, stream } = captureStream();
    createConsoleLog('info', [], stream).alert(recoveredAlert());
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\d{2}:\\d{2}:\\d{2} HIGH recovered ssh_bruteforce source\\.ip=203\\.0\\.113\\.5 0 < 8 \\(off-hours\\), firing since ${SINCE_LOCAL}$`,
        ),
      ),
    ]);
  });

  test('console table (scan): 0 < 8 in VALUE, firing since in STATUS; a firing row keeps ≥', () => {
    const { stream } = captureStream();
    const table = findingsTable([recoveredAlert(), makeAlert()], stream).split('\n');
    const cells = (line: string) => line.split(/ {2,}/);
    expect(cells(table[1]).slice(1)).toEqual([
      'ssh_bruteforce',
      'source.ip=203.0.113.5',
      '0 < 8',
      'off-hours',
      `recovered, firing since ${SINCE_LOCAL}`,
      '2024-03-08 02:10:00–2024-03-10 01:00:00 EST',
    ]);
    expect(cells(table[2]).slice(3, 6)).toEqual(['42 ≥ 8', 'off-hours', 'new']);
  });

  test('scan --format json carries firing_since', () => {
    expect(JSON.parse(findingJson(recoveredAlert()))).toMatchObject({
      status: 'recovered',
      value: 0,
      threshold: 8,
      firing_since: '2024-03-08T07:00:00.000Z',
    });
  });

  test('email text and HTML', () => {
    const mail = renderEmail(createDigest('email', [recoveredAlert()]));
    expect(mail.text).toContain('Value:     0 < 8 (below the threshold, off-hours)');
    expect(mail.text).toContain(`Firing since: ${SINCE_LOCAL} (America/New_York)`);
    expect(mail.html).toContain('<strong>0</strong> &lt; 8 (below the threshold, off-hours)');
    expect(mail.html).toMatch(
      new RegExp(`>Firing since</td><td[^>]*>${SINCE_LOCAL} \\(America/New_York\\)</td>`),
    );
    // a firing alert is shown as before
    const firing = renderEmail(createDigest('email', [makeAlert()]));
    expect(firing.text).toContain('Value:     42 (threshold 8, off-hours)');
    expect(firing.text).not.toContain('Firing since');
  });

  test('Slack: the value field and a firing-since field (< escaped for mrkdwn)', () => {
    const msg = renderSlack(createDigest('slack', [recoveredAlert()]));
    const section = msg.blocks.find((b) => b.type === 'section' && b.fields) as Extract<
      SlackBlock,
      { type: 'section' }
    >;
    expect(section.fields?.map((f) => f.text)).toEqual([
      '*Entity*\nsource.ip=203.0.113.5',
      '*Value*\n0 &lt; 8 (below the threshold, off-hours)',
      '*Window*\n2024-03-08 02:10 – 2024-03-10 01:00 EST (America/New_York)',
      `*Firing since*\n${SINCE_LOCAL} (America/New_York)`,
    ]);
  });

  test('webhook JSON: status, value, threshold and firing_since', () => {
    const [payload] = buildWebhookPages(createDigest('hook', [recoveredAlert()]));
    expect(payload.alerts[0]).toMatchObject({
      status: 'recovered',
      value: 0,
      threshold: 8,
      firing_since: '2024-03-08T07:00:00.000Z',
    });
  });

  test('the alerts index document (Kibana): message and firing_since', () => {
    const doc = alertDocument(recoveredAlert(), Date.parse('2024-03-10T06:01:00Z'));
    expect(doc.message).toBe('Recovered: SSH brute force: source.ip=203.0.113.5 value 0 < 8');
    expect(doc.vigil).toMatchObject({ status: 'recovered', firing_since: '2024-03-08T07:00:00.000Z' });
  });
});
