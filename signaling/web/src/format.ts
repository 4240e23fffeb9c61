// Time and status display: pure functions, unit-tested in test/format.test.ts.

/** What a stream is for a visitor right now. */
export type Phase = "upcoming" | "open" | "live" | "ended";

/**
 * phase: "live" while its broadcaster is on air; "ended" from the end time
 * on; "open" when the doors are open (the signaling server accepts joins
 * `graceMs` before the start) but nobody broadcasts yet; else "upcoming".
 */
export function phase(start: Date, end: Date, now: Date, onAir: boolean, graceMs = 10 * 60_000): Phase {
  if (now.getTime() >= end.getTime()) return "ended";
  if (onAir) return "live";
  if (now.getTime() >= start.getTime() - graceMs) return "open";
  return "upcoming";
}

/** The badge text of a phase. */
export function phaseLabel(p: Phase): string {
  switch (p) {
    case "live": return "On air";
    case "open": return "Starting soon";
    case "upcoming": return "Upcoming";
    case "ended": return "Ended";
  }
}

/**
 * countdown says how long until `target`: "in 2 d 3 h", "in 1 h 05 min",
 * "in 4 min 09 s", "in 12 s"; "now" once it is reached.
 */
export function countdown(target: Date, now: Date): string {
  let s = Math.ceil((target.getTime() - now.getTime()) / 1000);
  if (s <= 0) return "now";
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `in ${d} d ${h} h`;
  if (h > 0) return `in ${h} h ${two(m)} min`;
  if (m > 0) return `in ${m} min ${two(s)} s`;
  return `in ${s} s`;
}

/** A time zone is usable when Intl knows it. */
export function validTimeZone(tz: string): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * when formats a stream's schedule in a time zone (the viewer's profile
 * zone, else the browser's): "Tue 1 Dec, 14:00–15:30 (Europe/Paris)".
 * An end on another day is written in full.
 */
export function when(start: Date, end: Date, timeZone?: string, locale = "en-GB"): string {
  const tz = timeZone && validTimeZone(timeZone) ? timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone;
  const day = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const time = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const sameDay = day.format(start) === day.format(end);
  const endText = sameDay ? time.format(end) : `${day.format(end)} ${time.format(end)}`;
  return `${day.format(start)}, ${time.format(start)}–${endText} (${tz})`;
}

/**
 * scheduleFromPickers turns the create form's date and time pickers (in the
 * browser's time zone) into a start and an end. An end time at or before
 * the start time means the next day. It refuses a start in the past (with a
 * margin for the block to be made) with a sentence.
 */
export function scheduleFromPickers(date: string, startTime: string, endTime: string, now: Date, marginMs = 30_000):
  { start: Date; end: Date } | { error: string } {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const s = /^(\d{2}):(\d{2})$/.exec(startTime);
  const e = /^(\d{2}):(\d{2})$/.exec(endTime);
  if (!d) return { error: "Pick the day of the stream." };
  if (!s) return { error: "Pick a start time." };
  if (!e) return { error: "Pick an end time." };
  const start = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(s[1]), Number(s[2]));
  const end = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(e[1]), Number(e[2]));
  if (end.getTime() <= start.getTime()) end.setDate(end.getDate() + 1);
  if (start.getTime() < now.getTime() + marginMs) return { error: "The start time has already passed: pick a time later than now." };
  return { start, end };
}

/** Shortens a stream1... address for display: stream1abcd…wxyz. */
export function shortAddress(a: string): string {
  return a.length > 20 ? `${a.slice(0, 11)}…${a.slice(-4)}` : a;
}

/** Formats an amount of ustream as STREAM with up to 6 decimals. */
export function formatStream(ustream: string | bigint): string {
  const v = BigInt(ustream);
  const whole = v / 1_000_000n;
  const frac = (v % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac ? "." + frac : ""} STREAM`;
}

/** Local date and time values for the pickers ("2026-12-01", "14:05"). */
export function pickerValues(t: Date): { date: string; time: string } {
  const two = (n: number) => String(n).padStart(2, "0");
  return { date: `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}`, time: `${two(t.getHours())}:${two(t.getMinutes())}` };
}
