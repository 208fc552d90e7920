import { useEffect, useState } from 'preact/hooks';

export const pad = (n) => String(n).padStart(2, '0');

export function hms(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  return pad(Math.floor(s / 3600)) + ':' + pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
}

export function hoursMinutes(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h + ' h ' + pad(m) + ' min';
}

/** Server clock minus browser clock, learnt from event timestamps, so fresh timers do not tick from -1 s. */
export const clock = { skewMs: 0 };
export const elapsed = (startedAt) => (Date.now() + clock.skewMs - Date.parse(startedAt)) / 1000;

/** Re-renders its caller every second while `on`. */
export function useTick(on = true) {
  const [, set] = useState(0);
  useEffect(() => {
    if (!on) return undefined;
    const id = setInterval(() => set((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [on]);
}

export function Ticker({ startedAt, testid }) {
  useTick(true);
  return <span class="mono" data-testid={testid}>{hms(elapsed(startedAt))}</span>;
}

export function startOfDay(d = new Date()) {
  const x = new Date(d);
  x.setHours(0, 0, 0, 0);
  return x;
}

/** Monday 00:00 local time of the week containing d. */
export function startOfWeek(d = new Date()) {
  const x = startOfDay(d);
  x.setDate(x.getDate() - ((x.getDay() + 6) % 7));
  return x;
}

export function addDays(d, n) {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
}

export const isoDate = (d) => d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
export const hhmm = (d) => pad(d.getHours()) + ':' + pad(d.getMinutes());
export const dayLabel = (d) => d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
export const timeLabel = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
export const dateTimeLabel = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Seconds of an entry that fall in [from, to), a running one counted up to now. */
export function secondsIn(entry, from, to) {
  const start = Date.parse(entry.startedAt);
  const stop = entry.stoppedAt ? Date.parse(entry.stoppedAt) : Date.now() + clock.skewMs;
  return Math.max(0, (Math.min(stop, to.getTime()) - Math.max(start, from.getTime())) / 1000);
}

export const initials = (name) => (name || '?').split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
export const mentionName = (name) => (name || '').replace(/\s+/g, '');

export function money(amount, currency) {
  return (amount == null ? '—' : amount) + (currency ? ' ' + currency : '');
}
