// Unit tests of src/ics.ts: "add to calendar" files follow RFC 5545.
import assert from "node:assert/strict";
import test from "node:test";
import { calendar, escapeText, fold, stamp } from "../../../build/web-unit/ics.js";

test("text is escaped and long lines are folded at 75 octets without splitting a character", () => {
  assert.equal(escapeText("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
  const long = "SUMMARY:" + "é".repeat(60);
  const folded = fold(long);
  for (const line of folded.split("\r\n")) assert.ok(new TextEncoder().encode(line).length <= 75, line);
  assert.equal(folded.split("\r\n").map((l, i) => (i ? l.slice(1) : l)).join(""), long);
  assert.equal(stamp(new Date("2026-12-01T13:05:00.123Z")), "20261201T130500Z");
});

test("a calendar holds one event per stream with stable UIDs, UTC times and a link back", () => {
  const ics = calendar([
    { id: "7", title: "Morning show, edited", description: "First line\nSecond", start_time: "2026-12-01T13:00:00Z", end_time: "2026-12-01T14:00:00Z" },
    { id: "8", title: "Next", description: "", start_time: "2026-12-02T13:00:00Z", end_time: "2026-12-02T14:00:00Z" },
  ], { chainId: "streamchain-devnet-1", pageURL: "http://127.0.0.1:8090/", organizer: "stream1abc", now: new Date("2026-11-30T00:00:00Z"), name: "Alice" });
  assert.ok(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  assert.ok(ics.endsWith("END:VCALENDAR\r\n"));
  assert.equal(ics.match(/BEGIN:VEVENT/g).length, 2);
  assert.match(ics, /UID:stream-7@streamchain-devnet-1\r\n/);
  assert.match(ics, /DTSTART:20261201T130000Z\r\nDTEND:20261201T140000Z\r\n/);
  assert.match(ics, /SUMMARY:Morning show\\, edited\r\n/);
  assert.match(ics, /URL:http:\/\/127.0.0.1:8090\/#\/stream\/7\r\n/);
  assert.match(ics, /X-WR-CALNAME:Alice/);
  assert.doesNotMatch(ics.replace(/\r\n/g, ""), /\n/);
});
