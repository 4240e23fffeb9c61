// A stream's status, from ONE place for every badge, line and card: the
// chain's times (start, end) and what the live feed saw (on air, stopped).
import type { Stream } from "./api.ts";
import { phase, type Phase } from "./format.ts";
import { onAir, onAirSince, wasStopped } from "./live.ts";

export function streamPhase(s: Pick<Stream, "id" | "start_time" | "end_time">, now = new Date()): Phase {
  return phase(new Date(s.start_time), new Date(s.end_time), now, onAir(s.id), wasStopped(s.id));
}

/**
 * liveSince is when the stream went on air as far as this page knows: the
 * moment it saw it, else (on air before the page loaded) its scheduled
 * start if that has passed, else now.
 */
export function liveSince(s: Pick<Stream, "id" | "start_time">, now = Date.now()): number {
  const seen = onAirSince(s.id);
  if (seen !== undefined) return seen;
  return Math.min(now, new Date(s.start_time).getTime());
}
