// Subscribing on the chain's terms, for the broadcaster's page and the
// stream page: the price and period are read from the chain and said on
// the Subscribe button before the wallet opens ("Subscribe for 5 STREAM /
// 30 days"); the tx carries that price as the most the subscriber agreed to
// pay (max_price), so a price raised meanwhile is refused on chain instead
// of charged. A paid subscription shows when it expires, with Renew; the
// page says that unsubscribing ends access at once, with no refund.
import * as api from "../api.ts";
import { fill, h, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { dayText } from "../format.ts";
import { periodText, termsText } from "../payments.ts";
import { onState, state, timeZone } from "../state.ts";
import * as tx from "../txs.ts";

type Status = ReturnType<typeof statusLine>;

/** termsLabel: "5 STREAM / 30 days", or "Free". */
export function termsLabel(t: api.Terms): string {
  return t.free ? "Free" : termsText(t.price, t.periodMs);
}

function paintTerms(el: HTMLElement, t: api.Terms | undefined) {
  if (!t) return;
  fill(el, "Subscription: ", h("strong", { "data-terms-price": "" }, termsLabel(t)),
    t.free ? " (free to follow; it never expires)" : ` (paid to the broadcaster for ${periodText(t.periodMs)} of access)`);
}

/** termsLine shows a broadcaster's terms as the chain has them. */
export function termsLine(broadcaster: string): HTMLElement {
  const el = h("p", { class: "terms", "data-terms": "" }, "Subscription: …");
  void api.terms(broadcaster).then((t) => paintTerms(el, t), () => fill(el, "Subscription: the price could not be read from the chain."));
  return el;
}

export interface SubscribeControls {
  /** Subscribe (saying the price) or Unsubscribe; data-action="subscribe". */
  button: HTMLButtonElement;
  /** The terms, the expiry with Renew, and what unsubscribing means. */
  info: HTMLElement;
  renew: HTMLButtonElement;
  subscribed(): boolean;
  /** paint sets the buttons' text from the terms and the user's subscription. */
  paint(): void;
}

export type SubscribeAction = "subscribe" | "renew" | "unsubscribe";

/**
 * subscribeControls runs Subscribe, Renew and Unsubscribe for
 * `broadcaster`, reporting in `status`; `done` runs after each attempt, for
 * the page to repaint and move the focus.
 */
export function subscribeControls(broadcaster: string, status: Status, done: (kind: SubscribeAction) => void, cleanups: (() => void)[]): SubscribeControls {
  let terms: api.Terms | undefined;
  let busy = false;
  const button = h("button", { type: "button", "data-action": "subscribe", disabled: true }, "Subscribe");
  const renew = h("button", { type: "button", class: "secondary", "data-action": "renew", hidden: true }, "Renew");
  const termsEl = h("p", { class: "terms", "data-terms": "" }, "Subscription: …");
  const expiry = h("p", { class: "expiry", "data-expiry": "", hidden: true });
  const note = h("p", { class: "hint", "data-no-refund": "", hidden: true }, "Unsubscribing ends your access at once; what you paid is not refunded.");
  const info = h("div", { class: "subscription-info" }, termsEl, h("div", { class: "expiry-row" }, expiry, renew), note);
  const subscribed = () => !!state.wallet && state.subs.has(broadcaster);

  const paint = () => {
    const expires = state.expiry.get(broadcaster);
    const on = subscribed();
    button.textContent = on ? "Unsubscribe" : terms && !terms.free ? `Subscribe for ${termsText(terms.price, terms.periodMs)}` : "Subscribe";
    button.className = on ? "secondary" : "";
    // The price must be known before the wallet is asked to agree to it.
    button.disabled = busy || (!on && !terms);
    renew.disabled = busy || !terms;
    expiry.hidden = renew.hidden = !(on && expires);
    if (on && expires) {
      const at = new Date(expires);
      expiry.textContent = `Your subscription ${at.getTime() > Date.now() ? "expires" : "expired"} on ${dayText(at, timeZone())}.`;
      renew.textContent = terms && !terms.free ? `Renew for ${termsText(terms.price, terms.periodMs)}` : "Renew (free now: it will not expire)";
    }
    const own = state.wallet?.address === broadcaster;
    note.hidden = own || !((on && expires) || (!on && terms && !terms.free));
  };
  const loadTerms = () => api.terms(broadcaster).then((t) => { terms = t; paintTerms(termsEl, t); paint(); },
    (e) => { fill(termsEl, "Subscription: the price could not be read from the chain."); status.fail(explain(e)); });
  void loadTerms();
  cleanups.push(onState(paint));
  paint();

  const act = async (kind: SubscribeAction) => {
    const w = state.wallet;
    const t = terms;
    if (!w || (kind !== "unsubscribe" && !t)) return;
    // The price the page showed is the most the tx may charge.
    const price = t && !t.free ? t.price : 0n;
    const paying = price > 0n ? ` ${termsText(price, t!.periodMs)}` : "";
    busy = true;
    paint();
    try {
      if (kind === "unsubscribe") {
        await waiting(status, "Unsubscribing: waiting for your wallet and the next block…", (signal) => tx.unsubscribe(signal, w, broadcaster));
        status.ok("Unsubscribed.");
      } else {
        const verb = kind === "renew" ? "Renewing" : "Subscribing";
        await waiting(status, `${verb}${paying ? ` for${paying}` : ""}: waiting for your wallet and the next block…`, (signal) => tx.subscribe(signal, w, broadcaster, price));
        const until = state.expiry.get(broadcaster);
        const untilText = until ? ` It expires on ${dayText(new Date(until), timeZone())}.` : "";
        status.ok(kind === "renew" ? `Renewed.${untilText}` : `Subscribed: you can watch this broadcaster's streams.${untilText}`);
      }
    } catch (e) {
      status.fail(explain(e));
    } finally {
      busy = false;
      // A refusal may mean new terms: show them before the next attempt.
      await loadTerms();
      paint();
      done(kind);
    }
  };
  button.onclick = () => void act(subscribed() ? "unsubscribe" : "subscribe");
  renew.onclick = () => void act("renew");
  return { button, info, renew, subscribed, paint };
}
