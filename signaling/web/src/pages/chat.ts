// The stream page's chat panel (PROTOCOL.md §4.3): the log, an ARIA log
// region read politely; the input with its byte counter (Enter sends);
// refusals as the app's sentences; for the broadcaster, Delete, Mute,
// Remove and Block (on chain) on each line; tips as highlighted lines. Every text a person wrote is set as text, never
// parsed as HTML. The rules and the state live in chat.ts.
import { CHAT_MAX_BYTES, ChatLog, chatBytes, chatCounter, clockTime, draftProblem, noticeOf, restrict, sender, tipAmount, type ChatAccess, type ChatEvent, type ChatLine } from "../chat.ts";
import { h } from "../dom.ts";
import { explain, SignalingRefusal } from "../errors.ts";
import { timeZone } from "../state.ts";

/** What the panel asks of the session. */
export interface ChatActions {
  send(text: string): void;
  delete(id: string): void;
  restrict(address: string, r: "muted" | "removed"): void;
  /** The broadcaster's question before blocking an account on chain; `done` closes it. */
  blockForm?(address: string, who: string, done: (blocked: boolean) => void): HTMLElement;
}

export interface ChatPanel {
  el: HTMLElement;
  /** An event of the stream's chat. */
  event(e: ChatEvent): void;
  /** A refusal of a chat request (chat, chat_delete, chat_mute, chat_remove). */
  refused(err: SignalingRefusal): void;
}

let panels = 0;

/**
 * chatPanel draws the chat of one session. `me` is the signed-in address;
 * `moderator` the broadcaster, who gets the tools on other people's lines.
 */
