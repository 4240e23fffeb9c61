// A tiny DOM builder: h("button", { onclick }, "Save").
import { Cancelled } from "./deadline.ts";
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (k in el && k !== "list" && k !== "form" && typeof v !== "string") (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

/** fill replaces el's children (skipping null, false and undefined). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** field: a labelled input/textarea/select with an optional hint. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** status: a polite live region for results and refusals. */
export function statusLine(): HTMLElement & { ok(t: string): void; fail(t: string): void; busy(t: string): void; clear(): void } {
  const el = h("p", { class: "status", role: "status", "aria-live": "polite" }) as unknown as HTMLElement & {
    ok(t: string): void; fail(t: string): void; busy(t: string): void; clear(): void;
  };
  const set = (cls: string, t: string) => { el.className = `status ${cls}`; el.textContent = t; };
  el.ok = (t) => set("ok", t);
  el.fail = (t) => set("error", t);
  el.busy = (t) => set("busy", t);
  el.clear = () => set("", "");
  return el;
}

type Status = ReturnType<typeof statusLine>;

/**
 * waiting shows `text` with a Cancel button in a status line while `work`
 * runs (work gets the signal that Cancel aborts) and removes the button
 * when it settles. A cancel is reported as a sentence by the caller's
 * explain(); the deadline itself lives in txs.ts.
 */
export async function waiting<T>(status: Status, text: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const cancel = h("button", { type: "button", class: "secondary small", "data-action": "cancel-wait", onclick: () => ac.abort() }, "Cancel");
  status.busy(text);
  status.append(" ", cancel);
  try {
    return await work(ac.signal);
  } finally {
    cancel.remove();
  }
}

export { Cancelled };

/** setTitle names the page in the tab and the history: "Title · streamchain". */
export function setTitle(title: string): void {
  document.title = title ? `${title} · streamchain` : "streamchain";
}

/**
 * picture is a user-supplied image: https: links only, no referrer, loaded
 * lazily, and replaced by `fallback` (initials, a plain tile) when the
 * link fails or is not https:.
 */
export function picture(link: string | undefined, safe: (l: string | undefined) => string, cls: string, alt: string, fallback: () => HTMLElement): HTMLElement {
  const src = safe(link);
  if (!src) return fallback();
  const img = h("img", { class: cls, src, alt, referrerpolicy: "no-referrer", loading: "lazy", decoding: "async" }) as HTMLImageElement;
  img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  return img;
}

/**
 * focusHeading moves the focus to a page's heading once an async page has
 * drawn it, unless the user has put the focus somewhere already.
 */
export function focusHeading(heading: HTMLElement): void {
  const a = document.activeElement;
  if (!a || a === document.body || a.id === "main") heading.focus({ preventScroll: true });
}
