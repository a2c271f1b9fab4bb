/**
 * One small error tree. Every error a user can meet has a one-line message that says what is
 * wrong and what to do, a machine-readable reason, an optional cause, and an exit code.
 */
export type ErrorReason =
  | 'config'
  | 'usage'
  | 'es_unavailable'
  | 'es_auth'
  | 'es_unsupported'
  | 'query'
  | 'baseline'
  | 'index_missing'
  | 'state_privilege'
  | 'delivery';

export class VigilError extends Error {
  readonly reason: ErrorReason;
  readonly exitCode: number;
  constructor(message: string, reason: ErrorReason, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.exitCode = exitCode;
  }
}

/** Exit 2: a config file, rule file or flag is wrong. `problems` lists each one with its path. */
export class ConfigError extends VigilError {
  readonly problems: string[];
  constructor(problems: string[] | string, options?: { cause?: unknown }) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'), 'config', 2, options);
    this.problems = list;
  }
}

export class UsageError extends VigilError {
  constructor(message: string) {
    super(message, 'usage', 2);
  }
}

/** Exit 3: the cluster cannot be reached or refuses us. */
export class ElasticsearchUnavailable extends VigilError {
  constructor(message: string, options?: { cause?: unknown; reason?: ErrorReason }) {
    super(message, options?.reason ?? 'es_unavailable', 3, options);
  }
}

/** A query for one rule failed (item error, shard failure, bad mapping). Other rules still run. */
export class QueryError extends VigilError {
  readonly ruleId?: string;
  constructor(message: string, options?: { cause?: unknown; ruleId?: string; reason?: ErrorReason }) {
    super(message, options?.reason ?? 'query', 3, options);
    this.ruleId = options?.ruleId;
  }
}

/** Exit 4: an alert could not be delivered; it stays in the outbox. */
export class DeliveryError extends VigilError {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, 'delivery', 4, options);
    this.retryable = retryable;
  }
}

export const EXIT = { ok: 0, internal: 1, config: 2, elasticsearch: 3, delivery: 4, partial: 5 } as const;

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
