/**
 * Sliding windows are computed from histogram buckets of width window/8. Any span of length T
 * touches at most T/res + 1 buckets, so summing that many consecutive buckets never misses a
 * burst; it may count events up to one bucket (T/8) beyond the span.
 */
export const BUCKETS_PER_WINDOW = 8;

export function bucketWidthMs(windowMs: number): number {
  return Math.max(1000, Math.floor(windowMs / BUCKETS_PER_WINDOW / 1000) * 1000);
}

/** How many consecutive buckets cover any span of length `windowMs`. */
export function bucketsPerSpan(windowMs: number, widthMs: number): number {
  return Math.ceil(windowMs / widthMs) + 1;
}
