import { createDigest, messageIdFor } from '../../../src/notify/digest';
import { renderEmail } from '../../../src/notify/email-render';
import { makeAlert, sudoAlert, threeSources } from './alert-fixtures';

const digestOf = (alerts = threeSources(), test = false) => createDigest('email', alerts, { test });

describe('renderEmail', () => {
  it('groups every finding of the cycle into one message with a readable subject', () => {
    const mail = renderEmail(digestOf());
    expect(mail.subject).toBe('[vigil][HIGH] SSH brute force from 3 sources (off-hours) – host-a');
    for (const ip of ['203.0.113.5', '198.51.100.7', '192.0.2.44']) {
      expect(mail.html).toContain(ip);
      expect(mail.text).toContain(ip);
    }
    expect(mail.text).toContain('3 findings from 1 rule.');
  });

  it('shows value against threshold, the schedule, baseline and the window in the calendar zone', () => {
    const mail = renderEmail(
      digestOf([makeAlert({ baseline: { expected: 3, ratio: 14, sigma: 6.5, samples: 28 } })]),
    );
    expect(mail.text).toContain('Value:     42 (threshold 8, off-hours)');
    expect(mail.text).toContain(
      'Baseline:  expected about 3, 14× the usual, 6.5σ above the mean, from 28 samples',
    );
    // 06:50Z on 2024-03-10 is 01:50 EST; 07:00Z is 03:00 EDT (the DST jump happens inside the window)
    expect(mail.text).toContain('Window:    2024-03-10 01:50 – 03:00 EST/EDT (America/New_York)');
    expect(mail.text).toContain('What to do: Block the source');
    expect(mail.subject).toBe('[vigil][HIGH] SSH brute force from 203.0.113.5 (off-hours) – host-a');
  });

  it('links to Kibana Discover only when kibana_url is configured', () => {
    expect(renderEmail(digestOf()).html).not.toContain('/app/discover');
    const mail = renderEmail(digestOf(), { kibanaUrl: 'https://kibana.example.com' });
    // Handlebars escapes `=` and `'` inside the attribute; a browser decodes them back
    const href = /href="([^"]+)"/
      .exec(mail.html)?.[1]
      .replace(/&#x3D;/g, '=')
      .replace(/&#x27;/g, "'")
      .replace(/&amp;/g, '&');
    expect(href).toBe(
      "https://kibana.example.com/app/discover#/?_g=(time%3A(from%3A'2024-03-10T06%3A50%3A00.000Z'%2Cto%3A'2024-03-10T07%3A00%3A00.000Z'))&_a=(query%3A(language%3Akuery%2Cquery%3A'source.ip%3A%22203.0.113.5%22'))",
    );
    expect(mail.text).toContain('Kibana: https://kibana.example.com/app/discover#/');
  });

  it('HTML-escapes attacker-controlled values', () => {
    const mail = renderEmail(
      digestOf([
        makeAlert({
          entity: { 'user.name': '<script>alert(1)</script>' },
          samples: [
            { 'url.original': '/login?next=<script>document.cookie</script>"><img src=x onerror=alert(2)>' },
          ],
        }),
      ]),
    );
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    // the text part is not HTML: it shows the value as it was
    expect(mail.text).toContain('<script>alert(1)</script>');
  });

  it('keeps CR/LF out of the subject, so nothing can add a header', () => {
    const mail = renderEmail(
      digestOf([makeAlert({ entity: { 'user.name': 'bob\r\nBcc: evil@example.com' } })]),
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe(
      '[vigil][HIGH] SSH brute force from bob Bcc: evil@example.com (off-hours) – host-a',
    );
  });

  it('caps a 10 KB field and the subject length', () => {
    const huge = 'A'.repeat(10_240);
    const mail = renderEmail(
      digestOf([makeAlert({ entity: { 'user.name': huge }, samples: [{ 'url.original': huge }] })]),
    );
    expect(mail.subject.length).toBeLessThanOrEqual(160);
    expect(mail.html).not.toContain('A'.repeat(513));
    expect(mail.text).not.toContain('A'.repeat(513));
    expect(mail.html).toContain(`${'A'.repeat(511)}…`);
    expect(mail.html.length).toBeLessThan(20_000);
  });

  it('keeps ordinary unicode and removes right-to-left overrides', () => {
    const mail = renderEmail(
      digestOf([makeAlert({ entity: { 'user.name': 'админ 🚨 مدير evil\u202Etxt.exe' } })]),
    );
    expect(mail.subject).toContain('админ 🚨 مدير eviltxt.exe');
    expect(mail.html).toContain('админ 🚨 مدير eviltxt.exe');
    expect(mail.html + mail.text + mail.subject).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('derives a Message-ID from the sorted alert ids, stable whatever the order', () => {
    const alerts = threeSources();
    const a = renderEmail(digestOf(alerts)).messageId;
    const b = renderEmail(digestOf([...alerts].reverse())).messageId;
    expect(a).toBe(b);
    expect(a).toMatch(/^<[0-9a-f]{40}@vigil>$/);
    expect(a).toBe(messageIdFor(alerts.map((x) => x.id)));
    expect(renderEmail(digestOf(alerts.slice(1))).messageId).not.toBe(a);
  });

  it('marks a test message as a test in subject and body', () => {
    const mail = renderEmail(digestOf([makeAlert()], true));
    expect(mail.subject.startsWith('[vigil][TEST] ')).toBe(true);
    expect(mail.html).toContain('TEST MESSAGE');
    expect(mail.text).toContain('*** TEST MESSAGE');
  });

  it('names the extra rules in the subject and the most severe rule first', () => {
    const mail = renderEmail(digestOf([...threeSources(), sudoAlert({ schedule: 'business_hours' })]));
    expect(mail.subject).toBe(
      '[vigil][CRITICAL] sudo by a user not in sudoers from mallory – host-a (+3 more)',
    );
  });

  it('says how many findings there are in all and where to see the ones it leaves out', () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      makeAlert({ id: `m${i}`, entity: { 'source.ip': `10.3.${Math.floor(i / 250)}.${i % 250}` } }),
    );
    const mail = renderEmail(digestOf(many), { alertsIndex: 'sec-alerts' });
    expect(mail.text).toContain('450 findings from 1 rule.');
    const note =
      'This message shows 50 of 450 findings; see `vigil alerts --since 2024-03-10T06:50:00.000Z --limit 450` for the rest (they are in the alerts index sec-alerts-*, state.alerts_index; browse it in Kibana), and `vigil scan --dry-run --format json --from 2024-03-10T06:50:00.000Z --to 2024-03-10T07:00:00.000Z` lists them again.';
    expect(mail.text).toContain(note);
    expect(mail.html).toContain(
      'This message shows 50 of 450 findings; see &#x60;vigil alerts --since 2024-03-10T06:50:00.000Z --limit 450&#x60; for the rest',
    );
    expect(renderEmail(digestOf()).text).not.toContain('This message shows');
  });
});
