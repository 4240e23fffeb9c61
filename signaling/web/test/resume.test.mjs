// Unit tests of src/resume.ts: the stored resume token is single use, bound
// to its address and not sent when it is about to expire.
import assert from "node:assert/strict";
import test from "node:test";
import { MARGIN_MS, RESUME_KEY, forgetTokens, memoryTokens, storedTokens } from "../../../build/web-unit/resume.js";

function storage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), map: m };
}

const NOW = Date.parse("2026-03-01T12:00:00Z");

test("take returns the saved token once, for its address only", () => {
  const s = storage();
  const alice = storedTokens(s, "stream1alice", () => NOW);
  alice.save("t1", "2026-03-01T12:10:00Z");
  assert.deepEqual(JSON.parse(s.getItem(RESUME_KEY)), { address: "stream1alice", token: "t1", expires_at: "2026-03-01T12:10:00Z" });
  // Another tab of the same origin reads the same store.
  assert.equal(storedTokens(s, "stream1alice", () => NOW).take(), "t1");
  assert.equal(alice.take(), undefined, "spent: taken once");
  alice.save("t2", "2026-03-01T12:10:00Z");
  assert.equal(storedTokens(s, "stream1bob", () => NOW).take(), undefined, "another account's token is never used");
  assert.equal(s.getItem(RESUME_KEY), null, "and it is forgotten");
});

test("a token at or near its expiry, or unreadable, is not taken", () => {
  const s = storage();
  const at = (ms) => storedTokens(s, "stream1alice", () => ms);
  at(NOW).save("t", "2026-03-01T12:10:00Z");
  assert.equal(at(Date.parse("2026-03-01T12:10:00Z") - MARGIN_MS).take(), undefined);
  at(NOW).save("t", "2026-03-01T12:10:00Z");
  assert.equal(at(Date.parse("2026-03-01T12:10:00Z") - MARGIN_MS - 1).take(), "t");
  at(NOW).save("t", "");
  assert.equal(at(NOW).take(), undefined, "no expiry given: not sent");
  s.setItem(RESUME_KEY, "{not json");
  assert.equal(at(NOW).take(), undefined);
  s.setItem(RESUME_KEY, JSON.stringify({ address: "stream1alice", token: 7, expires_at: "2026-03-01T12:10:00Z" }));
  assert.equal(at(NOW).take(), undefined);
});

test("signing out forgets it; storage that throws or is absent costs only the resume", () => {
  const s = storage();
  storedTokens(s, "stream1alice", () => NOW).save("t", "2026-03-01T12:10:00Z");
  forgetTokens(s);
  assert.equal(storedTokens(s, "stream1alice", () => NOW).take(), undefined);
  const refusing = { getItem() { throw new Error("SecurityError"); }, setItem() { throw new Error("QuotaExceededError"); }, removeItem() { throw new Error("SecurityError"); } };
  const t = storedTokens(refusing, "stream1alice", () => NOW);
  t.save("t", "2026-03-01T12:10:00Z");
  assert.equal(t.take(), undefined);
  forgetTokens(refusing);
  const none = storedTokens(undefined, "stream1alice");
  none.save("t", "2026-03-01T12:10:00Z");
  assert.equal(none.take(), undefined);
});

test("memoryTokens: the newest token, once", () => {
  const m = memoryTokens();
  assert.equal(m.take(), undefined);
  m.save("a", "");
  m.save("b", "");
  assert.equal(m.take(), "b");
  assert.equal(m.take(), undefined);
});
