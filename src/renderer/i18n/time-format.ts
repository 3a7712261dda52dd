import type { ConsoleLocale } from '../../shared/console-api';

/**
 * Times in the operator's own time zone (the system's, as Intl takes it), in their language. A
 * support agent reads "until 14:32" to a caller in the same country; the zone is named where it
 * could be misread (dates, not durations).
 */
export interface TimeFormat {
  /** "1 Dec 2026, 14:32" */
  dateTime(iso: string | number): string;
  /** "14:32" today, else the date and time. */
  clock(iso: string | number, now: number): string;
  /** "3 h 12 min", "45 s": the time between now and then, rounded to what matters at that length. */
  duration(ms: number): string;
  /** "in 3 h 12 min" / "5 min ago". */
  relative(iso: string | number, now: number): string;
}

const cache = new Map<ConsoleLocale, TimeFormat>();

export function timeFormat(locale: ConsoleLocale): TimeFormat {
  const hit = cache.get(locale);
  if (hit) return hit;
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const timeOnly = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
  const unit = (name: 'day' | 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short' });
  const units = { day: unit('day'), hour: unit('hour'), minute: unit('minute'), second: unit('second') };
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const duration = (ms: number): string => {
    const total = Math.max(0, Math.round(Math.abs(ms) / 1000));
    const d = Math.floor(total / 86_400);
    const h = Math.floor((total % 86_400) / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    // Two units at most: "1 d 3 h", "3 h 12 min", "4 min 5 s", "45 s".
    if (d) return [units.day.format(d), h ? units.hour.format(h) : ''].filter(Boolean).join(' ');
    if (h) return [units.hour.format(h), m ? units.minute.format(m) : ''].filter(Boolean).join(' ');
    if (m) return [units.minute.format(m), s && m < 10 ? units.second.format(s) : ''].filter(Boolean).join(' ');
    return units.second.format(s);
  };
  const format: TimeFormat = {
    dateTime: (value) => dateTime.format(new Date(value)),
    clock: (value, now) => {
      const date = new Date(value);
      return day.format(date) === day.format(new Date(now)) ? timeOnly.format(date) : dateTime.format(date);
    },
    duration,
    relative: (value, now) => {
      const ms = new Date(value).getTime() - now;
      const abs = Math.abs(ms);
      if (abs < 45_000) return rtf.format(Math.round(ms / 1000), 'second');
      if (abs < 45 * 60_000) return rtf.format(Math.round(ms / 60_000), 'minute');
      if (abs < 22 * 3_600_000) return rtf.format(Math.round(ms / 3_600_000), 'hour');
      return rtf.format(Math.round(ms / 86_400_000), 'day');
    },
  };
  cache.set(locale, format);
  return format;
}
