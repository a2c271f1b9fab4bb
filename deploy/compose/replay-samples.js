#!/usr/bin/env node

/**
 * The compose stack's sample-logs service: copies demo/logs to a volume that Filebeat reads, with
 * every time stamp shifted so that each attack ends now (gaps kept), as `vigil ingest
 * --shift-to-now` does for the demo. Writes auth.log (syslog, UTC) and nginx-access.log.
 *   node replay-samples.js <samples dir> <out dir>
 */
const fs = require('node:fs');
const path = require('node:path');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)/;
const ACCESS = /\[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\]/;

const syslogTime = (m) =>
  Date.UTC(2026, MONTHS.indexOf(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
const accessTime = (m) =>
  Date.UTC(Number(m[3]), MONTHS.indexOf(m[2]), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
const syslogStamp = (d) =>
  `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const accessStamp = (d) =>
  `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;

/** Lines of `file` shifted so that `anchor` (default: the last time stamp) lands at `now`. */
function shift(file, re, toMs, stamp, now, anchor) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const times = lines.map((l) => {
    const m = re.exec(l);
    return m ? toMs(m) : null;
  });
  const end = anchor ?? Math.max(...times.filter((t) => t !== null));
  const out = [];
  lines.forEach((line, i) => {
    if (times[i] === null) return;
    const at = times[i] + (now - end);
    if (at <= now) out.push(line.replace(re, stamp(new Date(at))));
  });
  return out;
}

const [samples, outDir] = process.argv.slice(2);
const now = Date.now();
fs.mkdirSync(outDir, { recursive: true });
const auth = [
  // the real brute force of 24.151.103.17 ends at Mar 30 16:01:37
  ...shift(
    path.join(samples, 'auth.log'),
    SYSLOG,
    syslogTime,
    syslogStamp,
    now,
    Date.UTC(2026, 2, 30, 16, 1, 37),
  ),
  ...shift(path.join(samples, 'sudo-misuse.log'), SYSLOG, syslogTime, syslogStamp, now),
];
const web = shift(path.join(samples, 'web-dos.log'), ACCESS, accessTime, accessStamp, now);
fs.writeFileSync(path.join(outDir, 'auth.log'), `${auth.join('\n')}\n`);
fs.writeFileSync(path.join(outDir, 'nginx-access.log'), `${web.join('\n')}\n`);
process.stdout.write(
  `sample logs replayed into ${outDir}: ${auth.length} auth lines, ${web.length} nginx lines, ending ${new Date(now).toISOString()}\n`,
);
