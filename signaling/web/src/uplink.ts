// The broadcaster's direct capacity from its measured uplink
// (signaling/PROTOCOL.md §4.4, "Choosing the direct capacity"): how many
// viewers its upload carries peer to peer. Every few seconds the page
// reads getStats() of its upload peer connections; this module turns those
// reports into a capacity and decides when to report it. No DOM here:
// pages/uplink.ts samples the connections, the unit tests give reports of
// their own.

/** The fields of RTCStatsReport entries the estimate reads. */
export interface UplinkReport {
  type: string;
  id?: string;
  kind?: string;
  bytesSent?: number;
  qualityLimitationReason?: string;
  selectedCandidatePairId?: string;
  availableOutgoingBitrate?: number;
  nominated?: boolean;
  state?: string;
}

/** One upload peer connection at one moment. */
export interface Upload {
  /** The upload to the media server (one copy, whatever the audience behind it). */
  sfu: boolean;
  /** RTP bytes sent so far, every kind (outbound-rtp bytesSent). */
  bytesSent: number;
  /** The browser's send-side bandwidth estimate for the connection, bit/s (the selected candidate pair's availableOutgoingBitrate); undefined when the browser gives none. */
  available?: number;
  /** The video encoder says bandwidth holds it back (outbound-rtp qualityLimitationReason "bandwidth"). */
  bandwidthLimited: boolean;
}

/** uploadOf reads one peer connection's stats reports. */
export function uploadOf(reports: Iterable<UplinkReport>, sfu: boolean): Upload {
  const u: Upload = { sfu, bytesSent: 0, bandwidthLimited: false };
  const pairs = new Map<string, UplinkReport>();
  let selected: string | undefined;
  for (const r of reports) {
    if (r.type === "outbound-rtp") {
      u.bytesSent += r.bytesSent ?? 0;
      if (r.kind === "video" && r.qualityLimitationReason === "bandwidth") u.bandwidthLimited = true;
    } else if (r.type === "transport" && r.selectedCandidatePairId) {
      selected = r.selectedCandidatePairId;
    } else if (r.type === "candidate-pair" && r.id) {
      pairs.set(r.id, r);
    }
  }
  // The transport names its selected pair; a browser that does not says
  // which one is nominated and working.
  const pair = (selected ? pairs.get(selected) : undefined) ?? [...pairs.values()].find((p) => p.nominated && p.state === "succeeded");
  if (typeof pair?.availableOutgoingBitrate === "number") u.available = pair.availableOutgoingBitrate;
  return u;
}

/** The share of the measured uplink the direct tier may use: the rest absorbs retransmissions, audio peaks and the estimate's error. */
export const HEADROOM = 0.8;
/** Below this a connection is not sending media yet (bit/s): no per-viewer rate can be read from it. */
export const MIN_COPY_BPS = 50_000;
/** The protocol's bound on direct_capacity. */
export const MAX_CAPACITY = 1000;

/** What one sample says about the uplink. */
export interface Fit {
  /** Direct viewers the measured uplink carries besides the media server's copy. */
  capacity: number;
  /** Some upload's video is held back by bandwidth: the uplink is full, the figure is its size, not a lower bound. */
  congested: boolean;
  /** The figures behind it, bit/s. */
  uplink: number;
  perViewer: number;
}

/**
 * fit estimates the direct capacity from two samples of the same uploads
 * (by peer) `ms` apart:
 *   each upload's send rate = Δ bytesSent × 8 ÷ Δt;
 *   per viewer = the mean rate of the direct uploads (the media server's if none);
 *   uplink = max over uploads i of (available_i + Σ_{j≠i} rate_j): what
 *     connection i could send beside what the others send;
 *   capacity = ⌊(HEADROOM × uplink − the media server's copy) ÷ per viewer⌋,
 *     clamped to 0…1000, the media server's copy being its upload's rate,
 *     or one per-viewer copy before it publishes.
 * Undefined when there is nothing to measure: no upload sending media in
 * both samples, or no bandwidth estimate.
 */
