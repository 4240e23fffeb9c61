// The account page: edit the profile (name, surname, picture link, time zone
// from the IANA list), counts, and two paged, searchable tables.
import * as api from "../api.ts";
import { field, fill, h, setTitle, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { browserZone, dayText, plural, shortAddress, zoneChoices } from "../format.ts";
import { displayName, onState, refreshMe, state, timeZone } from "../state.ts";
import * as tx from "../txs.ts";
import { avatar } from "../widgets.ts";
import { formRules, textField } from "./create.ts";

function timeZones(...present: (string | undefined)[]): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return zoneChoices(intl.supportedValuesOf?.("timeZone") ?? [], ...present);
}

export function accountPage(): HTMLElement {
  setTitle("Account");
  const w = state.wallet;
  if (!w) return h("section", {}, h("h1", { tabindex: -1 }, "Account"), h("p", {}, "Connect a wallet (top right) to create or edit your profile."));
  const p = state.profile;
  const name = h("input", { name: "name", value: p?.name ?? "", required: true, autocomplete: "given-name" }) as HTMLInputElement;
  const surname = h("input", { name: "surname", value: p?.surname ?? "", autocomplete: "family-name" }) as HTMLInputElement;
  const img = h("input", { name: "img_link", type: "url", value: p?.img_link ?? "", placeholder: "https://…" }) as HTMLInputElement;
  const browserTz = browserZone();
  const current = p?.time_zone || browserTz;
  const tzSel = h("select", { name: "time_zone" }, timeZones(browserTz, p?.time_zone).map((z) => h("option", { value: z, selected: z === current }, z))) as HTMLSelectElement;
  const status = statusLine();
  const save = h("button", { type: "submit" }, p ? "Save profile" : "Create profile");
  const heading = h("h2", { id: "profile-h" }, p ? "Your profile" : "Create your profile");
  const rules = formRules(status);
  const fields = [
    textField("Name", name, () => rules.limits && { label: "The name", max: rules.limits.name, required: true }),
    textField("Surname", surname, () => rules.limits && { label: "The surname", max: rules.limits.surname }),
    textField("Picture link", img, () => rules.limits && { label: "The picture link", max: rules.limits.link, link: true }, "https:// (shown as your avatar) or ipfs://, optional"),
  ];
  rules.watch(fields);
  const form = h("form", {
    class: "card", "aria-labelledby": "profile-h", novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!(await rules.check())) return;
      save.disabled = true;
      try {
        await waiting(status, "Waiting for your wallet and the next block…", (signal) =>
          tx.editProfile(signal, w, { name: name.value.trim(), surname: surname.value.trim(), imgLink: img.value.trim(), timeZone: tzSel.value }));
        status.ok("Profile saved on chain.");
      } catch (err) {
        status.fail(explain(err));
      } finally {
        save.disabled = false;
        save.focus();
      }
    },
  },
  heading, fields.map((f) => f.el),
  field("Time zone", tzSel, "The app shows and takes times in this zone."), save, status);

  const counts = h("p", { class: "counts" });
  const avatarSlot = h("span");
  // Counts and heading follow the chain: read again now, and after every tx (state.ts).
  const paint = () => {
    const q = state.profile;
    fill(counts,
      h("a", { href: `#/u/${w.address}`, "data-count": "subscribers" }, plural(q?.subscriber_count ?? 0, "subscriber")), " · ",
      h("span", { "data-count": "subscriptions" }, plural(q?.subscription_count ?? 0, "subscription")), " · ",
      h("span", { "data-count": "streams" }, plural(q?.stream_count ?? 0, "stream")));
    heading.textContent = q ? "Your profile" : "Create your profile";
    save.textContent = q ? "Save profile" : "Create profile";
    avatarSlot.replaceChildren(avatar(w.address, "large"));
  };
  paint();
  const off = onState(paint);
  void refreshMe();

  const root = h("section", { class: "account" },
    h("h1", { tabindex: -1 }, "Account"),
    h("div", { class: "profile-head" }, avatarSlot,
      h("p", { class: "address" }, h("span", { class: "label" }, "Address "), h("code", {}, w.address))),
    counts, form,
    table("Subscribers", "subscribers", (key) => api.subscribers(w.address, key), (s) => s.subscriber, null),
    table("Subscriptions", "subscriptions", (key) => api.subscriptions(w.address, key), (s) => s.broadcaster, async (s, status) => {
      await waiting(status, "Unsubscribing: waiting for your wallet and the next block…", (signal) => tx.unsubscribe(signal, w, s.broadcaster));
      status.ok("Unsubscribed.");
    }));
  (root as HTMLElement & { dispose?: () => void }).dispose = off;
  return root;
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
      h("td", {}, h("a", { href: `#/u/${who(r.s)}` }, r.name)), h("td", {}, h("code", { title: who(r.s) }, shortAddress(who(r.s)))),
      h("td", {}, r.s.since ? dayText(new Date(r.s.since), timeZone()) : ""),
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
