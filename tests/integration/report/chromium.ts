/** Renders an HTML file in headless Chromium (Debian `chromium`) and measures its charts. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../../helpers/vigil-cli';

export interface RenderedChartBox {
  id: string;
  width: number;
  height: number;
  /** data marks (bars, lines, areas, points) with a non-empty box on screen */
  marks: number;
  texts: string[];
}

const CHROMIUM = process.env.CHROMIUM_BIN ?? 'chromium';
const execFileAsync = promisify(execFile);

/** After layout, each figure.chart reports its SVG's box, its visible data marks and its labels. */
const PROBE = `<script>
(() => {
  const out = [...document.querySelectorAll('figure.chart')].map((f) => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const marks = svg ? [...svg.querySelectorAll('g.role-mark > path, g.role-mark > g > path')].filter((e) => {
      const b = e.getBoundingClientRect();
      return b.width > 0 || b.height > 0;
    }).length : 0;
    const texts = svg ? [...svg.querySelectorAll('text')].map((t) => t.textContent) : [];
    return { id: f.dataset.chart, width: box.width, height: box.height, marks, texts };
  });
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Chromium only renders a finished file: it keeps the real clock under `npm run test:clock`
    // (libfaketime in its zygote processes makes it print nothing)
    const { LD_PRELOAD: _p, FAKETIME: _f, ...env } = process.env;
    const r = await execFileAsync(CHROMIUM, args, { timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT')
      throw new Error(`cannot run ${CHROMIUM}: install it (apt-get install chromium)`);
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? err.message,
    };
  }
}

function baseArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
  ];
}

/** Loads a copy of `htmlFile` with the probe appended, and returns what the probe measured. */
export async function measureCharts(htmlFile: string): Promise<RenderedChartBox[]> {
  const dir = tempDir('vigil-chromium-');
  try {
    const probed = path.join(dir, 'probed.html');
    fs.writeFileSync(probed, fs.readFileSync(htmlFile, 'utf8').replace('</body>', `${PROBE}</body>`));
    const r = await run([
      ...baseArgs(path.join(dir, 'profile')),
      '--window-size=1100,2000',
      '--dump-dom',
      `file://${probed}`,
    ]);
    const m = /<pre id="probe">([\s\S]*?)<\/pre>/.exec(r.stdout);
    if (!m)
      throw new Error(
        `chromium printed no probe result (exit ${r.code}): ${r.stderr.split('\n').slice(-3).join(' ')}`,
      );
    const json = m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&nbsp;/g, ' ')
      .replace(/&amp;/g, '&');
    return JSON.parse(json) as RenderedChartBox[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A full-page screenshot of `htmlFile` (for docs/). */
export async function screenshot(htmlFile: string, pngFile: string, height = 3000): Promise<void> {
  const dir = tempDir('vigil-chromium-');
  try {
    const r = await run([
      ...baseArgs(path.join(dir, 'profile')),
      `--window-size=1100,${height}`,
      `--screenshot=${pngFile}`,
      `file://${htmlFile}`,
    ]);
    if (!fs.existsSync(pngFile))
      throw new Error(
        `chromium wrote no screenshot (exit ${r.code}): ${r.stderr.split('\n').slice(-3).join(' ')}`,
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
