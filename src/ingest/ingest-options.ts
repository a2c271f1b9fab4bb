/** The options of `vigil ingest`, checked once, with one-line errors that name the flag. */
import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, UsageError } from '../errors';
import { type AccessFormat, compileAccessFormat } from './access-format';
import { checkHostName } from './host-metadata';
import type { JsonFieldMap } from './parse-json';
import { isValidZone } from './syslog-time';
import { LOG_TYPES, type LogType } from './types';

export interface IngestOptions {
  paths: string[];
  type: string;
  /** A fixed index name instead of the daily `vigil-logs-<type>-<yyyy.MM.dd>`. */
  index?: string;
  follow?: boolean;
  /** Year of the first year-less syslog line (`--year`). */
  year?: number | string;
  /** Zone of time stamps without one (IANA name or ±HH:MM); default: the local zone. */
  timezone?: string;
  /** true: shift so the input's last event lands at now; a string: that original time lands at now. */
  shiftToNow?: boolean | string;
  /** YAML/JSON file with `access.format` and `json.fields` / `json.timestamp_field`. */
  parserConfig?: string;
  /** nginx `log_format` or Apache `LogFormat` string; wins over the parser config's access.format. */
  logFormat?: string;
  /** `--host`: the server the access logs come from (host.*, and part of document ids). */
  host?: string;
  /** Follow mode: registry file (default under $XDG_STATE_HOME/vigil). */
  registry?: string;
  /** Follow mode: how often to look at the files, ms. */
  pollMs?: number;
  /** Refresh the written indices at the end (tests). */
  refresh?: boolean;
  maxLineBytes?: number;
}

export interface CheckedOptions {
  type: LogType;
  year?: number;
  timezone: string;
  accessFormat?: AccessFormat;
  jsonMap?: JsonFieldMap;
}

const IngestConfigSchema = z
  .object({
    access: z
      .object({ format: z.string().min(1) })
      .strict()
      .optional(),
    json: z
      .object({
        timestamp_field: z.string().min(1).optional(),
        fields: z
          .record(z.string(), z.string().regex(/^[\w@]+(\.[\w@]+)*$/, 'expected a dotted ECS field name'))
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export function checkIngestOptions(o: IngestOptions): CheckedOptions {
  if (!LOG_TYPES.includes(o.type as LogType)) {
    throw new UsageError(
      `--type: expected one of ${LOG_TYPES.join(', ')}, got "${String(o.type).slice(0, 40)}"`,
    );
  }
  if (!o.paths || o.paths.length === 0) throw new UsageError('give at least one file or glob to ingest');
  let year: number | undefined;
  if (o.year !== undefined) {
    year = Number(o.year);
    if (!/^\d{4}$/.test(String(o.year)) || year < 1970 || year > 2999) {
      throw new UsageError(
        `--year: expected a four-digit year such as 2024, got "${String(o.year).slice(0, 20)}"`,
      );
    }
  }
  const timezone = o.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!isValidZone(timezone)) {
    throw new UsageError(
      `--timezone: "${timezone.slice(0, 40)}" is not an IANA time zone such as Europe/Paris or UTC, nor an offset such as -02:00`,
    );
  }
  if (o.index !== undefined && !/^[a-z0-9][a-z0-9._+-]*$/.test(o.index)) {
    throw new UsageError(
      `--index: "${o.index.slice(0, 60)}" is not a valid index name (lowercase, no spaces or \\/*?"<>|,#:)`,
    );
  }
  const badHost = o.host === undefined ? undefined : checkHostName(o.host);
  if (badHost) throw new UsageError(badHost);
  const checked: CheckedOptions = { type: o.type as LogType, year, timezone };
  if (o.parserConfig) loadIngestConfig(o.parserConfig, checked);
  if (o.logFormat !== undefined) {
    try {
      checked.accessFormat = compileAccessFormat(o.logFormat);
    } catch (e) {
      throw new UsageError(`--log-format: ${(e as Error).message}`);
    }
  }
  return checked;
}

function loadIngestConfig(file: string, checked: CheckedOptions): void {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${file}: ${code ? `cannot read (${code})` : `not valid YAML: ${(e as Error).message.split('\n')[0]}`}`,
      { cause: e },
    );
  }
  const parsed = IngestConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top)'}: ${i.message}`),
    );
  }
  const cfg = parsed.data;
  if (cfg.access) {
    try {
      checked.accessFormat = compileAccessFormat(cfg.access.format);
    } catch (e) {
      throw new ConfigError(`${file}: access.format: ${(e as Error).message}`, { cause: e });
    }
  }
  if (cfg.json) checked.jsonMap = { timestampField: cfg.json.timestamp_field, fields: cfg.json.fields ?? {} };
}
