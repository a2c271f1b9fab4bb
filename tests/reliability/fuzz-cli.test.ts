/**
 * A sample (every 7th: 35) of the generated invalid configs and rule files through the
 * real CLI, `vigil validate`, as a user meets them: exit 2, one line per problem naming the file
 * and the path, a count at the end, never a stack trace. The 30 s limit is a hang guard, not a
 * speed assertion: a run still going after 30 s is killed and fails the case (a YAML bomb or a
 * runaway regexp runs for minutes; a busy CI machine can make a cold start take several seconds).
 * Also checks the load-time regexp check against the real cluster (_validate/query).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import { luceneRegexpProblem } from '../../src/rules/lucene-regexp';
import { CLI, tempDir } from '../helpers/vigil-cli';
import { fuzzCases } from '../unit/fuzz/config-cases';
import { REGEXP_CASES } from '../unit/fuzz/regexp-cases';

const HANG_GUARD_MS = 30_000;

function validate(config: string): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'validate', '--config', config], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, HANG_GUARD_MS);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, killed });
    });
  });
}

const sample = fuzzCases().filter((_, i) => i % 7 === 0);
let root: string;

beforeAll(() => {
  root = tempDir('vigil-rel-fuzz-');
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

it('samples about 30 cases', () => {
  expect(sample.length).toBeGreaterThanOrEqual(30);
});

describe.each(sample.map((c, i) => [c.name.slice(0, 90), c, i] as const))(
  'vigil validate: %s',
  (_n, c, i) => {
    it('exits 2 with one line per problem naming the path, no stack trace, no hang', async () => {
      const dir = path.join(root, String(i));
      fs.mkdirSync(path.join(dir, 'rules'), { recursive: true });
      // the rules folder next to the config, whatever rules.dir says
      const config = c.config.replace(/^(\s*dir: )rules$/m, `$1${path.join(dir, 'rules')}`);
      fs.writeFileSync(path.join(dir, 'config.yaml'), config);
      fs.writeFileSync(path.join(dir, 'rules', 'fuzz_rule.yaml'), c.rule);
      const res = await validate(path.join(dir, 'config.yaml'));
      expect(res.killed).toBe(false);
      expect(res.code).toBe(2);
      const lines = res.stderr.trimEnd().split('\n');
      expect(lines[lines.length - 1]).toMatch(/^\d+ problems? found$/);
      const problems = lines.slice(0, -1);
      expect(problems.length).toBeGreaterThan(0);
      const label = c.file === 'rule' ? 'fuzz_rule.yaml' : 'config.yaml';
      for (const line of problems) {
        expect(line).toMatch(/^\S*(config\.yaml|fuzz_rule\.yaml)(:\d+)?: /);
        expect(line).not.toMatch(/^\s+at /);
      }
      expect(problems.some((l) => l.includes(label))).toBe(true);
      for (const want of c.expect.filter((w) => w !== 'rule' && w !== 'config.yaml'))
        expect(problems.some((l) => l.includes(want))).toBe(true);
    });
  },
);

it('the load-time regexp check agrees with Elasticsearch on every pattern of the table', async () => {
  const client = new Client({ ...ENGINE_NEUTRAL, node: process.env.ELASTICSEARCH_URL as string });
  const index = `rel-regexp-${process.pid}-${Date.now().toString(36)}`;
  try {
    await client.indices.create({ index, mappings: { properties: { f: { type: 'keyword' } } } });
    const disagreements: string[] = [];
    for (const [pattern, expected] of REGEXP_CASES) {
      const r = await client.indices.validateQuery({ index, query: { regexp: { f: pattern } } });
      const mine = luceneRegexpProblem(pattern) === undefined;
      if (r.valid !== expected || mine !== expected)
        disagreements.push(`${pattern.slice(0, 30)}: es ${r.valid}, table ${expected}, vigil ${mine}`);
    }
    expect(disagreements).toEqual([]);
  } finally {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  }
});
