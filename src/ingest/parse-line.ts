/** One entry point over the parsers: a decoded line of a given log type → documents or a failure. */
import type { AccessFormat } from './access-format';
import { parseAccessLine } from './parse-access';
import { parseAuthLine } from './parse-auth';
import type { ParseContext } from './parse-context';
import { type JsonFieldMap, parseJsonLine } from './parse-json';
import type { LogType, ParseResult } from './types';

export interface ParserOptions {
  type: LogType;
  /** nginx/apache: a configured log format instead of the built-in combined variants. */
  accessFormat?: AccessFormat;
  /** json: the field map into ECS. */
  jsonMap?: JsonFieldMap;
}

export function parseLine(text: string, opts: ParserOptions, ctx: ParseContext): ParseResult {
  switch (opts.type) {
    case 'auth':
      return parseAuthLine(text, ctx);
    case 'nginx':
    case 'apache':
      return parseAccessLine(text, opts.type, ctx, opts.accessFormat);
    case 'json':
      return parseJsonLine(text, opts.jsonMap ?? { fields: {} }, ctx);
  }
}
