// Live chat as signaling/PROTOCOL.md §4.3 defines it, without the DOM: the
// events read from the server's messages, the log kept once per id in id
// order, the rules a line must pass before it is sent, and what the input
// allows after a restriction. The panel (pages/chat.ts) draws from these.
import { shortAddress } from "./format.ts";
import { bytes, checkText } from "./rules.ts";

/** The longest line, in UTF-8 bytes after trimming (PROTOCOL.md §9). */
export const CHAT_MAX_BYTES = 500;
/** How many lines a page keeps: the server's history (100) and what came since, bounded. */
export const CHAT_KEEP = 200;

/** One chat line as the server sends it. */
export interface ChatLine {
  id: string;
  from: string;
  name: string;
  text: string;
  at: string;
  /** A tip announced on chain ("5000000ustream"); its memo is `text`. */
  tip?: string;
}

export type Restriction = "muted" | "removed";

/** What the server said about a stream's chat. */
export type ChatEvent =
  | { kind: "lines"; lines: ChatLine[] }
  | { kind: "deleted"; id: string }
  | { kind: "restricted"; address: string; name?: string; restriction: Restriction };

/** The requests the server answers about chat (their refusals belong to the chat panel). */
const chatRequests = new Set(["chat", "chat_delete", "chat_mute", "chat_remove"]);

/** isChatRequest: a refusal of this request type is the chat panel's to show. */
export function isChatRequest(type: string | undefined): boolean {
  return !!type && chatRequests.has(type);
}

const str = (v: unknown): v is string => typeof v === "string";

/** lineOf reads one chat line; undefined when a field is missing or not a string. */
export function lineOf(v: unknown): ChatLine | undefined {
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== "object") return undefined;
  if (!str(o.id) || !o.id || !str(o.from) || !str(o.text) || !str(o.at)) return undefined;
  const line: ChatLine = { id: o.id, from: o.from, name: str(o.name) ? o.name : "", text: o.text, at: o.at };
  if (str(o.tip) && o.tip) line.tip = o.tip;
  return line;
}

/**
 * chatEvent reads a server message about stream `streamId`'s chat; anything
 * else (another stream, another type, a malformed line) is undefined.
 */
export function chatEvent(m: { type: string; [k: string]: unknown }, streamId: string): ChatEvent | undefined {
  if (String(m.stream_id) !== streamId) return undefined;
  switch (m.type) {
    case "chat": {
      const l = lineOf(m.message);
      return l && { kind: "lines", lines: [l] };
    }
    case "chat_history":
      return Array.isArray(m.messages) ? { kind: "lines", lines: m.messages.map(lineOf).filter((l): l is ChatLine => !!l) } : undefined;
    case "chat_deleted":
      return str(m.id) ? { kind: "deleted", id: m.id } : undefined;
    case "chat_restricted":
      if (!str(m.address) || (m.restriction !== "muted" && m.restriction !== "removed")) return undefined;
      return str(m.name) && m.name !== "" ? { kind: "restricted", address: m.address, name: m.name, restriction: m.restriction } : { kind: "restricted", address: m.address, restriction: m.restriction };
  }
  return undefined;
}

/**
 * ChatLog keeps the lines once per id, in id order (ids sort by time): a
 * line that comes both live and in the history is kept once, and a late
 * one takes its place by time. At most `keep` lines: the oldest go first.
 */
export class ChatLog {
  private ids: string[] = [];
  private byId = new Map<string, ChatLine>();

  constructor(private keep = CHAT_KEEP) {}

  /**
   * add keeps `line` unless its id is known; it returns where it goes (the
   * id of the line it precedes, "" for the end) and the ids that fell off
   * the front; undefined for a duplicate, or a line older than a full log.
   */
  add(line: ChatLine): { before: string; dropped: string[] } | undefined {
    if (this.byId.has(line.id)) return undefined;
    let i = this.ids.length;
    while (i > 0 && this.ids[i - 1] > line.id) i--;
    this.ids.splice(i, 0, line.id);
    this.byId.set(line.id, line);
    const before = this.ids[i + 1] ?? "";
    const dropped = this.ids.length > this.keep ? this.ids.splice(0, this.ids.length - this.keep) : [];
    for (const id of dropped) this.byId.delete(id);
    // Older than every line of a full log: it is not kept at all.
    if (dropped.includes(line.id)) return undefined;
    return { before, dropped };
  }

  /** remove drops a line (chat_deleted); false when it was not kept. */
  remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.ids.splice(this.ids.indexOf(id), 1);
    return true;
  }

  /** The lines, oldest first. */
  get lines(): ChatLine[] {
    return this.ids.map((id) => this.byId.get(id)!);
  }

  /** nameOf: how the log names an address, from its latest line that carries a profile name. */
  nameOf(address: string): string {
    for (let i = this.ids.length - 1; i >= 0; i--) {
      const l = this.byId.get(this.ids[i])!;
      if (l.from === address && l.name) return l.name;
    }
    return shortAddress(address);
  }
}

/** sender is how a line names who posted it: the profile name, else a shortened address. */
export function sender(l: Pick<ChatLine, "from" | "name">): string {
  return l.name || shortAddress(l.from);
}

/** chatBytes is what the server counts of a draft: its UTF-8 bytes once trimmed. */
export function chatBytes(draft: string): number {
  return bytes(draft.trim());
}

/** chatCounter is the input's "12 / 500". */
export function chatCounter(draft: string): string {
  return `${chatBytes(draft)} / ${CHAT_MAX_BYTES}`;
}

/**
 * draftProblem is the sentence that keeps a draft from being sent ("" when
 * it may go): the server's rules for a line (§4.3), which are the chain's
 * for a title, on the trimmed text.
 */
export function draftProblem(draft: string): string {
  const t = draft.trim();
  if (t === "") return "Type a message first.";
  return checkText(t, { label: "The message", max: CHAT_MAX_BYTES, required: true }).replace(/ Fill it in\.$/, " Type something visible.");
}

/**
 * tipAmount shows a tip's amount in STREAM with its 6 decimals
 * ("5000000ustream" → "5.000000 STREAM"); an amount in another
 * denomination is shown as the server wrote it.
 */
export function tipAmount(amount: string): string {
  const m = /^(\d{1,30})ustream$/.exec(amount);
  if (!m) return amount;
  const v = BigInt(m[1]);
  return `${(v / 1_000_000n).toLocaleString("en-US")}.${(v % 1_000_000n).toString().padStart(6, "0")} STREAM`;
}

/** The chat input after the broadcaster's restrictions: what one may do, and why not. */
export interface ChatAccess {
  muted: boolean;
  removed: boolean;
}

/**
 * restrict applies a restriction to `me`'s access when it names `me`: a
 * restriction is never weakened (muting a removed account leaves it removed).
 */
export function restrict(access: ChatAccess, me: string, address: string, r: Restriction): ChatAccess {
  if (address !== me) return access;
  return { muted: access.muted || r === "muted" || r === "removed", removed: access.removed || r === "removed" };
}

/** noticeOf is the short line the log shows for a restriction: "Bob was muted". */
export function noticeOf(name: string, r: Restriction): string {
  return `${name} was ${r === "muted" ? "muted" : "removed"}.`;
}

/** clockTime is a line's time as the log shows it, hours and minutes ("20:15"). */
export function clockTime(at: string, timeZone?: string, locale = "en-GB"): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(d);
}
