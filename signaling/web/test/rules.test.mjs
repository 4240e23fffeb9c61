// Unit tests of src/rules.ts: the form refuses what the chain refuses
// (x/streaming/types/text.go and params.go), with the chain's own limits.
import assert from "node:assert/strict";
import test from "node:test";
import { bytes, checkText, counter, durationMs, limitsOf, safeImage, schedule } from "../../../build/web-unit/rules.js";

// The chain's params query as REST answers it (the defaults).
const params = {
  max_name_length: 64, max_surname_length: 64, max_title_length: 140, max_description_length: 2000,
  max_link_length: 512, max_time_zone_length: 64, max_stream_duration: "86400s", max_schedule_ahead: "31536000s",
  min_subscription_period: "3600s", max_subscription_period: "31622400s", max_subscription_price: "1000000000000",
  max_memo_length: 140, max_block_reason_length: 140,
};

test("limits come from the params query, not from the app", () => {
  const l = limitsOf(params);
  assert.equal(l.title, 140);
  assert.equal(l.maxDurationMs, 24 * 3600_000);
  assert.equal(limitsOf({ ...params, max_title_length: "20" }).title, 20);
  assert.equal(durationMs("1.5s"), 1500);
  assert.equal(l.minPeriodMs, 3600_000);
  assert.equal(l.maxPrice, 1_000_000_000_000n);
  assert.equal(l.memo, 140);
  assert.throws(() => limitsOf({ ...params, max_subscription_price: "-1" }), /max_subscription_price/);
  assert.throws(() => limitsOf({ ...params, max_title_length: 0 }), /max_title_length/);
  assert.throws(() => limitsOf({ ...params, max_stream_duration: "forever" }), /max_stream_duration/);
});

test("text: lengths in UTF-8 bytes as the chain counts them, with a counter; nothing is cut silently", () => {
  const title = { label: "The title", max: 140, required: true };
  assert.equal(checkText("Morning show", title), "");
  assert.match(checkText("x".repeat(5000), title), /^The title is too long: 5000 of at most 140 bytes\. Shorten it by 4860\.$/);
  assert.equal(bytes("é"), 2);
  assert.match(checkText("é".repeat(71), title), /142 of at most 140/);
  assert.equal(counter("é".repeat(3), 140), "6 / 140");
});

test("text: blank, control and bidirectional characters are refused like the chain does", () => {
  const title = { label: "The title", max: 140, required: true };
  assert.equal(checkText("   ", title), "The title is empty. Fill it in.");
  assert.equal(checkText("\u200b\u2800", title), "The title is empty. Fill it in.");
  assert.match(checkText("a\u0007b", title), /control character/);
  assert.match(checkText("a\u2028b", title), /control character/);
  assert.match(checkText("a\u202eb", title), /direction/);
  const desc = { label: "The description", max: 2000, multiline: true };
  assert.equal(checkText("line 1\nline 2\twith a tab \u202e rtl", desc), "");
  assert.match(checkText("a\rb", desc), /control character/);
  assert.equal(checkText("", desc), "");
});

test("links: https:// or ipfs:// only, with a visible target", () => {
  const link = { label: "The picture link", max: 512, link: true };
  assert.equal(checkText("", link), "");
  assert.equal(checkText("https://example.org/a.png", link), "");
  assert.equal(checkText("ipfs://bafy", link), "");
  assert.match(checkText("http://example.org/a.png", link), /must start with https:\/\/ or ipfs:\/\/ \(not http:\)/);
  assert.match(checkText("javascript:alert(1)", link), /must start with https:\/\//);
  assert.match(checkText("https://", link), /space or an invisible/);
  assert.match(checkText("https://a b", link), /space or an invisible/);
  // Only https: pictures are loaded by the page.
  assert.equal(safeImage("https://example.org/a.png"), "https://example.org/a.png");
  assert.equal(safeImage("ipfs://bafy"), "");
  assert.equal(safeImage("http://example.org/a.png"), "");
  assert.equal(safeImage("javascript:alert(1)"), "");
  assert.equal(safeImage("not a url"), "");
});

test("schedule: an end at or before the start is refused, never moved to the next day; the chain's limits apply", () => {
  const l = limitsOf(params);
  const now = new Date("2026-12-01T12:00:00Z");
  const f = (day, start, endDay, end) => ({ day, start, endDay, end });
  assert.match(schedule(f("2026-12-01", "18:00", "2026-12-01", "17:00"), "UTC", now, l).error, /end must be after the start/);
  assert.match(schedule(f("2026-12-01", "18:00", "2026-12-01", "18:00"), "UTC", now, l).error, /end must be after the start/);
  const overnight = schedule(f("2026-12-01", "23:00", "2026-12-02", "01:00"), "UTC", now, l);
  assert.equal(overnight.end.toISOString(), "2026-12-02T01:00:00.000Z");
  assert.match(schedule(f("2026-12-01", "13:00", "2026-12-02", "14:00"), "UTC", now, l).error, /longer than the chain allows \(24 hours\)/);
  assert.match(schedule(f("2026-12-01", "13:00", "2026-12-02", "14:00"), "UTC", now, { ...l, maxDurationMs: 2 * 3600_000 }).error, /\(2 hours\)/);
  assert.match(schedule(f("2026-12-01", "11:59", "2026-12-01", "13:00"), "UTC", now, l).error, /already passed/);
  assert.match(schedule(f("2028-12-01", "13:00", "2028-12-01", "14:00"), "UTC", now, l).error, /too far ahead \(at most 365 days/);
  // In the profile's zone: 18:44 in Paris is 17:44 UTC.
  const paris = schedule(f("2026-12-01", "18:44", "2026-12-01", "19:44"), "Europe/Paris", now, l);
  assert.equal(paris.start.toISOString(), "2026-12-01T17:44:00.000Z");
  // Editing a stream that already started keeps its start.
  assert.equal(schedule(f("2026-12-01", "11:00", "2026-12-01", "14:00"), "UTC", now, l, { startUnchanged: true }).start.toISOString(), "2026-12-01T11:00:00.000Z");
  assert.deepEqual(schedule(f("", "12:05", "", "13:00"), "UTC", now, l), { error: "Pick the day of the stream." });
  assert.deepEqual(schedule(f("2026-12-01", "", "2026-12-01", "13:00"), "UTC", now, l), { error: "Pick a start time." });
});
