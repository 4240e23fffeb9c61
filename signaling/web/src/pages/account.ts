// The account page: edit the profile (name, surname, picture link, time zone
// from the IANA list), counts, the subscription terms, and paged, searchable
// tables: subscribers (with Block), blocked accounts (with Unblock) and
// subscriptions (with Unsubscribe).
import * as api from "../api.ts";
import { field, fill, h, setTitle, statusLine, waiting } from "../dom.ts";
import { explain } from "../errors.ts";
import { browserZone, dayText, plural, shortAddress, zoneChoices } from "../format.ts";
import { displayName, onState, refreshMe, state, timeZone } from "../state.ts";
import * as tx from "../txs.ts";
import { avatar } from "../widgets.ts";
import { blockForm } from "./block.ts";
import { formRules, textField } from "./create.ts";
import { termsForm } from "./terms.ts";

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

  const expires = (s: api.Subscription) => (s.expires_at ? dayText(new Date(s.expires_at), timeZone()) : "Never");
  const blocked = table<api.Block>({
    title: "Blocked accounts", id: "blocked", fetchPage: (key) => api.blocks(w.address, key),
    who: (b) => b.account, since: (b) => b.since, extra: { head: "Reason", cell: (b) => b.reason ?? "" },
    action: (b, name, t) => h("button", {
      type: "button", class: "secondary", "data-action": "unblock", "aria-label": `Unblock ${name}`,
      onclick: async () => {
        try {
          await waiting(t.status, `Unblocking ${name}: waiting for your wallet and the next block…`, (signal) => tx.unblock(signal, w, b.account));
          t.status.ok(`${name} is unblocked: they may subscribe to you again.`);
          t.reload();
        } catch (e) { t.status.fail(explain(e)); }
      },
    }, "Unblock"),
  });
  const subscribers = table<api.Subscription>({
    title: "Subscribers", id: "subscribers", fetchPage: (key) => api.subscribers(w.address, key),
    who: (s) => s.subscriber, since: (s) => s.since, extra: { head: "Expires", cell: expires },
    action: (s, name, t) => h("button", {
      type: "button", class: "danger", "data-action": "block", "aria-label": `Block ${name}`,
      onclick: () => {
        t.slot.replaceChildren(blockForm(s.subscriber, name, (done) => {
          if (!done) { t.slot.replaceChildren(); return; }
          t.reload();
          blocked.reload();
        }));
        t.slot.querySelector("input")?.focus();
      },
    }, "Block"),
  });
  const root = h("section", { class: "account" },
    h("h1", { tabindex: -1 }, "Account"),
    h("div", { class: "profile-head" }, avatarSlot,
      h("p", { class: "address" }, h("span", { class: "label" }, "Address "), h("code", {}, w.address))),
    counts, form, termsForm(),
    subscribers.el,
    blocked.el,
    table<api.Subscription>({
      title: "Subscriptions", id: "subscriptions", fetchPage: (key) => api.subscriptions(w.address, key),
      who: (s) => s.broadcaster, since: (s) => s.since, extra: { head: "Expires", cell: expires },
      note: "Unsubscribing ends your access at once; what you paid is not refunded.",
      action: (s, name, t) => h("button", {
        type: "button", class: "secondary", "aria-label": `Unsubscribe from ${name}`,
        onclick: async () => {
          try {
            await waiting(t.status, "Unsubscribing: waiting for your wallet and the next block…", (signal) => tx.unsubscribe(signal, w, s.broadcaster));
            t.status.ok("Unsubscribed.");
            t.reload();
          } catch (e) { t.status.fail(explain(e)); }
        },
      }, "Unsubscribe"),
    }).el);
  (root as HTMLElement & { dispose?: () => void }).dispose = off;
  return root;
}

type Status = ReturnType<typeof statusLine>;

/** What a row's action gets: the table's status line, a reload, and a slot under the table for a question. */
interface RowTools { status: Status; reload(): void; slot: HTMLElement }

interface TableSpec<T> {
  title: string;
  id: string;
  fetchPage(key: string | null): Promise<api.Page<T>>;
  /** The account a row names, and since when. */
  who(t: T): string;
  since(t: T): string | undefined;
  extra: { head: string; cell(t: T): string };
  action(t: T, name: string, tools: RowTools): HTMLElement;
  note?: string;
}

/** A paged table of accounts, searchable by name or address within the page. */
function table<T>(spec: TableSpec<T>): { el: HTMLElement; reload(): void } {
  const { title, id, who } = spec;
  const keys: (string | null)[] = [null];
  let at = 0;
  let rows: { s: T; name: string }[] = [];
  let next: string | null = null;
  const status = statusLine();
  const slot = h("div", { class: "row-question", "data-row-question": id });
  const body = h("tbody");
  const search = h("input", { type: "search", "aria-label": `Search ${title.toLowerCase()}`, placeholder: "Search by name or address", oninput: () => render() }) as HTMLInputElement;
  const prev = h("button", { type: "button", class: "secondary", onclick: () => { at--; void load(); } }, "Previous");
  const nextBtn = h("button", { type: "button", class: "secondary", onclick: () => { keys[at + 1] = next; at++; void load(); } }, "Next");
  const info = h("span", { class: "page-info" });
  const tools: RowTools = { status, slot, reload: () => void load() };

  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((r) => !q || r.name.toLowerCase().includes(q) || who(r.s).includes(q));
    body.replaceChildren(...shown.map((r) => {
      const since = spec.since(r.s);
      return h("tr", { "data-account": who(r.s) },
        h("td", {}, h("a", { href: `#/u/${who(r.s)}` }, r.name)), h("td", {}, h("code", { title: who(r.s) }, shortAddress(who(r.s)))),
        h("td", {}, since ? dayText(new Date(since), timeZone()) : ""),
        h("td", {}, spec.extra.cell(r.s)),
        h("td", {}, spec.action(r.s, r.name, tools)));
    }));
    if (!shown.length) body.append(h("tr", {}, h("td", { colspan: 5 }, rows.length ? "Nothing matches." : "None yet.")));
    prev.disabled = at === 0;
    nextBtn.disabled = !next;
    info.textContent = `Page ${at + 1}`;
  }

  async function load() {
    try {
      const page = await spec.fetchPage(keys[at]);
      next = page.nextKey;
      rows = await Promise.all(page.items.map(async (s) => ({ s, name: await displayName(who(s)) })));
      render();
    } catch (e) {
      status.fail(explain(e));
    }
  }
  void load();
  const el = h("section", { class: "card", "data-table": id, "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title), spec.note ? h("p", { class: "hint" }, spec.note) : null, search,
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Address"), h("th", { scope: "col" }, "Since"),
        h("th", { scope: "col" }, spec.extra.head), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Action")))),
      body)),
    h("div", { class: "pager" }, prev, info, nextBtn), slot, status);
  return { el, reload: tools.reload };
}
