import path from 'node:path';
import { ConfigError } from '../errors';
import { formatIssues } from './format-issues';
import { readYamlFile } from './read-yaml';
import { configSchema, type ParsedConfig } from './schema';
import { substituteEnv } from './substitute-env';

export interface LoadedConfig {
  /** the path as the user named it, used in messages */
  file: string;
  /** folder of the config file; relative paths inside it resolve from here */
  baseDir: string;
  config: ParsedConfig;
  /** secret values found in the config, for redaction */
  secrets: string[];
  sha256: string;
}

type Env = Record<string, string | undefined>;

/**
 * Loads and validates a config file. All problems are collected and thrown together as one
 * ConfigError (exit 2), each line naming the file and the path.
 */
export function loadConfig(file: string, env: Env = process.env): LoadedConfig {
  const label = path.basename(file) === file ? file : path.relative(process.cwd(), file) || file;
  const yaml = readYamlFile(file, label);
  return validateConfig(yaml.value ?? {}, label, env, {
    baseDir: path.dirname(path.resolve(file)),
    sha256: yaml.sha256,
  });
}

export function validateConfig(
  raw: unknown,
  label: string,
  env: Env,
  meta: { baseDir: string; sha256: string },
): LoadedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `${label}: expected a mapping of sections (elasticsearch, sources, calendar, ...) at the top level`,
    );
  }
  const sub = substituteEnv(raw, env, label);
  const parsed = configSchema.safeParse(sub.value, { reportInput: true });
  const problems = [...sub.problems];
  if (!parsed.success) {
    // a value left empty by a missing ${VAR} is already reported; its type error would repeat it
    const unset = new Set(sub.problems.map((p) => p.split(': ')[1]));
    problems.push(
      ...formatIssues(parsed.error.issues, label, configSchema).filter(
        (line) => !unset.has(line.split(': ')[1]),
      ),
    );
  }
  if (problems.length) throw new ConfigError(problems);
  const config = parsed.data as ParsedConfig;
  if (config.elasticsearch.api_key && config.elasticsearch.username) {
    throw new ConfigError(`${label}: elasticsearch: set either api_key or username/password, not both`);
  }
  return {
    file: label,
    baseDir: meta.baseDir,
    config,
    secrets: withEncodings(sub.secrets, config),
    sha256: meta.sha256,
  };
}

/**
 * Secrets also travel encoded: HTTP Basic (base64 of user:password) and SMTP AUTH PLAIN. Those
 * forms are masked too, wherever they might be printed.
 */
function withEncodings(secrets: string[], config: ParsedConfig): string[] {
  const pairs: [string | undefined, string | undefined][] = [
    [config.elasticsearch.username, config.elasticsearch.password],
  ];
  for (const c of Object.values(config.alerts.channels))
    if (c.type === 'email') pairs.push([c.username, c.password]);
  const out = [...secrets];
  for (const [user, pass] of pairs) {
    if (!user || !pass) continue;
    out.push(
      Buffer.from(`${user}:${pass}`).toString('base64'),
      Buffer.from(`\0${user}\0${pass}`).toString('base64'),
    );
  }
  if (config.elasticsearch.api_key) out.push(config.elasticsearch.api_key);
  return [...new Set(out)];
}
