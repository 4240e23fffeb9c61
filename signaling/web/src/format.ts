// Time and status display: pure functions, unit-tested in test/format.test.ts.

/** What a stream is for a visitor right now. */
export type Phase = "upcoming" | "open" | "live" | "ended";

/**
 * phase is THE status of a stream for every badge, line and card of the app:
 * "live" while its broadcaster is on air; "ended" from the end time on, or
 * once the broadcaster stopped after the start (`stopped`: the live feed saw
 * the stream leave the air; going on air again makes it "live" again);
 * "open" when the doors are open (the signaling server accepts joins
 * `graceMs` before the start) but nobody broadcasts yet; else "upcoming".
 */
export function phase(start: Date, end: Date, now: Date, onAir: boolean, stopped = false, graceMs = 10 * 60_000): Phase {
  if (now.getTime() >= end.getTime()) return "ended";
  if (onAir) return "live";
  if (stopped && now.getTime() >= start.getTime()) return "ended";
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
  const tz = timeZone && validTimeZone(timeZone) ? timeZone : browserZone();
  const day = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const time = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const sameDay = day.format(start) === day.format(end);
  const endText = sameDay ? time.format(end) : `${day.format(end)} ${time.format(end)}`;
  return `${day.format(start)}, ${time.format(start)}–${endText} (${tz})`;
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

/** The browser's own zone ("UTC" when Intl says "Etc/UTC" or nothing). */
export function browserZone(): string {
  const z = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return !z || z === "Etc/UTC" || z === "Etc/GMT" ? "UTC" : z;
}

/**
 * zoneChoices is the time zone list of the profile form: Intl's IANA list
 * with "UTC" first (Chromium's list lacks it, and a select without the
 * browser's zone falls on its first entry, "Africa/Abidjan") and the
 * browser's and the current zone always present.
 */
export function zoneChoices(supported: string[], ...present: (string | undefined)[]): string[] {
  const set = new Set(supported.filter((z) => z !== "UTC"));
  for (const z of present) if (z && z !== "UTC" && validTimeZone(z)) set.add(z);
  return ["UTC", ...[...set].sort()];
}

/** wall is the wall-clock reading of instant t in zone tz. */
function wall(t: Date, tz: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(t);
  const get = (k: string) => Number(parts.find((p) => p.type === k)?.value);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour") % 24, mi: get("minute"), s: get("second") };
}

/** zoneOffsetMs is how far zone tz's wall clock is ahead of UTC at instant t. */
function zoneOffsetMs(t: Date, tz: string): number {
  const w = wall(t, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t.getTime() / 1000) * 1000;
}

/**
 * zonedInstant is the instant a wall clock in zone tz shows the given
 * day and time (a time skipped by a DST change moves forward).
 */
export function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, tz: string): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let t = guess - zoneOffsetMs(new Date(guess), tz);
  t = guess - zoneOffsetMs(new Date(t), tz);
  return new Date(t);
}

/** Date and time values for the pickers ("2026-12-01", "14:05"), in zone tz. */
export function pickerValues(t: Date, tz = browserZone()): { date: string; time: string } {
  const two = (n: number) => String(n).padStart(2, "0");
  const w = wall(t, tz);
  return { date: `${w.y}-${two(w.mo)}-${two(w.d)}`, time: `${two(w.h)}:${two(w.mi)}` };
}

/** dayText writes a day the one way the app writes days: "Tue, 1 Dec 2026". */
export function dayText(t: Date, timeZone?: string, locale = "en-GB"): string {
  const tz = timeZone && validTimeZone(timeZone) ? timeZone : browserZone();
  return new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(t);
}

/** plural: "1 subscriber", "2 subscribers", "0 streams". */
export function plural(n: number | string, one: string, many = `${one}s`): string {
  const v = Number(n);
  return `${v.toLocaleString("en-US")} ${v === 1 ? one : many}`;
}

/** uptime: "0:07", "12:34", "1:02:03" since `since`. */
export function uptime(since: Date, now: Date): string {
  let s = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
