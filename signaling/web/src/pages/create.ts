// The create-stream page, and the same form to edit a stream.
import type * as api from "../api.ts";
import { field, h, statusLine } from "../dom.ts";
import { AppProblem, explain } from "../errors.ts";
import { pickerValues, scheduleFromPickers } from "../format.ts";
import { state } from "../state.ts";
import * as tx from "../txs.ts";

export function createPage(): HTMLElement {
  if (!state.wallet) return h("section", {}, h("h1", {}, "New stream"), h("p", {}, "Connect a wallet (top right) to schedule a stream."));
  if (!state.profile) {
    return h("section", {}, h("h1", {}, "New stream"),
      h("p", { class: "notice" }, "Create your profile first: viewers see who is streaming. ", h("a", { href: "#/account" }, "Create a profile")));
  }
  return h("section", {}, h("h1", {}, "New stream"), streamForm(undefined, (id) => { location.hash = `#/stream/${id}`; }));
}

/** streamForm creates a stream, or edits `existing` (sending only what changed). */
export function streamForm(existing: api.Stream | undefined, done: (id: string) => void): HTMLElement {
  const w = state.wallet!;
  const start = existing ? new Date(existing.start_time) : new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 900_000);
  const end = existing ? new Date(existing.end_time) : new Date(start.getTime() + 60 * 60_000);
  const sv = pickerValues(start), ev = pickerValues(end);
  const today = pickerValues(new Date()).date;
  const title = h("input", { name: "title", required: true, maxlength: 140, value: existing?.title ?? "" }) as HTMLInputElement;
  const desc = h("textarea", { name: "description", rows: 4, maxlength: 2000 }, existing?.description ?? "") as HTMLTextAreaElement;
  const banner = h("input", { name: "img_link", type: "url", placeholder: "https://…", maxlength: 512, value: existing?.img_link ?? "" }) as HTMLInputElement;
  const date = h("input", { name: "date", type: "date", required: true, min: today, value: sv.date }) as HTMLInputElement;
  const startT = h("input", { name: "start", type: "time", required: true, value: sv.time }) as HTMLInputElement;
  const endT = h("input", { name: "end", type: "time", required: true, value: ev.time }) as HTMLInputElement;
  const status = statusLine();
  const submit = h("button", { type: "submit" }, existing ? "Save changes" : "Schedule stream");
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;

  return h("form", {
    class: "card stream-form",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const sched = scheduleFromPickers(date.value, startT.value, endT.value, new Date());
      const scheduleChanged = !existing || date.value !== sv.date || startT.value !== sv.time || endT.value !== ev.time;
      if ("error" in sched && scheduleChanged) { status.fail(sched.error); return; }
      submit.disabled = true;
      status.busy("Waiting for your wallet and the next block…");
      try {
        if (!existing) {
          if ("error" in sched) throw new AppProblem(sched.error);
          const id = await tx.newStream(w, { title: title.value.trim(), description: desc.value, imgLink: banner.value.trim(), start: sched.start, end: sched.end });
          status.ok("Stream scheduled.");
          done(id);
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
        await tx.editStream(w, existing.id, changed);
        status.ok("Changes saved on chain.");
        done(existing.id);
      } catch (err) {
        status.fail(explain(err));
      } finally {
        submit.disabled = false;
      }
    },
  },
  existing ? h("h2", {}, "Edit stream") : null,
  field("Title", title), field("Description", desc, "Several lines are fine."), field("Banner link", banner, "https:// or ipfs://, optional"),
  h("div", { class: "row" }, field("Day", date), field("Starts", startT), field("Ends", endT, "An end before the start means the next day.")),
  h("p", { class: "hint" }, `Times are in your browser's time zone (${tz}).`),
  submit, status);
}