export function chatPanel(me: string, moderator: boolean, act: ChatActions): ChatPanel {
  const n = ++panels;
  const log = new ChatLog();
  let access: ChatAccess = { muted: false, removed: false };
  let lastDraft = "";

  const list = h("div", { class: "chat-log", role: "log", "aria-live": "polite", "aria-labelledby": `chat-h-${n}`, tabindex: 0, "data-chat-log": "" });
  const empty = h("p", { class: "chat-empty hint", "data-chat-empty": "" }, "No messages yet. Say hello!");
  const input = h("input", { type: "text", name: "chat", autocomplete: "off", enterkeyhint: "send", "aria-describedby": `chat-count-${n} chat-status-${n}`, "data-chat-input": "" }) as HTMLInputElement;
  input.id = `chat-in-${n}`;
  const count = h("small", { id: `chat-count-${n}`, class: "hint chat-count", "data-chat-counter": "" }, chatCounter(""));
  const send = h("button", { type: "submit", "data-action": "chat-send" }, "Send");
  // Also the input's description: a muted viewer's disabled input says why.
  const status = h("p", { id: `chat-status-${n}`, class: "status chat-status", role: "status", "aria-live": "polite", "data-chat-status": "" });
  const form = h("form", { class: "chat-form", "aria-label": "Send a chat message" },
    h("label", { for: input.id }, "Message"), h("div", { class: "chat-row" }, input, send), count);
  // The block question opens here, under the log, one at a time.
  const blockSlot = h("div", { class: "chat-block", "data-chat-block": "" });
  const el = h("section", { class: "card chat", "aria-labelledby": `chat-h-${n}`, "data-chat": "" },
    h("h2", { id: `chat-h-${n}` }, "Chat"), list, empty, blockSlot, form, status);
  const openBlock = (address: string, who: string) => {
    quiet();
    // Cancel closes the question; a done block leaves its sentence in place.
    const f = act.blockForm!(address, who, (blocked) => { if (!blocked) blockSlot.replaceChildren(); });
    blockSlot.replaceChildren(f);
    f.querySelector("input")?.focus();
  };

  const say = (text: string, error = true) => {
    // The same sentence again is not news: a live region would read it twice.
    if (status.textContent === text) return;
    status.className = `status chat-status ${error ? "error" : "ok"}`;
    status.textContent = text;
  };
  /** quiet clears an earlier question or refusal when the broadcaster acts again. */
  const quiet = () => { if (!access.muted) status.textContent = ""; };
  const paintInput = () => {
    const blocked = access.muted || access.removed;
    input.disabled = send.disabled = blocked;
    if (blocked) say(explain(new SignalingRefusal(access.removed ? "removed_by_broadcaster" : "chat_muted", "")));
    empty.hidden = log.lines.length > 0;
  };
  input.addEventListener("input", () => {
    count.textContent = chatCounter(input.value);
    count.classList.toggle("over", chatBytes(input.value) > CHAT_MAX_BYTES);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (input.disabled) return;
    const problem = draftProblem(input.value);
    if (problem) { say(problem); input.focus(); return; }
    lastDraft = input.value;
    act.send(input.value.trim());
    input.value = "";
    count.textContent = chatCounter("");
    count.classList.remove("over");
    status.textContent = "";
  });

  /** row draws one line; the broadcaster's tools sit on the lines of others (and Delete on all). */
  const row = (l: ChatLine): HTMLElement => {
    const who = sender(l);
    const tools = moderator ? h("span", { class: "chat-tools" },
      h("button", { type: "button", class: "secondary small", "data-action": "chat-delete", "aria-label": `Delete message from ${who}`, onclick: () => { quiet(); act.delete(l.id); } }, "Delete"),
      l.from !== me ? [
        h("button", { type: "button", class: "secondary small", "data-action": "chat-mute", "aria-label": `Mute ${who}`, onclick: () => { quiet(); act.restrict(l.from, "muted"); } }, "Mute"),
        removeButton(l.from, who),
        act.blockForm ? h("button", { type: "button", class: "danger small", "data-action": "chat-block", "aria-label": `Block ${who}`, onclick: () => openBlock(l.from, who) }, "Block") : null,
      ] : null) : null;
    return h("div", { class: l.tip ? "chat-line chat-tip" : "chat-line", "data-chat-id": l.id, "data-from": l.from },
      h("span", { class: "chat-name" }, who),
      " ",
      h("time", { class: "chat-time", datetime: l.at }, clockTime(l.at, timeZone())),
      " ",
      l.tip ? h("strong", { class: "chat-tip-amount", "data-tip": "" }, `tipped ${tipAmount(l.tip)}`) : null,
      l.tip ? " " : null,
      h("span", { class: "chat-text" }, l.text),
      tools);
  };

  /** removeButton asks once more before the account is cut off. */
  const removeButton = (address: string, who: string): HTMLElement => {
    const b = h("button", { type: "button", class: "danger small", "data-action": "chat-remove", "aria-label": `Remove ${who}` }, "Remove");
    b.addEventListener("click", () => {
      if (b.dataset.confirm === "1") { quiet(); act.restrict(address, "removed"); return; }
      b.dataset.confirm = "1";
      b.dataset.action = "chat-remove-confirm";
      b.textContent = "Yes, remove";
      b.setAttribute("aria-label", `Yes, remove ${who} from the stream`);
      say(`Remove ${who}? They lose the video and the chat until the stream ends. Press "Yes, remove" to confirm.`, false);
    });
    return b;
  };

  const rowOf = (id: string) => list.querySelector<HTMLElement>(`[data-chat-id="${CSS.escape(id)}"]`);
  const notice = (text: string) => list.append(h("div", { class: "chat-notice", "data-chat-notice": "" }, text));

  paintInput();
  return {
    el,
    event(e) {
      switch (e.kind) {
        case "lines": {
          // Follow the newest line unless the reader scrolled up.
          const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
          for (const l of e.lines) {
            const at = log.add(l);
            if (!at) continue;
            for (const id of at.dropped) rowOf(id)?.remove();
            list.insertBefore(row(l), (at.before && rowOf(at.before)) || null);
          }
          if (atEnd) list.scrollTop = list.scrollHeight;
          break;
        }
        case "deleted":
          if (log.remove(e.id)) rowOf(e.id)?.remove();
          break;
        case "restricted": {
          notice(noticeOf(e.name ?? log.nameOf(e.address), e.restriction));
          access = restrict(access, me, e.address, e.restriction);
          break;
        }
      }
      paintInput();
    },
    refused(err) {
      if (err.code === "chat_muted") access = restrict(access, me, me, "muted");
      // The line did not go: give it back to edit.
      if (err.request === "chat" && !input.value && err.code !== "chat_muted") {
        input.value = lastDraft;
        count.textContent = chatCounter(lastDraft);
      }
      say(explain(err));
      paintInput();
    },
  };
}
