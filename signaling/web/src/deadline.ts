// Waiting on the wallet and the chain has an end: every wait the user sees
// ("Waiting for your wallet and the next block…") resolves, fails with a
// sentence after a deadline, or is cancelled by the user.
import { AppProblem } from "./errors.ts";

/** How long the app waits for the wallet's approval and the tx's block. */
export const TX_DEADLINE_MS = 60_000;
/** How long the app waits for one chain query. */
export const QUERY_DEADLINE_MS = 10_000;

export class Cancelled extends AppProblem {
  constructor() {
    super("Cancelled. If you already approved it in your wallet, the transaction may still be included: the page shows it once it is.");
    this.name = "Cancelled";
  }
}

export class TimedOut extends AppProblem {
  constructor(seconds: number) {
    super(`No answer from your wallet or the chain within ${seconds} s. The chain may be down or slow; if you approved the transaction it may still be included. Check in a moment before trying again.`);
    this.name = "TimedOut";
  }
}

/**
 * withDeadline settles like `work`, or rejects with TimedOut after `ms`,
 * or with Cancelled when `signal` aborts, whichever comes first. (The work
 * itself cannot be recalled: a signed tx may still land.)
 */
export function withDeadline<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) { reject(new Cancelled()); return; }
    const onAbort = () => { done(); reject(new Cancelled()); };
    const timer = setTimeout(() => { done(); reject(new TimedOut(Math.round(ms / 1000))); }, ms);
    const done = () => { clearTimeout(timer); signal?.removeEventListener("abort", onAbort); };
    signal?.addEventListener("abort", onAbort);
    work.then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
  });
}
