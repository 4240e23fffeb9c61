// The create-stream page, and the same form to edit a stream. Times are
// typed and shown in one zone: the profile's (else the browser's). What the
// chain would refuse is refused here first, with the chain's own limits.
import * as api from "../api.ts";
import { field, h, setTitle, statusLine, waiting } from "../dom.ts";
import { AppProblem, explain } from "../errors.ts";
import { browserZone, pickerValues } from "../format.ts";
import { checkText, counter, schedule, type Limits, type TextRule } from "../rules.ts";
import { state, timeZone } from "../state.ts";
import * as tx from "../txs.ts";

export function createPage(): HTMLElement {
  setTitle("New stream");
  if (!state.wallet) return h("section", {}, h("h1", { tabindex: -1 }, "New stream"), h("p", {}, "Connect a wallet (top right) to schedule a stream."));
  if (!state.profile) {
    return h("section", {}, h("h1", { tabindex: -1 }, "New stream"),
      h("p", { class: "notice" }, "Create your profile first: viewers see who is streaming. ", h("a", { href: "#/account" }, "Create a profile")));
  }
  return h("section", {}, h("h1", { tabindex: -1 }, "New stream"), streamForm(undefined, (id) => { location.hash = `#/stream/${id}`; }));
}

/**
 * textField is an input or textarea with the chain's limit as a live
 * "used / max" counter and its refusal as the field's error. No maxlength:
 * a pasted text is never cut silently.
 */
export function textField(label: string, control: HTMLInputElement | HTMLTextAreaElement, rule: () => TextRule | undefined, hint?: string): { el: HTMLElement; check(): string } {
  const count = h("small", { class: "counter", "aria-live": "off", "data-counter": control.name });
  const err = h("small", { class: "field-error", id: `${control.name}-${Math.random().toString(36).slice(2, 7)}-err`, "data-field-error": control.name });
  const paint = () => {
    const r = rule();
    count.textContent = r ? counter(control.value, r.max) : "";
    const over = r ? checkText(control.value, { ...r, required: false }) : "";
    count.classList.toggle("over", !!over);
  };
  const check = () => {
    const r = rule();
    const e = r ? checkText(r.multiline ? control.value : control.value.trim(), r) : "";
    err.textContent = e;
    if (e) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-errormessage", err.id); } else control.removeAttribute("aria-invalid");
    return e;
  };
  control.addEventListener("input", () => { paint(); if (control.getAttribute("aria-invalid")) check(); });
  paint();
  const el = field(label, control, hint);
  el.append(count, err);
  return { el, check: () => { paint(); return check(); } };
}

type Field = ReturnType<typeof textField>;

/**
 * formRules holds a form's limits, read from the chain's params query as
 * the form opens (counters follow once they arrive), and checks its fields
 * before a submit: the limits, or undefined after saying what is wrong.
 */
export function formRules(status: ReturnType<typeof statusLine>) {
  let fields: Field[] = [];
  const rules = {
    limits: undefined as Limits | undefined,
    watch(fs: Field[]) {
      fields = fs;
      void api.params().then((l) => {
        rules.limits = l;
        for (const f of fields) f.el.querySelector("input,textarea")?.dispatchEvent(new Event("input"));
      }, (e) => status.fail(explain(e)));
    },
    async check(): Promise<Limits | undefined> {
      try {
        rules.limits ??= await api.params();
      } catch (err) {
        status.fail(explain(err));
        return undefined;
      }
      const bad = fields.map((f) => ({ f, e: f.check() })).find((x) => x.e);
      if (!bad) return rules.limits;
      status.fail(bad.e);
      bad.f.el.querySelector<HTMLElement>("input,textarea")?.focus();
      return undefined;
    },
  };
  return rules;
}

