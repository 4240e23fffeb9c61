// Unit tests of src/format.ts (compiled by `npm test` into build/web-unit).
import assert from "node:assert/strict";
import test from "node:test";
import { countdown, formatStream, phase, phaseLabel, pickerValues, scheduleFromPickers, shortAddress, when } from "../../../build/web-unit/format.js";

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

test("scheduleFromPickers refuses past starts and rolls an early end to the next day", () => {
  const now = new Date(2026, 11, 1, 12, 0, 0);
  assert.deepEqual(scheduleFromPickers("2026-12-01", "11:59", "13:00", now), { error: "The start time has already passed: pick a time later than now." });
  assert.ok("error" in scheduleFromPickers("2026-12-01", "12:00", "13:00", now), "a start right now leaves no time for the block");
  const ok = scheduleFromPickers("2026-12-01", "12:05", "13:00", now);
  assert.equal(ok.start.getTime(), new Date(2026, 11, 1, 12, 5).getTime());
  assert.equal(ok.end.getTime(), new Date(2026, 11, 1, 13, 0).getTime());
  const overnight = scheduleFromPickers("2026-12-01", "23:00", "01:00", now);
  assert.equal(overnight.end.getTime(), new Date(2026, 11, 2, 1, 0).getTime());
  assert.deepEqual(scheduleFromPickers("", "12:05", "13:00", now), { error: "Pick the day of the stream." });
  assert.deepEqual(scheduleFromPickers("2026-12-01", "", "13:00", now), { error: "Pick a start time." });
  assert.deepEqual(pickerValues(new Date(2026, 0, 5, 7, 3)), { date: "2026-01-05", time: "07:03" });
});

test("addresses and amounts for display", () => {
  assert.equal(shortAddress("stream1ztze2n353qpwhrsz0vfvtdsyv57r89jhl76njd"), "stream1ztze…6njd");
  assert.equal(shortAddress("stream1short"), "stream1short");
  assert.equal(formatStream("10000000000"), "10,000 STREAM");
  assert.equal(formatStream("1500"), "0.0015 STREAM");
});
