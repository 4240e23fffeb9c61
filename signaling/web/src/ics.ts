// "Add to calendar": iCalendar (RFC 5545) files made in the page, one
// event per stream, for one stream or for a broadcaster's upcoming ones.
// Pure: the page turns the text into a download.

export interface CalendarStream {
  id: string;
  title: string;
  description: string;
  start_time: string;
  end_time: string;
}

/** escapeText escapes a TEXT value (RFC 5545 §3.3.11). */
export function escapeText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** fold splits a content line into lines of at most 75 octets (§3.1), never inside a character. */
export function fold(line: string): string {
  const enc = new TextEncoder();
  const out: string[] = [];
  let cur = "", size = 0, limit = 75;
  for (const ch of line) {
    const n = enc.encode(ch).length;
    if (size + n > limit) {
      out.push(cur);
      cur = " ";
      size = 1;
      limit = 75;
    }
    cur += ch;
    size += n;
  }
  out.push(cur);
  return out.join("\r\n");
}

/** stamp is an instant in iCalendar's UTC form: 20261201T130000Z. */
export function stamp(t: Date): string {
  return t.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * calendar is a VCALENDAR of the streams: `chainId` names the chain in
 * each UID (stable across downloads, so a calendar updates the event
 * instead of adding it twice); `pageURL` is the app's origin.
 */
export function calendar(streams: CalendarStream[], opts: { chainId: string; pageURL: string; organizer: string; now: Date; name?: string }): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//streamchain//web app//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"];
  if (opts.name) lines.push(`X-WR-CALNAME:${escapeText(opts.name)}`);
  for (const s of streams) {
    const url = `${opts.pageURL.replace(/\/$/, "")}/#/stream/${s.id}`;
    lines.push("BEGIN:VEVENT",
      `UID:stream-${s.id}@${opts.chainId}`,
      `DTSTAMP:${stamp(opts.now)}`,
      `DTSTART:${stamp(new Date(s.start_time))}`,
      `DTEND:${stamp(new Date(s.end_time))}`,
      `SUMMARY:${escapeText(s.title)}`,
      `DESCRIPTION:${escapeText([s.description, `Watch: ${url}`].filter(Boolean).join("\n\n"))}`,
      `URL:${url}`,
      `ORGANIZER;CN=${opts.organizer.replace(/[";:,]/g, " ")}:urn:streamchain:${opts.organizer}`,
      "END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}
