// Unit tests of src/deadline.ts: a wait on the wallet and the chain ends.
import assert from "node:assert/strict";
import test from "node:test";
import { Cancelled, TimedOut, withDeadline } from "../../../build/web-unit/deadline.js";
import { explain } from "../../../build/web-unit/errors.js";

test("a wait that never settles times out with a sentence", async () => {
  const never = new Promise(() => undefined);
  await assert.rejects(withDeadline(never, 20), (e) => e instanceof TimedOut && /No answer from your wallet or the chain within 0 s/.test(explain(e)));
});

test("cancel ends the wait at once; a result or a refusal in time goes through", async () => {
  const ac = new AbortController();
  const p = withDeadline(new Promise(() => undefined), 60_000, ac.signal);
  ac.abort();
  await assert.rejects(p, (e) => e instanceof Cancelled && /^Cancelled\./.test(explain(e)));
  assert.equal(await withDeadline(Promise.resolve(7), 1000), 7);
  await assert.rejects(withDeadline(Promise.reject(new Error("boom")), 1000), /boom/);
  const done = new AbortController();
  done.abort();
  await assert.rejects(withDeadline(Promise.resolve(1), 1000, done.signal), Cancelled);
});
