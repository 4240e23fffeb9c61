// Unit tests of src/payments.ts: amounts in STREAM and subscription terms as
// the forms read them and the buttons say them, within the chain's bounds.
import assert from "node:assert/strict";
import test from "node:test";
import { checkAmount, checkTerms, parseStream, periodFields, periodText, termsText } from "../../../build/web-unit/payments.js";

// The chain's default bounds (x/streaming/types/params.go).
const limits = { minPeriodMs: 3600_000, maxPeriodMs: 366 * 86_400_000, maxPrice: 1_000_000_000_000n };

test("amounts are typed in STREAM, held in ustream, never rounded", () => {
  assert.deepEqual(parseStream("5"), { ustream: 5_000_000n });
  assert.deepEqual(parseStream(" 0.25 "), { ustream: 250_000n });
  assert.deepEqual(parseStream(".5"), { ustream: 500_000n });
  assert.deepEqual(parseStream("12.000001"), { ustream: 12_000_001n });
  assert.match(parseStream("12.0000001").error, /more than 6 decimals/);
  for (const bad of ["", ".", "-1", "1e6", "5 STREAM", "1,5", "0x10"]) assert.match(parseStream(bad).error, /must be a number of STREAM/, bad);
  assert.match(checkAmount("0").error, /more than zero/);
  assert.deepEqual(checkAmount("1"), { ustream: 1_000_000n });
});

test("terms read as the Subscribe button says them", () => {
  assert.equal(termsText(5_000_000n, 30 * 86_400_000), "5 STREAM / 30 days");
  assert.equal(termsText(250_000n, 3600_000), "0.25 STREAM / 1 hour");
  assert.equal(periodText(86_400_000), "1 day");
  assert.equal(periodText(36 * 3600_000), "36 hours");
  assert.equal(periodText(90 * 60_000), "90 minutes");
  assert.equal(periodText(45_000), "45 seconds");
});

test("the terms form refuses what the chain refuses, with the chain's bounds", () => {
  assert.deepEqual(checkTerms({ price: "5", period: "30", unit: "days" }, limits), { price: 5_000_000n, periodMs: 30 * 86_400_000 });
  assert.deepEqual(checkTerms({ price: "0", period: "", unit: "days" }, limits), { price: 0n, periodMs: 0 });
  assert.match(checkTerms({ price: "5", period: "367", unit: "days" }, limits).error, /^The period must be between 1 hour and 366 days\./);
  assert.match(checkTerms({ price: "5", period: "0", unit: "hours" }, limits).error, /between 1 hour/);
  assert.match(checkTerms({ price: "5", period: "1.5", unit: "days" }, limits).error, /between/);
  assert.match(checkTerms({ price: "1000000.000001", period: "1", unit: "days" }, limits).error, /above the highest the chain allows \(1,000,000 STREAM\)/);
  // Other bounds, other answers: the limits come from the params query.
  assert.match(checkTerms({ price: "5", period: "2", unit: "hours" }, { ...limits, maxPeriodMs: 3600_000 }).error, /between 1 hour and 1 hour/);
  assert.deepEqual(periodFields(30 * 86_400_000), { period: "30", unit: "days" });
  assert.deepEqual(periodFields(5 * 3600_000), { period: "5", unit: "hours" });
});
