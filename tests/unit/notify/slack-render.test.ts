import { createDigest } from '../../../src/notify/digest';
import { escapeMrkdwn, renderSlack, type SlackBlock } from '../../../src/notify/slack-render';
import { makeAlert, threeSources } from './alert-fixtures';

const textsOf = (blocks: SlackBlock[]) => JSON.stringify(blocks);

describe('renderSlack', () => {
  it('builds a header, a section with fields per finding, and a context footer', () => {
    const msg = renderSlack(createDigest('slack', threeSources()), {
      kibanaUrl: 'https://kibana.example.com',
    });
    expect(msg.text).toBe('[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a');
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: '[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a',
        emoji: false,
      },
    });
    const sections = msg.blocks.filter((b) => b.type === 'section' && b.fields);
    expect(sections).toHaveLength(3);
    const first = sections[0] as Extract<SlackBlock, { type: 'section' }>;
    expect(first.text.text).toBe('*HIGH* · *SSH brute force*\nMany failed SSH logins from one source.');
    expect(first.fields?.map((f) => f.text)).toEqual([
      '*Entity*\nsource.ip=203.0.113.5',
      '*Value*\n20 (threshold 8, off-hours)',
      '*Window*\n2024-03-10 01:50 – 03:00 EST/EDT (America/New_York)',
    ]);
    expect(msg.blocks.filter((b) => b.type === 'actions')).toHaveLength(3);
    expect(msg.blocks.at(-1)).toMatchObject({ type: 'context' });
  });

  it('escapes &, < and > so log content cannot mention @channel or forge links', () => {
    const msg = renderSlack(
      createDigest('slack', [
        makeAlert({ entity: { 'user.name': '<!channel> <https://evil.example|click> & co' } }),
      ]),
    );
    const all = textsOf(msg.blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil');
    expect(all).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co');
    expect(escapeMrkdwn('a&b<c>d')).toBe('a&amp;b&lt;c&gt;d');
  });

  it('stays within Slack limits for a large digest (50 blocks, 150-char header, 10 fields)', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      makeAlert({
        id: `a${i}`,
        entity: { 'source.ip': `10.0.0.${i}` },
        baseline: { expected: 1, ratio: 9, samples: 5 },
        title: 'T'.repeat(400),
      }),
    );
    const msg = renderSlack(createDigest('slack', many), { kibanaUrl: 'https://kibana.example.com' });
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    const header = msg.blocks[0] as Extract<SlackBlock, { type: 'header' }>;
    expect(Array.from(header.text.text).length).toBeLessThanOrEqual(150);
    for (const b of msg.blocks) {
      if (b.type === 'section') {
        expect(b.text.text.length).toBeLessThanOrEqual(3000);
        expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
      }
    }
    expect(textsOf(msg.blocks)).toContain(
      'This message shows 10 of 30 findings; see `vigil alerts --since 2024-03-10T06:50:00.000Z` for the rest (they are in the alerts index vigil-alerts-*, state.alerts_index; browse it in Kibana)',
    );
  });

  it('states the total and where the findings it leaves out are', () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      makeAlert({ id: `s${i}`, entity: { 'source.ip': `10.4.${Math.floor(i / 250)}.${i % 250}` } }),
    );
    const all = textsOf(renderSlack(createDigest('slack', many), { alertsIndex: 'sec-alerts' }).blocks);
    expect(all).toContain('450 findings from 1 rule.');
    expect(all).toContain(
      'This message shows 10 of 450 findings; see `vigil alerts --since 2024-03-10T06:50:00.000Z --limit 450` for the rest (they are in the alerts index sec-alerts-*, state.alerts_index; browse it in Kibana), and `vigil scan --dry-run --format json --from 2024-03-10T06:50:00.000Z --to 2024-03-10T07:00:00.000Z` lists them again.',
    );
  });

  it('marks a test message', () => {
    const msg = renderSlack(createDigest('slack', [makeAlert()], { test: true }));
    expect(msg.text.startsWith('[vigil][TEST]')).toBe(true);
    expect(textsOf(msg.blocks)).toContain('This is a test message from vigil');
  });
});

describe('Slack header', () => {
  it('fits 150 characters after escaping without cutting an entity', () => {
    const msg = renderSlack(
      createDigest('slack', [makeAlert({ entity: { 'user.name': '<&>'.repeat(100) } })]),
    );
    const header = msg.blocks[0] as Extract<SlackBlock, { type: 'header' }>;
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(header.text.text).toMatch(/(&lt;|&amp;|&gt;)*…$/);
  });
});
