/** Reading the deployment files as a user's tools would: YAML documents, .env files, vigil's own validation. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '../../../src/config/load-config';
import { loadRules } from '../../../src/rules/load-rules';

export const REPO = path.resolve(__dirname, '../../..');

export function readYamlDocs(file: string): Record<string, unknown>[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS() as Record<string, unknown>;
  });
}

/** KEY=value lines of a .env file (comments and blank lines skipped). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** What `vigil validate` checks: the config with this environment, and every rule in the folder. */
export function validateVigilConfig(
  file: string,
  env: Record<string, string>,
  rulesDir?: string,
): { problems: string[]; rules: number } {
  try {
    const loaded = loadConfig(file, env);
    const dir = rulesDir ?? path.resolve(loaded.baseDir, loaded.config.rules.dir);
    const rules = loadRules(dir, loaded.config, loaded.file);
    return { problems: rules.problems, rules: rules.all.length };
  } catch (e) {
    const problems = (e as { problems?: string[] }).problems;
    if (problems) return { problems, rules: 0 };
    throw e;
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
