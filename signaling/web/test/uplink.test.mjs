// Unit tests of src/uplink.ts: the broadcaster's direct capacity from its
// measured uplink (PROTOCOL.md §4.4, "Choosing the direct capacity"), from
// getStats() reports in Chromium's shape to the reports sent.
import assert from "node:assert/strict";
import test from "node:test";
import {
  capacityText, CONGESTED_FOR_MS, directCapacityMsg, fit, HEADROOM, MAX_CAPACITY, RAISE_AFTER_MS, Reporter, REPORT_EVERY_MS, uploadOf,
} from "../../../build/web-unit/uplink.js";

// One direct upload's reports as Chromium gives them.
const chromium = (bytes, available, limit = "none") => [
  { type: "outbound-rtp", kind: "video", bytesSent: bytes, qualityLimitationReason: limit },
  { type: "outbound-rtp", kind: "audio", bytesSent: 1000 },
  { type: "transport", id: "T01", selectedCandidatePairId: "CP2" },
  { type: "candidate-pair", id: "CP1", nominated: true, state: "succeeded", availableOutgoingBitrate: 1 },
  { type: "candidate-pair", id: "CP2", nominated: true, state: "succeeded", availableOutgoingBitrate: available },
];

test("uploadOf reads bytes of every kind, the selected pair's estimate and a bandwidth limit", () => {
  assert.deepEqual(uploadOf(chromium(9000, 2_500_000), false), { sfu: false, bytesSent: 10_000, available: 2_500_000, bandwidthLimited: false });
  assert.equal(uploadOf(chromium(9000, 2_500_000, "bandwidth"), true).bandwidthLimited, true);
  assert.equal(uploadOf(chromium(9000, 2_500_000, "cpu"), true).bandwidthLimited, false);
  // No transport entry: the nominated, succeeded pair; no estimate at all: undefined.
  assert.equal(uploadOf([{ type: "candidate-pair", id: "a", nominated: false, state: "succeeded", availableOutgoingBitrate: 5 }, { type: "candidate-pair", id: "b", nominated: true, state: "succeeded", availableOutgoingBitrate: 7 }], false).available, 7);
  assert.equal(uploadOf([{ type: "outbound-rtp", kind: "video", bytesSent: 5 }], false).available, undefined);
});

const up = (bytesSent, available, opts = {}) => ({ sfu: false, bytesSent, available, bandwidthLimited: false, ...opts });
const MS = 2000;
// bytes sent in MS at rate bit/s
const at = (bps) => (bps * MS) / 8000;

test("fit: per viewer from the byte deltas, the uplink from the estimate beside the others, one copy kept for the media server", () => {
  // Two direct viewers at 1 Mbit/s each; the first connection could send 3 Mbit/s beside the other's 1.
  const before = new Map([["v1", up(0, undefined)], ["v2", up(0, undefined)]]);
  const now = new Map([["v1", up(at(1e6), 3e6)], ["v2", up(at(1e6), 1.5e6)]]);
  const f = fit(before, now, MS);
  assert.equal(f.perViewer, 1e6);
  assert.equal(f.uplink, 4e6); // max(3 + 1, 1.5 + 1)
  assert.equal(f.capacity, Math.floor((HEADROOM * 4e6 - 1e6) / 1e6)); // 2
  assert.equal(f.congested, false);

  // Publishing: the media server's copy is its own measured rate (simulcast may send more than a viewer's copy).
  const b2 = new Map([...before, ["sfu", up(0, undefined, { sfu: true })]]);
  const n2 = new Map([...now, ["sfu", up(at(2e6), 2e6, { sfu: true })]]);
  const f2 = fit(b2, n2, MS);
  assert.equal(f2.uplink, 6e6); // max(3+1+2, 1.5+1+2, 2+1+1)
  assert.equal(f2.capacity, Math.floor((HEADROOM * 6e6 - 2e6) / 1e6)); // 2
  assert.equal(fit(b2, new Map([...n2, ["v2", up(at(1e6), 1.5e6, { bandwidthLimited: true })]]), MS).congested, true);
});

