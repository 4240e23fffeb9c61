// The broadcaster's subscription terms on the account page: a price in
// STREAM for a period in hours or days, within the bounds of the chain's
// params (read from the params query and shown beside the fields), sent as
// MsgSetSubscriptionTerms. A price of 0 makes subscriptions free again.
import * as api from "../api.ts";
import { fill, h, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { formatStream } from "../format.ts";
import { checkTerms, PERIOD_UNITS, periodFields, periodText, type PeriodUnit } from "../payments.ts";
import type { Limits } from "../rules.ts";
import { state } from "../state.ts";
import * as tx from "../txs.ts";
import { termsLabel } from "./subscription.ts";

export function termsForm(): HTMLElement {
  const w = state.wallet!;
  const price = h("input", { id: "terms-price", name: "price", inputmode: "decimal", autocomplete: "off", "aria-describedby": "terms-price-hint" }) as HTMLInputElement;
  const period = h("input", { id: "terms-period", name: "period", inputmode: "numeric", autocomplete: "off", "aria-describedby": "terms-period-hint" }) as HTMLInputElement;
  const unit = h("select", { name: "period_unit", "aria-label": "Period unit" },
    (Object.keys(PERIOD_UNITS) as PeriodUnit[]).map((u) => h("option", { value: u }, u))) as HTMLSelectElement;
  const priceHint = h("small", { id: "terms-price-hint", class: "hint", "data-price-bounds": "" }, "Reading the chain's bounds…");
  const periodHint = h("small", { id: "terms-period-hint", class: "hint", "data-period-bounds": "" });
  const current = h("p", { "data-current-terms": "" }, "Now: …");
  const status = statusLine();
  const save = h("button", { type: "submit", "data-action": "save-terms" }, "Save terms");
  let limits: Limits | undefined;

  const load = async () => {
    try {
      const [l, t] = await Promise.all([api.params(), api.terms(w.address)]);
      limits = l;
      fill(priceHint, `In STREAM: 0 makes subscribing free (it never expires); at most ${formatStream(l.maxPrice)}.`);
      fill(periodHint, `Between ${periodText(l.minPeriodMs)} and ${periodText(l.maxPeriodMs)}.`);
      fill(current, "Now: ", h("strong", {}, termsLabel(t)));
      if (!price.value) {
        price.value = t.free ? "0" : formatStream(t.price).replace(/ STREAM$/, "").replace(/,/g, "");
        const f = periodFields(t.periodMs);
        period.value = f.period;
        unit.value = f.unit;
      }
    } catch (e) {
      status.fail(explain(e));
    }
  };
  void load();

  const form = h("form", {
    class: "card", "aria-labelledby": "terms-h", novalidate: true, "data-terms-form": "",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        limits ??= await api.params();
      } catch (err) {
        status.fail(explain(err));
        return;
      }
      const t = checkTerms({ price: price.value, period: period.value, unit: unit.value as PeriodUnit }, limits);
      if ("error" in t) { status.fail(t.error); (/period/i.test(t.error) ? period : price).focus(); return; }
      save.disabled = true;
      try {
        await waiting(status, "Saving the terms: waiting for your wallet and the next block…", (signal) => tx.setTerms(signal, w, t.price, t.periodMs));
        status.ok(t.price === 0n ? "Saved: subscribing to you is free." : `Saved: subscribing to you costs ${termsLabel({ price: t.price, periodMs: t.periodMs, free: false })}.`);
        await load();
      } catch (err) {
        status.fail(explain(err));
      } finally {
        save.disabled = false;
        save.focus();
      }
    },
  },
  h("h2", { id: "terms-h" }, "Subscription terms"),
  current,
  h("div", { class: "field" }, h("label", { for: price.id }, "Price (STREAM)"), price, priceHint),
  h("div", { class: "field" }, h("label", { for: period.id }, "Period"), h("div", { class: "period-row" }, period, unit), periodHint),
  h("p", { class: "hint" }, "New terms apply to new subscriptions and renewals; a subscription already paid runs to its expiry."),
  save, status);
  return form;
}
