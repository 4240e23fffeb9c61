// The Tip button of the stream page: an amount in STREAM and an optional
// message (the chain's rules for a title, its length from the params
// query), sent to the broadcaster naming this stream (MsgTip). signalingd
// shows a tip naming a live stream in its chat as a highlighted line
// (PROTOCOL.md §4.3); the chain's refusals read as sentences.
import type * as api from "../api.ts";
import { h, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { formatStream } from "../format.ts";
import { onLive } from "../live.ts";
import { checkAmount } from "../payments.ts";
import { displayName, onState, state } from "../state.ts";
import * as tx from "../txs.ts";
import { formRules, textField } from "./create.ts";

let forms = 0;

/** tipControl: for a signed-in viewer while `open()` (the stream has not ended). */
export function tipControl(s: api.Stream, open: () => boolean, cleanups: (() => void)[]): HTMLElement {
  const n = ++forms;
  const who = h("span", {}, "the broadcaster");
  void displayName(s.broadcaster).then((name) => { who.textContent = name; });
  const toggle = h("button", { type: "button", class: "secondary", "data-action": "tip", "aria-expanded": "false", "aria-controls": `tip-form-${n}` }, "Tip");
  const amount = h("input", { name: "tip_amount", inputmode: "decimal", autocomplete: "off", placeholder: "1" }) as HTMLInputElement;
  const memo = h("input", { name: "tip_memo", autocomplete: "off" }) as HTMLInputElement;
  const status = statusLine();
  const rules = formRules(status);
  const memoField = textField("Message (optional)", memo, () => rules.limits && { label: "The message", max: rules.limits.memo }, "Shown with your tip in the stream's chat.");
  rules.watch([memoField]);
  const send = h("button", { type: "submit", "data-action": "send-tip" }, "Send tip");
  const heading = h("h2", { id: `tip-h-${n}` }, "Tip ", who, " for “", h("span", { "data-tip-stream": "" }, s.title), "”");
  const form = h("form", {
    id: `tip-form-${n}`, class: "tip-form", hidden: true, novalidate: true, "aria-labelledby": `tip-h-${n}`,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const w = state.wallet;
      if (!w) return;
      const a = checkAmount(amount.value);
      if ("error" in a) { status.fail(a.error); amount.setAttribute("aria-invalid", "true"); amount.focus(); return; }
      amount.removeAttribute("aria-invalid");
      if (!(await rules.check())) return;
      send.disabled = true;
      try {
        await waiting(status, `Tipping ${formatStream(a.ustream)}: waiting for your wallet and the next block…`,
          (signal) => tx.tip(signal, w, s.broadcaster, a.ustream, s.id, memo.value.trim()));
        status.ok(`Tip sent: ${formatStream(a.ustream)} to ${who.textContent}. It shows in the chat while the stream is live.`);
        memo.value = "";
        memo.dispatchEvent(new Event("input"));
      } catch (err) {
        status.fail(explain(err));
      } finally {
        send.disabled = false;
        send.focus();
      }
    },
  },
  heading,
  h("div", { class: "field" }, h("label", { for: `tip-amount-${n}` }, "Amount (STREAM)"), Object.assign(amount, { id: `tip-amount-${n}` })),
  memoField.el, send);
  toggle.onclick = () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) amount.focus();
  };
  const el = h("section", { class: "card tip", "aria-label": "Tip the broadcaster", "data-tip-card": "" }, toggle, form, status);
  const paint = () => { el.hidden = !state.wallet || state.wallet.address === s.broadcaster || !open(); };
  paint();
  cleanups.push(onState(paint), onLive(paint));
  const timer = setInterval(paint, 5000);
  cleanups.push(() => clearInterval(timer));
  return el;
}
