const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) it is at `ms` in the time zone: daily SMS limits count per such day. */
export function calendarDay(ms: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(ms));
}

/** When the next calendar day starts in the time zone (DST-safe: found by stepping, not by arithmetic). */
export function nextDayStart(ms: number, timeZone: string): number {
  const today = calendarDay(ms, timeZone);
  let t = ms;
  while (calendarDay(t, timeZone) === today) t += 3_600_000;
  let low = t - 3_600_000;
  let high = t;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (calendarDay(mid, timeZone) === today) low = mid;
    else high = mid;
  }
  return high;
}
