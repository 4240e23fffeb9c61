// Amounts and subscription terms as a person reads and types them: STREAM
// with at most 6 decimals (1 STREAM = 1,000,000 ustream, the chain's unit),
// periods in hours or days within the chain's bounds (params). Pure
// functions, unit-tested in test/payments.test.mjs; the chain stays the
// judge, these only save a signature.
import { formatStream } from "./format.ts";
import type { Limits } from "./rules.ts";

const MICRO = 1_000_000n;

/**
 * parseStream reads an amount typed in STREAM ("5", "0.25", "12.000001")
 * into ustream, or the sentence saying what is wrong with it.
 */
export function parseStream(text: string, label = "The amount"): { ustream: bigint } | { error: string } {
  const m = /^(\d{0,15})(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === "" && !m[2])) return { error: `${label} must be a number of STREAM, such as 5 or 0.25.` };
  if ((m[2] ?? "").length > 6) return { error: `${label} has more than 6 decimals: the smallest amount is 0.000001 STREAM.` };
  return { ustream: BigInt(m[1] || "0") * MICRO + BigInt((m[2] ?? "").padEnd(6, "0")) };
}

/** periodText: "30 days", "1 day", "12 hours", "90 minutes", "45 seconds". */
export function periodText(ms: number): string {
  const unit = (n: number, one: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : one + "s"}`;
  if (ms > 0 && ms % 86_400_000 === 0) return unit(ms / 86_400_000, "day");
  if (ms > 0 && ms % 3_600_000 === 0) return unit(ms / 3_600_000, "hour");
  if (ms > 0 && ms % 60_000 === 0) return unit(ms / 60_000, "minute");
  return unit(Math.round(ms / 1000), "second");
}

/** termsText is the price for the period, as the Subscribe button says it: "5 STREAM / 30 days". */
export function termsText(price: bigint, periodMs: number): string {
  return `${formatStream(price)} / ${periodText(periodMs)}`;
}

/** The units the terms form offers for the period. */
export const PERIOD_UNITS = { hours: 3_600_000, days: 86_400_000 } as const;
export type PeriodUnit = keyof typeof PERIOD_UNITS;

/**
 * checkTerms turns the terms form (a price in STREAM, a period as a count of
 * hours or days) into what MsgSetSubscriptionTerms carries, or the sentence
 * the chain would answer. A zero price makes subscriptions free, whatever
 * the period.
 */
export function checkTerms(f: { price: string; period: string; unit: PeriodUnit }, l: Pick<Limits, "minPeriodMs" | "maxPeriodMs" | "maxPrice">):
  { price: bigint; periodMs: number } | { error: string } {
  const p = parseStream(f.price, "The price");
  if ("error" in p) return p;
  if (p.ustream > l.maxPrice) return { error: `The price is above the highest the chain allows (${formatStream(l.maxPrice)}). Pick a lower price.` };
  if (p.ustream === 0n) return { price: 0n, periodMs: 0 };
  const n = /^\d{1,6}$/.test(f.period.trim()) ? Number(f.period.trim()) : NaN;
  const periodMs = n * PERIOD_UNITS[f.unit];
  if (!(periodMs >= l.minPeriodMs && periodMs <= l.maxPeriodMs)) {
    return { error: `The period must be between ${periodText(l.minPeriodMs)} and ${periodText(l.maxPeriodMs)}. Pick another period.` };
  }
  return { price: p.ustream, periodMs };
}

/**
 * periodFields is how the form shows a period: in days when it is a whole
 * number of days, else in hours.
 */
export function periodFields(ms: number): { period: string; unit: PeriodUnit } {
  if (ms > 0 && ms % PERIOD_UNITS.days === 0) return { period: String(ms / PERIOD_UNITS.days), unit: "days" };
  return { period: ms > 0 ? String(Math.ceil(ms / PERIOD_UNITS.hours)) : "30", unit: ms > 0 ? "hours" : "days" };
}

/** checkAmount: a tip's amount, more than zero. */
export function checkAmount(text: string): { ustream: bigint } | { error: string } {
  const p = parseStream(text);
  if ("error" in p) return p;
  if (p.ustream === 0n) return { error: "The amount must be more than zero. Enter an amount and try again." };
  return p;
}
