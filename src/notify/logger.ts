/** The few logger methods notify uses; a winston Logger satisfies it. */
export interface NotifyLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export const silentLogger: NotifyLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
