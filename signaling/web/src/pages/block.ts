// Blocking an account, asked once more with an optional reason (the
// chain's rules for a title, its length from the params query), from the
// broadcaster's subscriber list and from a chat line. The chain ends the
// account's subscription at once and refuses its subscribing and tipping;
// signalingd cuts it off from the video and the chat within a block.
import { h, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { state } from "../state.ts";
import * as tx from "../txs.ts";
import { formRules, textField } from "./create.ts";

let forms = 0;

/**
 * blockForm asks whether to block `account` (named `who`), with a reason;
 * `done` runs after a block is in a block, or when the broadcaster cancels.
 */
export function blockForm(account: string, who: string, done: (blocked: boolean) => void): HTMLElement {
  const n = ++forms;
  const reason = h("input", { name: "block_reason", autocomplete: "off" }) as HTMLInputElement;
  const status = statusLine();
  const rules = formRules(status);
  const reasonField = textField("Reason (optional)", reason, () => rules.limits && { label: "The reason", max: rules.limits.blockReason }, "Kept on chain with the block; only you see it here.");
  rules.watch([reasonField]);
  const confirm = h("button", { type: "submit", class: "danger", "data-action": "confirm-block" }, "Yes, block");
  const cancel = h("button", { type: "button", class: "secondary", "data-action": "cancel-block", onclick: () => done(false) }, "Cancel");
  const question = h("p", { id: `block-q-${n}` }, `Block ${who}? They lose their subscription at once (with no refund), are cut off from your streams and their chat, and cannot subscribe to you or tip you until you unblock them.`);
  const form = h("form", {
    class: "block-form", novalidate: true, "aria-labelledby": `block-q-${n}`, "data-block-form": account,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const w = state.wallet;
      if (!w || !(await rules.check())) return;
      confirm.disabled = cancel.disabled = true;
      try {
        await waiting(status, `Blocking ${who}: waiting for your wallet and the next block…`, (signal) => tx.block(signal, w, account, reason.value.trim()));
        form.replaceChildren(status);
        status.ok(`${who} is blocked. You can unblock them from your account page.`);
        done(true);
      } catch (err) {
        status.fail(explain(err));
        confirm.disabled = cancel.disabled = false;
      }
    },
  }, question, reasonField.el, h("div", { class: "controls" }, confirm, cancel), status);
  return form;
}