test("fit: nothing before media flows, without an estimate, or across a replaced connection", () => {
  const none = new Map([["v1", up(0, 2e6)]]);
  assert.equal(fit(new Map(), none, MS), undefined, "a first sample has no rate");
  assert.equal(fit(none, new Map([["v1", up(at(10_000), 2e6)]]), MS), undefined, "10 kbit/s is not media yet");
  assert.equal(fit(none, new Map([["v1", up(at(1e6), undefined)]]), MS), undefined, "no bandwidth estimate");
  assert.equal(fit(new Map([["v1", up(at(5e6), 2e6)]]), new Map([["v1", up(at(1e6), 2e6)]]), MS), undefined, "the count started again");
  assert.equal(fit(none, none, 0), undefined);
  // Only the media server's upload: it gives the per-viewer rate.
  const s0 = new Map([["sfu", up(0, undefined, { sfu: true })]]);
  const f = fit(s0, new Map([["sfu", up(at(1e6), 9e6, { sfu: true })]]), MS);
  assert.equal(f.perViewer, 1e6);
  assert.equal(f.capacity, Math.floor((HEADROOM * 9e6 - 1e6) / 1e6)); // 6
  // Clamped to the protocol's range.
  assert.equal(fit(s0, new Map([["sfu", up(at(60_000), 1e12, { sfu: true })]]), MS).capacity, MAX_CAPACITY);
  assert.equal(fit(none, new Map([["v1", up(at(1e6), 1e6)]]), MS).capacity, 0);
});

const clear = (capacity) => ({ capacity, congested: false, uplink: 0, perViewer: 1 });
const congested = (capacity) => ({ capacity, congested: true, uplink: 0, perViewer: 1 });

test("Reporter: nothing before a measurement; lasting congestion lowers; a clear estimate never lowers", () => {
  const r = new Reporter(4, 4);
  assert.equal(r.decide(undefined, 0), undefined);
  assert.equal(r.decide(clear(1), 0), undefined, "a lower bound below the capacity says nothing");
  // A connection's first seconds: held back by bandwidth while the estimate ramps up.
  assert.equal(r.decide(congested(0), 100), undefined);
  assert.equal(r.decide(congested(0), 100 + CONGESTED_FOR_MS - 1), undefined);
  assert.equal(r.decide(clear(0), 100 + CONGESTED_FOR_MS), undefined, "the ramp ended");
  const t = 20_000;
  assert.equal(r.decide(congested(2), t), undefined, "congestion begins again");
  assert.equal(r.decide(congested(4), t + CONGESTED_FOR_MS), undefined, "not below the capacity in force");
  assert.equal(r.decide(congested(2), t + CONGESTED_FOR_MS + 1), 2);
  r.inForce = 2;
  assert.equal(r.decide(congested(1), t + CONGESTED_FOR_MS + REPORT_EVERY_MS), undefined, "at most one report per interval");
  assert.equal(r.decide(congested(1), t + CONGESTED_FOR_MS + 1 + REPORT_EVERY_MS), 1);
});

test("Reporter: raises by 2 or more at once up to the ceiling, or by one after a clear spell", () => {
  const r = new Reporter(1, 4);
  assert.equal(r.decide(clear(2), 0), undefined, "one more is within the hysteresis");
  assert.equal(r.decide(clear(9), 1), 4, "capped at the ceiling");
  r.inForce = 4;
  assert.equal(r.decide(clear(9), 1 + REPORT_EVERY_MS), undefined, "at the ceiling");

  const s = new Reporter(1, 4);
  let t = 0;
  assert.equal(s.decide(clear(1), t), undefined);
  t += RAISE_AFTER_MS - 1;
  assert.equal(s.decide(clear(1), t), undefined);
  assert.equal(s.decide(congested(1), t + 1), undefined, "congestion restarts the spell");
  t += 1 + RAISE_AFTER_MS;
  assert.equal(s.decide(clear(1), t - RAISE_AFTER_MS), undefined);
  assert.equal(s.decide(clear(1), t), 2, "a full clear spell: one more");
  s.inForce = 2;
  assert.equal(s.decide(clear(1), t + REPORT_EVERY_MS), undefined, "the next spell starts at the report");
  assert.equal(s.decide(clear(1), t + RAISE_AFTER_MS), 3);
});

test("the report and the line", () => {
  assert.deepEqual(directCapacityMsg("42", 3), { type: "direct_capacity", stream_id: "42", direct_capacity: 3 });
  assert.equal(directCapacityMsg("42", 5000).direct_capacity, 1000);
  assert.equal(directCapacityMsg("42", -2).direct_capacity, 0);
  assert.equal(directCapacityMsg("42", 2.7).direct_capacity, 2);
  assert.equal(capacityText(3, true, false), "Direct viewers: up to 3 viewers, from your measured upload");
  assert.equal(capacityText(1, false, false), "Direct viewers: up to 1 viewer (the server's default until your upload is measured)");
  assert.match(capacityText(0, true, false), /none, every viewer watches through the media server/);
  assert.match(capacityText(4, false, true), /none/);
});
