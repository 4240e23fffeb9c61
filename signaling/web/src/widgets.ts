// Small pieces several pages show: a broadcaster's avatar and name, a
// stream's thumbnail, a share link, an "add to calendar" download.
import * as api from "./api.ts";
import { h, picture } from "./dom.ts";
import { calendar, type CalendarStream } from "./ics.ts";
import { safeImage } from "./rules.ts";
import { displayName } from "./state.ts";

function initials(name: string): string {
  const parts = name.replace(/…/g, " ").split(/\s+/).filter(Boolean);
  return (parts.length > 1 && !name.startsWith("stream1") ? parts[0][0] + parts[1][0] : (parts[0] ?? "?").slice(0, 1)).toUpperCase();
}

/** avatar: the profile's picture (https: only), else its initials. */
export function avatar(address: string, size: "small" | "large" = "small"): HTMLElement {
  const slot = h("span", { class: `avatar ${size}`, "aria-hidden": "true" });
  void Promise.all([api.profileCached(address), displayName(address)]).then(([p, name]) => {
    slot.replaceChildren(picture(p?.img_link, safeImage, "avatar-img", "", () => h("span", { class: "initials" }, initials(name))));
  });
  return slot;
}

/** byline: avatar and name, linking to the broadcaster's page. */
export function byline(address: string): HTMLElement {
  const name = h("span", { class: "name" }, "");
  void displayName(address).then((n) => (name.textContent = n));
  return h("a", { class: "byline", href: `#/u/${address}`, "data-broadcaster": address }, avatar(address), name);
}

/** thumbnail: a stream's picture (https: only), else nothing. */
export function thumbnail(link: string, cls = "thumb"): HTMLElement | null {
  if (!safeImage(link)) return null;
  return picture(link, safeImage, cls, "", () => h("span", { class: `${cls} thumb-fallback`, "aria-hidden": "true" }));
}

/** shareLink: the page's address in a read-only field with a Copy button. */
export function shareLink(hash: string, label = "Share link"): HTMLElement {
  const url = `${location.origin}/${hash}`;
  const input = h("input", { type: "url", readonly: true, value: url, "aria-label": label, "data-share-url": "", onfocus: () => input.select() }) as HTMLInputElement;
  const said = h("span", { class: "copied", role: "status", "aria-live": "polite" });
  const copy = h("button", { type: "button", class: "secondary", "data-action": "copy-link", onclick: async () => {
    try {
      await navigator.clipboard.writeText(url);
      said.textContent = "Link copied.";
    } catch {
      input.select();
      said.textContent = "Select the link and copy it.";
    }
  } }, "Copy link");
  return h("div", { class: "share" }, input, copy, said);
}

/**
 * calendarLink downloads an .ics of `streams()` (read when clicked, so it is
 * current): one stream, or a broadcaster's upcoming ones.
 */
export function calendarLink(text: string, file: string, organizer: string, streams: () => Promise<CalendarStream[]>, name?: string): HTMLElement {
  const said = h("span", { class: "hint", role: "status", "aria-live": "polite" });
  const btn = h("button", { type: "button", class: "secondary", "data-action": "calendar", onclick: async () => {
    try {
      const [list, info] = await Promise.all([streams(), api.chainInfo()]);
      if (!list.length) { said.textContent = "Nothing scheduled to add yet."; return; }
      const text = calendar(list, { chainId: info.chainId, pageURL: location.origin, organizer, now: new Date(), name });
      const url = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
      const a = h("a", { href: url, download: file, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      said.textContent = `${list.length === 1 ? "1 event" : `${list.length} events`} saved as ${file}.`;
    } catch {
      said.textContent = "The calendar file could not be made: the chain's node did not answer. Try again.";
    }
  } }, text);
  return h("span", { class: "calendar" }, btn, " ", said);
}
