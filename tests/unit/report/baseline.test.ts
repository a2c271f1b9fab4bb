import { reportPeriod, volumeWithBaseline } from '../../../src/report/collect-report';

const series = (counts: number[]) =>
  counts.map((count, i) => ({ day: `2026-03-${String(i + 1).padStart(2, '0')}`, count }));

describe('volumeWithBaseline: the band is mean ± 1σ of the days before, from the first event on', () => {
  test.each([
    // [daily counts, report days (1-based), expected {mean, low, high} per report day]
    ['no history yet: no band', [0, 0, 0, 5], [4], [{}]],
    ['one day of history is not enough', [0, 0, 4, 6], [4], [{}]],
    ['steady history: a flat band', [0, 10, 10, 10, 30], [5], [{ mean: 10, low: 10, high: 10 }]],
    ['varying history: mean ± σ', [2, 4, 6], [3], [{ mean: 3, low: 2, high: 4 }]],
    ['the band never goes below zero', [0, 12, 0, 0, 0, 1], [6], [{ mean: 3, low: 0, high: 8.2 }]],
  ])('%s', (_name, counts, reportDays, expected) => {
    const all = series(counts as number[]);
    const days = (reportDays as number[]).map((d) => all[d - 1].day);
    const points = volumeWithBaseline('r', all, days, 14);
    expect(
      points.map(({ mean, low, high }) =>
        Object.fromEntries(Object.entries({ mean, low, high }).filter(([, v]) => v !== undefined)),
      ),
    ).toEqual(expected);
    expect(points.map((p) => p.count)).toEqual(
      (reportDays as number[]).map((d) => (counts as number[])[d - 1]),
    );
  });

  test('only the last baselineDays days count', () => {
    const all = series([100, 100, 1, 1, 1]);
    expect(volumeWithBaseline('r', all, [all[4].day], 2)[0]).toMatchObject({ mean: 1, low: 1, high: 1 });
  });
});

describe('reportPeriod: whole calendar days in the zone, the last one being today', () => {
  test.each([
    ['UTC', '2026-03-10T09:00:00Z', 7, '2026-03-04', '2026-03-04T00:00:00.000Z'],
    // Berlin: 01:30 local on the 10th is still the 9th in UTC
    ['Europe/Berlin', '2026-03-10T00:30:00Z', 3, '2026-03-08', '2026-03-07T23:00:00.000Z'],
    // across the spring DST change (29 March 2026 in Europe)
    ['Europe/Berlin', '2026-03-30T12:00:00Z', 2, '2026-03-29', '2026-03-28T23:00:00.000Z'],
  ])('%s %s, %i days', (zone, now, days, firstDay, startIso) => {
    const p = reportPeriod(days as number, Date.parse(now as string), zone as string);
    expect(p.days).toHaveLength(days as number);
    expect(p.days[0]).toBe(firstDay);
    expect(new Date(p.startMs).toISOString()).toBe(startIso);
    expect(p.endMs).toBe(Date.parse(now as string));
  });
});
