// The chain's rules for what a user types, checked before the wallet is
// asked: the same rules as x/streaming/types (text.go, params.go) with the
// limits read from the chain's params query, so a form refuses what the
// chain would refuse, with the same sentence, and a field shows how much
// room is left. The chain stays the judge: these only save a signature.
import { zonedInstant } from "./format.ts";

/** The module's params as the REST params query returns them. */
export interface ParamsJSON {
  max_name_length?: number | string;
  max_surname_length?: number | string;
  max_title_length?: number | string;
  max_description_length?: number | string;
  max_link_length?: number | string;
  max_time_zone_length?: number | string;
  max_stream_duration?: string;
  max_schedule_ahead?: string;
  min_subscription_period?: string;
  max_subscription_period?: string;
  max_subscription_price?: number | string;
  max_memo_length?: number | string;
  max_block_reason_length?: number | string;
}

export interface Limits {
  name: number;
  surname: number;
  title: number;
  description: number;
  link: number;
  timeZone: number;
  maxDurationMs: number;
  maxAheadMs: number;
  /** Subscription terms: the period's bounds and the highest price (ustream). */
  minPeriodMs: number;
  maxPeriodMs: number;
  maxPrice: bigint;
  /** A tip's memo and a block's reason, in bytes. */
  memo: number;
  blockReason: number;
}

/** durationMs reads a protobuf JSON Duration ("86400s", "0.5s"). */
export function durationMs(d: string | undefined): number {
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(d ?? "");
  return m ? Math.round(Number(m[1]) * 1000) : NaN;
}

/** limitsOf turns the params query's answer into Limits; a missing or broken field is an error. */
export function limitsOf(p: ParamsJSON): Limits {
  const n = (v: number | string | undefined, name: string) => {
    const x = Number(v);
    if (!Number.isSafeInteger(x) || x <= 0) throw new Error(`params: ${name} is ${JSON.stringify(v)}`);
    return x;
  };
  const d = (v: string | undefined, name: string) => {
    const x = durationMs(v);
    if (!(x > 0)) throw new Error(`params: ${name} is ${JSON.stringify(v)}`);
    return x;
  };
  return {
    name: n(p.max_name_length, "max_name_length"),
    surname: n(p.max_surname_length, "max_surname_length"),
    title: n(p.max_title_length, "max_title_length"),
    description: n(p.max_description_length, "max_description_length"),
    link: n(p.max_link_length, "max_link_length"),
    timeZone: n(p.max_time_zone_length, "max_time_zone_length"),
    maxDurationMs: d(p.max_stream_duration, "max_stream_duration"),
    maxAheadMs: d(p.max_schedule_ahead, "max_schedule_ahead"),
    minPeriodMs: d(p.min_subscription_period, "min_subscription_period"),
    maxPeriodMs: d(p.max_subscription_period, "max_subscription_period"),
    maxPrice: price(p.max_subscription_price),
    memo: n(p.max_memo_length, "max_memo_length"),
    blockReason: n(p.max_block_reason_length, "max_block_reason_length"),
  };
}

function price(v: number | string | undefined): bigint {
  if (!/^\d{1,20}$/.test(String(v ?? ""))) throw new Error(`params: max_subscription_price is ${JSON.stringify(v)}`);
  return BigInt(String(v));
}

/** bytes is a text's length as the chain counts it: UTF-8 bytes. */
export function bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

const control = /[\p{Cc}\u2028\u2029]/u;
const bidi = /[\u202A-\u202E\u2066-\u2069]/u;
const blank = /^[\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\u2800]*$/u;
const invisible = /[\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\u2800]/u;

/** What a text field must be, and its label in sentences ("The title"). */
export interface TextRule {
  label: string;
  max: number;
  required?: boolean;
  multiline?: boolean;
  link?: boolean;
}

/** checkText returns the sentence the chain's refusal would mean, or "" when the text passes. */
export function checkText(value: string, r: TextRule): string {
  const n = bytes(value);
  if (n > r.max) return `${r.label} is too long: ${n} of at most ${r.max} bytes. Shorten it by ${n - r.max}.`;
  for (const ch of value) {
    if (r.multiline && (ch === "\n" || ch === "\t")) continue;
    if (control.test(ch)) return `${r.label} holds an invisible control character the chain refuses. Remove it.`;
    if (!r.multiline && bidi.test(ch)) return `${r.label} holds a text-direction control the chain refuses. Remove it.`;
  }
  if (r.required && blank.test(value)) return `${r.label} is empty. Fill it in.`;
  if (r.link && value !== "") {
    const m = /^(https|ipfs):\/\/(.*)$/su.exec(value);
    if (!m) return `${r.label} must start with https:// or ipfs:// (not ${/^[a-z]+:/i.exec(value)?.[0] ?? "a bare address"}). Fix it or leave it empty.`;
    if (m[2] === "" || invisible.test(m[2])) return `${r.label} holds a space or an invisible character after its scheme. Fix it or leave it empty.`;
  }
  return "";
}

/** counter is a field's "12 / 140" under it: bytes used of the chain's maximum. */
export function counter(value: string, max: number): string {
  return `${bytes(value)} / ${max}`;
}

/**
 * schedule turns the stream form's pickers (day and time of the start and
 * of the end, in zone tz: the profile's zone, the one the app shows times
 * in) into a start and an end, or the sentence the chain would answer. The
 * end is never moved silently: an end at or before the start is refused.
 */
export function schedule(f: { day: string; start: string; endDay: string; end: string }, tz: string, now: Date, limits: Pick<Limits, "maxDurationMs" | "maxAheadMs">,
  opts: { marginMs?: number; startUnchanged?: boolean } = {}): { start: Date; end: Date } | { error: string } {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.day);
  const ed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.endDay);
  const s = /^(\d{2}):(\d{2})$/.exec(f.start);
  const e = /^(\d{2}):(\d{2})$/.exec(f.end);
  if (!d) return { error: "Pick the day of the stream." };
  if (!s) return { error: "Pick a start time." };
  if (!ed) return { error: "Pick the day the stream ends." };
  if (!e) return { error: "Pick an end time." };
  const start = zonedInstant(+d[1], +d[2], +d[3], +s[1], +s[2], tz);
  const end = zonedInstant(+ed[1], +ed[2], +ed[3], +e[1], +e[2], tz);
  if (end.getTime() <= start.getTime()) return { error: "The end must be after the start. For a stream past midnight, pick the next day as the end day." };
  if (end.getTime() - start.getTime() > limits.maxDurationMs) {
    return { error: `The stream is longer than the chain allows (${hours(limits.maxDurationMs)}). Pick an earlier end.` };
  }
  if (!opts.startUnchanged) {
    if (start.getTime() < now.getTime() + (opts.marginMs ?? 30_000)) return { error: "The start time has already passed: pick a time later than now." };
    if (start.getTime() - now.getTime() > limits.maxAheadMs) return { error: `The stream starts too far ahead (at most ${days(limits.maxAheadMs)} from now). Pick an earlier day.` };
  }
  if (end.getTime() <= now.getTime()) return { error: "The end time has already passed: pick a later end." };
  return { start, end };
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h === 1 ? "1 hour" : `${+h.toFixed(2)} hours`;
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d === 1 ? "1 day" : `${+d.toFixed(1)} days`;
}

/** safeImage is a picture link the app loads (https: only), or "". */
export function safeImage(link: string | undefined): string {
  if (!link) return "";
  try {
    const u = new URL(link);
    return u.protocol === "https:" && u.hostname !== "" ? u.href : "";
  } catch {
    return "";
  }
}
