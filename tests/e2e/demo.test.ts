/**
 * `npm run demo` as a newcomer runs it (node scripts/demo.js), against the test cluster
 * (ELASTICSEARCH_URL), with its output in a temporary folder.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { testClient } from '../helpers/ecs';
import { REPO, tempDir } from '../helpers/vigil-cli';

const prefix = `e2e-demo-${process.pid}`;
const execFileAsync = promisify(execFile);

/** Runs the demo to its end; a non-zero exit resolves too, with its code. */
async function runDemo(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, VIGIL_DEMO_PREFIX: prefix, NO_COLOR: '1' };
  const args = [path.join(REPO, 'scripts', 'demo.js'), '--out', out];
  try {
    const r = await execFileAsync(process.execPath, args, { cwd: REPO, env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? String(e),
    };
  }
}

/** Processes whose environment carries this demo run's prefix: the demo passes it to every child. */
function processesOfThisRun(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (environ.split('\0').includes(`VIGIL_DEMO_PREFIX=${prefix}`))
        found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runDemo>>;

  beforeAll(async () => {
    out = tempDir('vigil-demo-');
    run = await runDemo(out);
  }, 300_000);

  afterAll(async () => {
    const client = testClient();
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
    await client.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('finds the sample attacks, the brute force that succeeded among them, and prints them as a table', () => {
    expect(run.stderr).not.toMatch(/^demo:/m);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SEVERITY\s+RULE\s+ENTITY/);
    expect(run.stdout).toMatch(/ssh_bruteforce\s+source\.ip=24\.151\.103\.17\s/);
    // the real log's brute force ends in an accepted login: 147 failures in the 10 minutes before it
    expect(run.stdout).toMatch(
      /CRITICAL\s+ssh_bruteforce_success\s+source\.ip=24\.151\.103\.17\s+147 ≥ 10\s/,
    );
    expect(run.stdout).toMatch(/dos_burst\s+source\.ip=198\.51\.100\.23\s/);
    expect(run.stdout).toMatch(/sudo_misuse\s+user\.name=mallory\s/);
  });

  test('the emails are .eml files in the out folder, and the demo prints their paths', async () => {
    const mailDir = path.join(out, 'mail');
    const files = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(run.stdout).toContain(path.join(mailDir, f));
    const mails = await Promise.all(files.map((f) => simpleParser(fs.readFileSync(path.join(mailDir, f)))));
    const text = mails.map((m) => `${m.subject}\n${m.text}`).join('\n');
    for (const needle of ['24.151.103.17', '198.51.100.23', 'mallory']) expect(text).toContain(needle);
    // the successful brute force is mailed with the account it opened
    const success = mails.find((m) => (m.text ?? '').includes('SSH brute force that succeeded'));
    expect(success?.text).toContain('elastic_user_0');
    expect(mails.every((m) => m.to && JSON.stringify(m.to).includes('security-team@localhost'))).toBe(true);
    const report = mails.find((m) => /security report/.test(m.subject ?? ''));
    // five charts, and the failures by type (event.action × outcome × dataset) of the anomaly issue
    const charts = report?.attachments.filter((a) => a.contentType === 'image/png') ?? [];
    expect(charts.map((a) => a.filename)).toContain('failures-by-type.png');
    expect(charts).toHaveLength(6);
  });

  test('writes the weekly report next to the emails', () => {
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('24.151.103.17');
    expect(html.match(/<figure class="chart"/g)).toHaveLength(6);
  });

  test('leaves nothing running: no process of the run, the mail catcher closed', async () => {
    expect(processesOfThisRun()).toEqual([]);
    const port = Number(/smtp:\/\/127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portAnswers(port)).toBe(false);
  });
});