export function fit(before: Map<string, Upload>, now: Map<string, Upload>, ms: number): Fit | undefined {
  if (ms <= 0) return undefined;
  const rated: (Upload & { rate: number })[] = [];
  for (const [peer, u] of now) {
    const b = before.get(peer);
    // A connection replaced under the same peer starts its count again.
    if (!b || b.sfu !== u.sfu || u.bytesSent < b.bytesSent) continue;
    rated.push({ ...u, rate: ((u.bytesSent - b.bytesSent) * 8 * 1000) / ms });
  }
  const sending = rated.filter((u) => u.rate >= MIN_COPY_BPS);
  const direct = sending.filter((u) => !u.sfu);
  const sfu = sending.find((u) => u.sfu);
  const copies = direct.length ? direct : sfu ? [sfu] : [];
  if (!copies.length) return undefined;
  const perViewer = copies.reduce((n, u) => n + u.rate, 0) / copies.length;
  const total = rated.reduce((n, u) => n + u.rate, 0);
  let uplink = -1;
  for (const u of rated) if (u.available !== undefined) uplink = Math.max(uplink, u.available + total - u.rate);
  if (uplink < 0) return undefined;
  const raw = Math.floor((HEADROOM * uplink - (sfu?.rate ?? perViewer)) / perViewer);
  return { capacity: Math.min(MAX_CAPACITY, Math.max(0, raw)), congested: rated.some((u) => u.bandwidthLimited), uplink, perViewer };
}

/** At most one report this often (ms). */
export const REPORT_EVERY_MS = 10_000;
/** A capacity lowered by congestion comes back one viewer at a time after this long without congestion (ms). */
export const RAISE_AFTER_MS = 30_000;

/** Congestion lowers the capacity only once it has lasted this long (ms): every new connection starts at a low estimate and is held back by bandwidth for its first seconds. */
export const CONGESTED_FOR_MS = 10_000;

/**
 * Reporter decides when a fit becomes a report. The browser's estimate
 * only probes somewhat above what a connection sends, so without
 * congestion it is a lower bound of the uplink: it may raise the capacity
 * (by 2 or more at once, never past `ceiling`) but never lower it. With
 * congestion lasting CONGESTED_FOR_MS the estimate is the uplink itself: a
 * fit below the capacity in force lowers it. A capacity lowered so comes
 * back by one after RAISE_AFTER_MS without congestion, up to `ceiling`.
 * Nothing is reported before the first fit, nor more often than
 * REPORT_EVERY_MS.
 */
export class Reporter {
  private lastAt = -Infinity;
  private clearSince: number | undefined;
  private congestedSince: number | undefined;

  /**
   * @param inForce the capacity in force (broadcasting's direct_capacity)
   * @param ceiling the most worth asking for: broadcasting's direct_capacity
   *   without a report, which is the server's bound
   */
  constructor(public inForce: number, readonly ceiling: number) {}

  /** decide is the capacity to report now, or undefined. */
  decide(f: Fit | undefined, now: number): number | undefined {
    if (!f) return undefined;
    if (f.congested) {
      this.clearSince = undefined;
      this.congestedSince ??= now;
    } else {
      this.congestedSince = undefined;
      this.clearSince ??= now;
    }
    if (now - this.lastAt < REPORT_EVERY_MS) return undefined;
    let want: number | undefined;
    if (f.congested) {
      if (now - this.congestedSince! >= CONGESTED_FOR_MS && f.capacity < this.inForce) want = f.capacity;
    } else if (Math.min(f.capacity, this.ceiling) >= this.inForce + 2) {
      want = Math.min(f.capacity, this.ceiling);
    } else if (this.inForce < this.ceiling && now - this.clearSince! >= RAISE_AFTER_MS) {
      want = this.inForce + 1;
    }
    if (want === undefined) return undefined;
    this.lastAt = now;
    this.clearSince = f.congested ? undefined : now;
    return want;
  }
}

/** capacityText is the broadcaster's line about the capacity in force. */
export function capacityText(inForce: number, measured: boolean, largeAudience: boolean): string {
  if (largeAudience || inForce === 0) return "Direct viewers: none, every viewer watches through the media server";
  const who = inForce === 1 ? "1 viewer" : `${inForce} viewers`;
  return `Direct viewers: up to ${who}${measured ? ", from your measured upload" : " (the server's default until your upload is measured)"}`;
}

/** directCapacityMsg is the report sent during the broadcast. */
export function directCapacityMsg(streamId: string, n: number): { type: "direct_capacity"; stream_id: string; direct_capacity: number } {
  return { type: "direct_capacity", stream_id: streamId, direct_capacity: Math.min(MAX_CAPACITY, Math.max(0, Math.floor(n))) };
}
