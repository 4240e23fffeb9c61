// The account page: edit the profile (name, surname, picture link, time zone
// from the IANA list), counts, and two paged, searchable tables.
import * as api from "../api.ts";
import { field, h, statusLine } from "../dom.ts";
import { explain } from "../errors.ts";
import { shortAddress } from "../format.ts";
import { displayName, refreshMe, state } from "../state.ts";
import * as tx from "../txs.ts";

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.("timeZone") ?? ["UTC"];
}

export function accountPage(): HTMLElement {
  const w = state.wallet;
  if (!w) return h("section", {}, h("h1", {}, "Account"), h("p", {}, "Connect a wallet (top right) to create or edit your profile."));
  const p = state.profile;
  const name = h("input", { name: "name", value: p?.name ?? "", required: true, maxlength: 64, autocomplete: "given-name" }) as HTMLInputElement;
  const surname = h("input", { name: "surname", value: p?.surname ?? "", maxlength: 64, autocomplete: "family-name" }) as HTMLInputElement;
  const img = h("input", { name: "img_link", type: "url", value: p?.img_link ?? "", placeholder: "https://…", maxlength: 512 }) as HTMLInputElement;
  const browserTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const tzSel = h("select", { name: "time_zone" }, timeZones().map((z) => h("option", { value: z, selected: z === (p?.time_zone || browserTz) }, z))) as HTMLSelectElement;
  const status = statusLine();
  const save = h("button", { type: "submit" }, p ? "Save profile" : "Create profile");
  const form = h("form", {
    class: "card", "aria-labelledby": "profile-h",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      save.disabled = true;
      status.busy("Waiting for your wallet and the next block…");
      try {
        await tx.editProfile(w, { name: name.value.trim(), surname: surname.value.trim(), imgLink: img.value.trim(), timeZone: tzSel.value });
        await refreshMe();
        status.ok("Profile saved on chain.");
        save.textContent = "Save profile";
      } catch (err) {
        status.fail(explain(err));
      } finally {
        save.disabled = false;
      }
    },
  },
  h("h2", { id: "profile-h" }, p ? "Your profile" : "Create your profile"),
  field("Name", name), field("Surname", surname), field("Picture link", img, "https:// or ipfs://, optional"),
  field("Time zone", tzSel, "Times are shown in this zone."), save, status);

  const counts = h("p", { class: "counts" },
    h("span", { "data-count": "subscribers" }, `${p?.subscriber_count ?? 0} subscribers`), " · ",
    h("span", { "data-count": "subscriptions" }, `${p?.subscription_count ?? 0} subscriptions`), " · ",
    `${p?.stream_count ?? 0} streams`);

  return h("section", { class: "account" },
    h("h1", {}, "Account"),
    h("p", { class: "address" }, h("span", { class: "label" }, "Address "), h("code", {}, w.address)),
    counts, form,
    table("Subscribers", "subscribers", (key) => api.subscribers(w.address, key), (s) => s.subscriber, null),
    table("Subscriptions", "subscriptions", (key) => api.subscriptions(w.address, key), (s) => s.broadcaster, async (s, status) => {
      status.busy("Unsubscribing…");
      await tx.unsubscribe(w, s.broadcaster);
      await refreshMe();
      status.ok("Unsubscribed.");
    }));
}

type Status = ReturnType<typeof statusLine>;

/** A paged table of subscriptions, searchable by name or address within the page. */
function table(title: string, id: string, fetchPage: (key: string | null) => Promise<api.Page<api.Subscription>>,
  who: (s: api.Subscription) => string, unsubscribe: ((s: api.Subscription, st: Status) => Promise<void>) | null): HTMLElement {
  const keys: (string | null)[] = [null];
  let at = 0;
  let rows: { s: api.Subscription; name: string }[] = [];
  let next: string | null = null;
  const status = statusLine();
  const body = h("tbody");
  const search = h("input", { type: "search", "aria-label": `Search ${title.toLowerCase()}`, placeholder: "Search by name or address", oninput: () => render() }) as HTMLInputElement;
  const prev = h("button", { type: "button", class: "secondary", onclick: () => { at--; void load(); } }, "Previous");
  const nextBtn = h("button", { type: "button", class: "secondary", onclick: () => { keys[at + 1] = next; at++; void load(); } }, "Next");
  const info = h("span", { class: "page-info" });

  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((r) => !q || r.name.toLowerCase().includes(q) || who(r.s).includes(q));
    body.replaceChildren(...shown.map((r) => h("tr", {},
      h("td", {}, r.name), h("td", {}, h("code", { title: who(r.s) }, shortAddress(who(r.s)))),
      h("td", {}, r.s.since ? new Date(r.s.since).toLocaleDateString() : ""),
      unsubscribe ? h("td", {}, h("button", {
        type: "button", class: "secondary", "aria-label": `Unsubscribe from ${r.name}`,
        onclick: async () => {
          try { await unsubscribe(r.s, status); void load(); } catch (e) { status.fail(explain(e)); }
        },
      }, "Unsubscribe")) : null)));
    if (!shown.length) body.append(h("tr", {}, h("td", { colspan: unsubscribe ? 4 : 3 }, rows.length ? "Nothing matches." : "None yet.")));
    prev.disabled = at === 0;
    nextBtn.disabled = !next;
    info.textContent = `Page ${at + 1}`;
  }

  async function load() {
    try {
      const page = await fetchPage(keys[at]);
      next = page.nextKey;
      rows = await Promise.all(page.items.map(async (s) => ({ s, name: await displayName(who(s)) })));
      render();
    } catch (e) {
      status.fail(explain(e));
    }
  }
  void load();
  return h("section", { class: "card", "data-table": id, "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title), search,
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Address"), h("th", { scope: "col" }, "Since"),
        unsubscribe ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Action")) : null)),
      body)),
    h("div", { class: "pager" }, prev, info, nextBtn), status);
}