/** streamForm creates a stream, or edits `existing` (sending only what changed). */
export function streamForm(existing: api.Stream | undefined, done: (id: string) => void | Promise<void>): HTMLElement {
  const w = state.wallet!;
  const tz = timeZone() ?? browserZone();
  const start = existing ? new Date(existing.start_time) : new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 900_000);
  const end = existing ? new Date(existing.end_time) : new Date(start.getTime() + 60 * 60_000);
  const sv = pickerValues(start, tz), ev = pickerValues(end, tz);
  const today = pickerValues(new Date(), tz).date;
  const title = h("input", { name: "title", required: true, value: existing?.title ?? "" }) as HTMLInputElement;
  const desc = h("textarea", { name: "description", rows: 4 }, existing?.description ?? "") as HTMLTextAreaElement;
  const banner = h("input", { name: "img_link", type: "url", placeholder: "https://…", value: existing?.img_link ?? "" }) as HTMLInputElement;
  const date = h("input", { name: "date", type: "date", required: true, min: existing ? undefined : today, value: sv.date }) as HTMLInputElement;
  const startT = h("input", { name: "start", type: "time", required: true, value: sv.time }) as HTMLInputElement;
  const endDate = h("input", { name: "end_date", type: "date", required: true, value: ev.date }) as HTMLInputElement;
  const endT = h("input", { name: "end", type: "time", required: true, value: ev.time }) as HTMLInputElement;
  // The end day follows the start day until the user picks it.
  let endDayTouched = !!existing && ev.date !== sv.date;
  endDate.addEventListener("input", () => { endDayTouched = true; });
  date.addEventListener("input", () => { if (!endDayTouched) endDate.value = date.value; });
  const status = statusLine();
  const submit = h("button", { type: "submit" }, existing ? "Save changes" : "Schedule stream");
  const rules = formRules(status);
  const fields = [
    textField("Title", title, () => rules.limits && { label: "The title", max: rules.limits.title, required: true }),
    textField("Description", desc, () => rules.limits && { label: "The description", max: rules.limits.description, multiline: true }, "Several lines are fine."),
    textField("Picture link", banner, () => rules.limits && { label: "The picture link", max: rules.limits.link, link: true }, "https:// (shown as the stream's thumbnail) or ipfs://, optional"),
  ];
  rules.watch(fields);

  return h("form", {
    class: "card stream-form", novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const limits = await rules.check();
      if (!limits) return;
      const scheduleChanged = !existing || date.value !== sv.date || startT.value !== sv.time || endT.value !== ev.time || endDate.value !== ev.date;
      const startChanged = !existing || date.value !== sv.date || startT.value !== sv.time;
      const sched = schedule({ day: date.value, start: startT.value, endDay: endDate.value, end: endT.value }, tz, new Date(), limits, { startUnchanged: !startChanged });
      if ("error" in sched && scheduleChanged) { status.fail(sched.error); return; }
      submit.disabled = true;
      try {
        if (!existing) {
          if ("error" in sched) throw new AppProblem(sched.error);
          const id = await waiting(status, "Waiting for your wallet and the next block…", (signal) =>
            tx.newStream(signal, w, { title: title.value.trim(), description: desc.value, imgLink: banner.value.trim(), start: sched.start, end: sched.end }));
          status.ok("Stream scheduled.");
          await done(id);
          return;
        }
        const changed: Partial<tx.StreamFields> = {};
        if (title.value.trim() !== existing.title) changed.title = title.value.trim();
        if (desc.value !== existing.description) changed.description = desc.value;
        if (banner.value.trim() !== existing.img_link) changed.imgLink = banner.value.trim();
        if (scheduleChanged && !("error" in sched)) {
          if (sched.start.getTime() !== start.getTime()) changed.start = sched.start;
          if (sched.end.getTime() !== end.getTime()) changed.end = sched.end;
        }
        if (Object.keys(changed).length === 0) throw new AppProblem("Nothing was changed. Edit a field, then save.");
        await waiting(status, "Waiting for your wallet and the next block…", (signal) => tx.editStream(signal, w, existing.id, changed));
        status.ok("Changes saved on chain.");
        await done(existing.id);
      } catch (err) {
        status.fail(explain(err));
      } finally {
        submit.disabled = false;
      }
    },
  },
  existing ? h("h2", {}, "Edit stream") : null,
  fields.map((f) => f.el),
  h("div", { class: "row" }, field("Day", date), field("Starts", startT)),
  h("div", { class: "row" }, field("End day", endDate), field("Ends", endT)),
  h("p", { class: "hint", "data-zone": tz }, `Times are in ${timeZone() ? "your profile's" : "your browser's"} time zone (${tz}), as the app shows them.`),
  submit, status);
}
