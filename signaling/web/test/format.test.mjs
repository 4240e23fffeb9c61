// Unit tests of src/format.ts (compiled by `npm test` into build/web-unit).
import assert from "node:assert/strict";
import test from "node:test";
import { browserZone, countdown, dayText, formatStream, phase, phaseLabel, pickerValues, plural, shortAddress, uptime, when, zonedInstant, zoneChoices } from "../../../build/web-unit/format.js";

const at = (s) => new Date(s);

test("phase: upcoming, open inside the grace window, live only on air, ended from the end time", () => {
  const start = at("2026-12-01T12:00:00Z"), end = at("2026-12-01T13:00:00Z");
  assert.equal(phase(start, end, at("2026-12-01T11:49:59Z"), false), "upcoming");
  assert.equal(phase(start, end, at("2026-12-01T11:50:00Z"), false), "open");
  assert.equal(phase(start, end, at("2026-12-01T12:30:00Z"), false), "open");
  assert.equal(phase(start, end, at("2026-12-01T11:55:00Z"), true), "live");
  assert.equal(phase(start, end, at("2026-12-01T13:00:00Z"), true), "ended");
  assert.equal(phaseLabel("live"), "On air");
  assert.equal(phaseLabel("ended"), "Ended");
});

test("countdown rounds up to whole seconds and picks the two largest units", () => {
  const now = at("2026-12-01T12:00:00Z");
  assert.equal(countdown(at("2026-12-01T12:00:00Z"), now), "now");
  assert.equal(countdown(at("2026-12-01T11:00:00Z"), now), "now");
  assert.equal(countdown(at("2026-12-01T12:00:00.200Z"), now), "in 1 s");
  assert.equal(countdown(at("2026-12-01T12:04:09Z"), now), "in 4 min 09 s");
  assert.equal(countdown(at("2026-12-01T13:05:00Z"), now), "in 1 h 05 min");
  assert.equal(countdown(at("2026-12-03T15:00:00Z"), now), "in 2 d 3 h");
});

test("when writes the schedule in the given zone, the end day only when it differs", () => {
  assert.equal(when(at("2026-12-01T13:00:00Z"), at("2026-12-01T14:30:00Z"), "Europe/Paris"), "Tue, 1 Dec 2026, 14:00–15:30 (Europe/Paris)");
  assert.equal(when(at("2026-12-01T22:00:00Z"), at("2026-12-02T01:00:00Z"), "UTC"), "Tue, 1 Dec 2026, 22:00–Wed, 2 Dec 2026 01:00 (UTC)");
  // An unknown zone falls back to the browser's instead of throwing.
  assert.match(when(at("2026-12-01T13:00:00Z"), at("2026-12-01T14:00:00Z"), "Not/AZone"), /\(.+\)$/);
});

test("phase: a stream whose broadcaster stopped after its start is ended, not 'starting soon'; on air again is live", () => {
  const start = at("2026-12-01T12:00:00Z"), end = at("2026-12-01T13:00:00Z");
  assert.equal(phase(start, end, at("2026-12-01T12:30:00Z"), false, true), "ended");
  assert.equal(phase(start, end, at("2026-12-01T12:30:00Z"), true, true), "live");
  // A test run before the start that stops is not the end of the stream.
  assert.equal(phase(start, end, at("2026-12-01T11:55:00Z"), false, true), "open");
});

test("time zones: UTC is offered (Chromium's list lacks it), first, and the browser's and the profile's zones are always there", () => {
  const list = zoneChoices(["Africa/Abidjan", "Europe/Paris"], "UTC", "America/New_York");
  assert.equal(list[0], "UTC");
  assert.ok(list.includes("America/New_York"));
  assert.equal(list.filter((z) => z === "UTC").length, 1);
  assert.equal(zoneChoices([], undefined)[0], "UTC");
  assert.ok(browserZone());
});

test("wall-clock times in a zone: what the form takes is what the page shows", () => {
  // 18:44 in Paris in winter is 17:44 UTC, whatever the browser's zone.
  const t = zonedInstant(2026, 12, 1, 18, 44, "Europe/Paris");
  assert.equal(t.toISOString(), "2026-12-01T17:44:00.000Z");
  assert.deepEqual(pickerValues(t, "Europe/Paris"), { date: "2026-12-01", time: "18:44" });
  assert.match(when(t, new Date(t.getTime() + 3600_000), "Europe/Paris"), /18:44–19:44 \(Europe\/Paris\)/);
  // Summer time, a zone west of UTC, and UTC itself.
  assert.equal(zonedInstant(2026, 7, 1, 9, 0, "America/New_York").toISOString(), "2026-07-01T13:00:00.000Z");
  assert.equal(zonedInstant(2026, 3, 29, 23, 30, "UTC").toISOString(), "2026-03-29T23:30:00.000Z");
  assert.deepEqual(pickerValues(at("2026-01-05T07:03:00Z"), "UTC"), { date: "2026-01-05", time: "07:03" });
  // One day format everywhere.
  assert.equal(dayText(at("2026-12-01T13:00:00Z"), "Europe/Paris"), "Tue, 1 Dec 2026");
  assert.ok(when(at("2026-12-01T13:00:00Z"), at("2026-12-01T14:00:00Z"), "Europe/Paris").startsWith(dayText(at("2026-12-01T13:00:00Z"), "Europe/Paris")));
});

test("counts agree in number; uptime reads as a clock", () => {
  assert.equal(plural(1, "subscriber"), "1 subscriber");
  assert.equal(plural("0", "subscriber"), "0 subscribers");
  assert.equal(plural(2, "subscription"), "2 subscriptions");
  assert.equal(plural(1200, "stream"), "1,200 streams");
  const t0 = at("2026-12-01T12:00:00Z");
  assert.equal(uptime(t0, at("2026-12-01T12:00:07Z")), "0:07");
  assert.equal(uptime(t0, at("2026-12-01T12:12:34Z")), "12:34");
  assert.equal(uptime(t0, at("2026-12-01T13:02:03Z")), "1:02:03");
  assert.equal(uptime(t0, at("2026-12-01T11:00:00Z")), "0:00");
});

test("addresses and amounts for display", () => {
  assert.equal(shortAddress("stream1ztze2n353qpwhrsz0vfvtdsyv57r89jhl76njd"), "stream1ztze…6njd");
  assert.equal(shortAddress("stream1short"), "stream1short");
  assert.equal(formatStream("10000000000"), "10,000 STREAM");
  assert.equal(formatStream("1500"), "0.0015 STREAM");
});
