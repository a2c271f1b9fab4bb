import { DateTime } from 'luxon';
import type { Calendar } from '../config/schema';
import type { Schedule } from '../types';

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Is this instant inside business hours, read in the calendar's time zone? Holidays and days
 * outside business_days are off-hours all day. Start is inclusive, end exclusive; an end before
 * the start means hours across midnight (e.g. 22:00–06:00), which belong to the day they start on.
 */
export function isBusinessHours(instantMs: number, calendar: Calendar): boolean {
  const local = DateTime.fromMillis(instantMs, { zone: calendar.timezone });
  const minutes = local.hour * 60 + local.minute;
  const start = toMinutes(calendar.business_hours.start);
  const end = toMinutes(calendar.business_hours.end);
  if (start === end) return false;
  if (start < end) return minutes >= start && minutes < end && isBusinessDay(local, calendar);
  if (minutes >= start) return isBusinessDay(local, calendar);
  if (minutes < end) return isBusinessDay(local.minus({ days: 1 }), calendar);
  return false;
}

function isBusinessDay(local: DateTime, calendar: Calendar): boolean {
  const day = WEEKDAY_NAMES[local.weekday - 1];
  if (!calendar.business_days.includes(day)) return false;
  return !calendar.holidays.includes(local.toISODate() as string);
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function scheduleAt(instantMs: number, calendar: Calendar): Schedule {
  return isBusinessHours(instantMs, calendar) ? 'business_hours' : 'off_hours';
}

/** The threshold in force at a span's end: business-hours or off-hours. */
export function thresholdFor(
  thresholds: { business_hours: number; off_hours: number },
  spanEndMs: number,
  calendar: Calendar,
): { threshold: number; schedule: Schedule } {
  const schedule = scheduleAt(spanEndMs, calendar);
  return { threshold: thresholds[schedule], schedule };
}
