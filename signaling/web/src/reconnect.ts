// The signaling link: one signed-in WebSocket at a time to one of the
// signalingd instances, kept alive across instance failures. When the
// instance draining, closing (1001), vanishing (1006, any unexpected close)
// or refusing for want of shared state, the link signs in on another live
// instance (resume token if the server offered one, else the wallet again),
// re-sends the role message (broadcast / watch) and only then lets the old
// connection go (make-before-break). signaling/PROTOCOL.md, "Reconnecting
// and moving between instances". No DOM here: signaling.ts gives it the
// browser's WebSocket and fetch, the unit tests a fake server.
import { SignalingRefusal } from "./errors.ts";
import { memoryTokens, type ResumeTokens } from "./resume.ts";

export type Msg = { type: string; [k: string]: unknown };

/** An entry of GET /instances.json and of `draining`. */
export interface Instance {
  id: string;
  url: string;
}

/** The part of a WebSocket the link uses. */
export interface Socket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onclose: ((e: { code: number }) => void) | null;
}

export interface LinkDeps {
  /** The page's own origin (the instance that served it), tried first. */
  origin: string;
  /** Opens a WebSocket to a ws:// or wss:// URL. */
  open(url: string): Socket;
  /** GET <base>/instances.json; throws when that instance does not answer. */
  instances(base: string): Promise<Instance[]>;
  sleep(ms: number): Promise<void>;
  random(): number;
  address: string;
  /** The wallet's ADR-036 signature of a challenge (Keplr asks the user). */
  signIn(message: string): Promise<unknown>;
  /**
   * Where the resume token lives between connections: the page shares it
   * with its reloads and other tabs (resume.ts); by default only this link
   * keeps it.
   */
  tokens?: ResumeTokens;
}

export interface LinkEvents {
  /** A session message from the current connection. */
  message(m: Msg): void;
  /** The link is looking for an instance (attempt 1, 2, ... after delayMs). */
  reconnecting(why: string, attempt: number, delayMs: number): void;
  /** The role was resumed on `instance` (its id, or its host). */
  reconnected(instance: string): void;
  /**
   * The link is over for good: "taken_over", "disconnected" after the last
   * attempt, or the reason of a close for a fault of the client (faultOf).
   */
  lost(reason: string): void;
}

/**
 * Close codes that mean the client misbehaved (PROTOCOL.md §8), each with
 * the reason the page explains (errors.ts): never retried, since the same
 * client would only do the same again.
 */
const CLIENT_FAULTS: Record<number, string> = {
  1007: "invalid_payload",
  1009: "message_too_large",
  4001: "too_many_sign_in_failures",
  4002: "sign_in_timeout",
  4003: "over_rate_limit",
};

/** faultOf is the reason of a close for a fault of the client, or undefined. */
export function faultOf(code: number): string | undefined {
  return Object.hasOwn(CLIENT_FAULTS, code) ? CLIENT_FAULTS[code] : undefined;
}

/** Reconnect attempts before giving up: about 40 s in all with the backoff below. */
export const MAX_ATTEMPTS = 10;
const BASE_MS = 250;
const CAP_MS = 8000;

/**
 * backoffMs is capped exponential backoff with jitter: attempt 0 waits
 * 125–250 ms, each later one twice as long, up to 4–8 s. Half is random, so
 * the viewers of a lost instance do not all arrive at the same instant.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceil = Math.min(CAP_MS, BASE_MS * 2 ** attempt);
  return Math.round(ceil / 2 + (random() * ceil) / 2);
}

/** baseOf normalises an instance URL: scheme://host[:port], no slash. */
export function baseOf(url: string): string {
  return url.replace(/\/+$/, "");
}

/** wsURLOf is an instance's WebSocket: <url>/ws, http→ws, https→wss. */
export function wsURLOf(base: string): string {
  return `${baseOf(base).replace(/^http/, "ws")}/ws`;
}

/**
 * candidates orders the instances to try: the page's own origin first unless
 * it is the one that failed, then the others as the server listed them, and
 * the failed one last (a lone instance that restarts is still found).
 */
export function candidates(origin: string, known: Instance[], failed?: string): string[] {
  const all: string[] = [];
  for (const u of [origin, ...known.map((i) => i.url)].map(baseOf)) if (!all.includes(u)) all.push(u);
  if (!failed) return all;
  const f = baseOf(failed);
  return [...all.filter((u) => u !== f), f];
}

/**
 * pick is the instance for attempt n of `order` (the failed one last): the
 * others in turn, twice round, then all of them in turn from the failed one
 * (it may have come back).
 */
export function pick(order: string[], attempt: number): string {
  const others = order.length - 1;
  if (attempt < 2 * others) return order[attempt % others];
  return order[(attempt - 2 * others + others) % order.length];
}

/** One WebSocket to one instance. */
class Conn {
  signedIn = false;
  challenge = "";
  constructor(public base: string, public ws: Socket) {}
  send(m: Msg) {
    if (this.ws.readyState === 1) this.ws.send(JSON.stringify(m));
  }
  drop() {
    this.ws.onmessage = this.ws.onclose = null;
    try {
      this.ws.close(1000);
    } catch {
      // already closed
    }
  }
}

export class Link {
  private cur: Conn | undefined;
  private role: Msg | undefined;
  private tokens: ResumeTokens;
  private known: Instance[] = [];
  private closed = false;
  private recovering = false;
  /** The role is being sent again on the current connection (instance_lost). */
  private rejoining = false;

  private constructor(private deps: LinkDeps, private ev: LinkEvents) {
    this.tokens = deps.tokens ?? memoryTokens();
  }

  /** open signs in on the page's own instance; it rejects with the refusal. */
  static async open(deps: LinkDeps, ev: LinkEvents): Promise<Link> {
    const l = new Link(deps, ev);
    l.cur = await l.connect(baseOf(deps.origin));
    l.watchConn(l.cur);
    void l.refreshInstances([l.cur.base]);
    return l;
  }

  /** The instance the link is on: its id when /instances.json named it, else its host. */
  get instance(): string {
    return this.cur ? this.nameOf(this.cur.base) : "";
  }

  send(m: Msg) {
    this.cur?.send(m);
  }

  /** setRole sends broadcast/watch now and again on every new connection. */
  setRole(m: Msg) {
    this.role = m;
    this.send(m);
  }

  /** close ends the link: `leave` first when in a session. */
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.role) this.send({ type: "leave" });
    this.role = undefined;
    this.cur?.drop();
    this.cur = undefined;
  }

  private nameOf(base: string): string {
    return this.known.find((i) => baseOf(i.url) === base)?.id ?? base.replace(/^https?:\/\//, "");
  }

  /** refreshInstances remembers the live instances from the first of `bases` that answers. */
  private async refreshInstances(bases: string[]) {
    for (const b of bases) {
      try {
        const list = await this.deps.instances(b);
        if (Array.isArray(list) && list.length) this.known = list.filter((i) => typeof i?.url === "string");
        return;
      } catch {
        // that one is gone too: ask the next
      }
    }
  }

  /**
   * connect opens a WebSocket to `base` and signs in: with the resume token
   * when the server gave one, else (or when it is refused) with the wallet.
   * It resolves once the server says `authenticated`; it rejects with a
   * refusal, or for a close for a fault of the client with its reason as
   * the code (faultOf).
   */
  private connect(base: string): Promise<Conn> {
    const c = new Conn(base, this.deps.open(wsURLOf(base)));
    return new Promise((resolve, reject) => {
      let askedAgain = false;
      let resumed = false;
      const fail = (err: SignalingRefusal) => {
        c.drop();
        reject(err);
      };
      const signChallenge = async () => {
        try {
          const signature = await this.deps.signIn(c.challenge);
          c.send({ type: "auth", address: this.deps.address, message: c.challenge, signature });
        } catch (err) {
          c.drop();
          reject(err);
        }
      };
      c.ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as Msg;
        if (m.type === "challenge") {
          c.challenge = String(m.message);
          // Single use: whatever the answer, a token sent is spent (take forgets it).
          const token = askedAgain || resumed ? undefined : this.tokens.take();
          if (token) {
            resumed = true;
            c.send({ type: "resume", token });
          } else void signChallenge();
        } else if (m.type === "authenticated") {
          if (typeof m.address === "string" && m.address !== this.deps.address) {
            // A token of another account: never act as it.
            fail(new SignalingRefusal("auth_address_mismatch", `signed in as ${m.address}`));
            return;
          }
          c.signedIn = true;
          if (typeof m.resume_token === "string" && m.resume_token) this.tokens.save(m.resume_token, String(m.resume_expires_at ?? ""));
          resolve(c);
        } else if (m.type === "error") {
          if (m.request === "resume") void signChallenge();
          else if (m.request === "auth" && m.code === "auth_expired" && !askedAgain) {
            askedAgain = true;
            c.send({ type: "challenge" });
          } else fail(new SignalingRefusal(String(m.code), String(m.message), m.request as string | undefined));
        }
      };
      c.ws.onclose = (e) => {
        fail(new SignalingRefusal(faultOf(e.code) ?? "internal", `connection closed (${e.code})`));
      };
    });
  }

  /** watchConn routes a signed-in connection's messages and its end. */
  private watchConn(c: Conn) {
    c.ws.onmessage = (e) => {
      if (c !== this.cur || this.closed) return;
      this.onMessage(c, JSON.parse(String(e.data)) as Msg);
    };
    c.ws.onclose = (e) => {
      if (c !== this.cur || this.closed) return;
      this.cur = undefined;
      if (e.code === 4000 && !this.recovering) {
        // Taken over by another tab or device of the same account.
        this.closed = true;
        this.ev.lost("taken_over");
        return;
      }
      const fault = faultOf(e.code);
      if (fault) {
        // The server closed for something this client did (PROTOCOL.md §8):
        // reconnecting would only repeat it.
        this.closed = true;
        this.ev.lost(fault);
        return;
      }
      void this.recover(c.base, e.code === 1001 ? "instance_stopping" : "connection_lost");
    };
  }

  private onMessage(c: Conn, m: Msg) {
    if (m.type === "resume_token") {
      // A fresh token while signed in (PROTOCOL.md §3.4): a reload after the
      // first one expired still resumes without the wallet.
      if (typeof m.resume_token === "string" && m.resume_token) this.tokens.save(m.resume_token, String(m.resume_expires_at ?? ""));
      return;
    }
    if (m.type === "draining") {
      const others = Array.isArray(m.instances) ? (m.instances as Instance[]) : [];
      if (others.length) this.known = [...others, ...this.known.filter((k) => !others.some((o) => baseOf(o.url) === baseOf(k.url)))];
      void this.recover(c.base, "draining", true);
      return;
    }
    if (this.role && m.type === "error" && m.request === this.role.type && m.code === "shared_state_unavailable") {
      void this.recover(c.base, "shared_state_unavailable");
      this.ev.message(m);
      return;
    }
    if (this.role && m.type === "stream_ended" && m.reason === "instance_lost") {
      // This connection is fine; the other side's instance is not. Join again
      // here: a viewer waits for broadcaster_joined, a broadcaster for its viewers.
      this.ev.message(m);
      void this.rejoin(c);
      return;
    }
    // The session is over: nothing to resume on another connection.
    if (m.type === "removed" || m.type === "left" || (m.type === "stream_ended" && m.reason !== "instance_lost")) this.role = undefined;
    if (this.rejoining && m.type === "error" && m.request === this.role?.type) this.rejoining = false;
    if (this.rejoining && (m.type === "broadcasting" || m.type === "watching")) {
      this.rejoining = false;
      this.ev.message(m);
      this.ev.reconnected(this.nameOf(c.base));
      return;
    }
    this.ev.message(m);
  }

  private async rejoin(c: Conn) {
    if (this.rejoining || this.recovering) return;
    this.rejoining = true;
    const delay = backoffMs(0, this.deps.random);
    this.ev.reconnecting("instance_lost", 1, delay);
    await this.deps.sleep(delay);
    if (c === this.cur && this.role && !this.closed) c.send(this.role);
    else this.rejoining = false;
  }

  /**
   * recover finds another instance: backoff (none for the first try of a
   * drain), sign in, send the role again, wait for its answer, then drop the
   * connection it replaces. The old one, if still open, keeps serving until then.
   */
  private async recover(failed: string, why: string, now = false) {
    if (this.recovering || this.closed) return;
    this.recovering = true;
    this.rejoining = false;
    try {
      // A connection that signed in but whose role was refused for want of
      // shared state: asked again after the next backoff, no new sign-in.
      let spare: Conn | undefined;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const delay = now && attempt === 0 ? 0 : backoffMs(attempt, this.deps.random);
        this.ev.reconnecting(why, attempt + 1, delay);
        await this.deps.sleep(delay);
        if (this.closed) return spare?.drop();
        let c: Conn;
        if (spare?.ws.readyState === 1) {
          c = spare;
        } else {
          // The list from any instance that answers (the failed one last).
          if (!now || attempt > 0) await this.refreshInstances(candidates(this.deps.origin, this.known, failed));
          try {
            c = await this.connect(pick(candidates(this.deps.origin, this.known, failed), attempt));
          } catch (err) {
            const fault = err instanceof SignalingRefusal && Object.values(CLIENT_FAULTS).includes(err.code) ? err.code : undefined;
            if (!fault) continue;
            // Another instance closed this client for its own fault: no loop.
            this.closed = true;
            this.cur?.drop();
            this.cur = undefined;
            this.ev.lost(fault);
            return;
          }
        }
        spare = undefined;
        if (this.closed) return c.drop();
        const answer = this.role ? await this.resumeRole(c) : undefined;
        if (answer === null) continue; // closed before answering
        if (answer?.type === "error" && answer.code === "shared_state_unavailable") {
          spare = c;
          continue;
        }
        const old = this.cur;
        this.cur = c;
        this.watchConn(c);
        old?.drop();
        if (answer) this.ev.message(answer);
        this.ev.reconnected(this.nameOf(c.base));
        return;
      }
      spare?.drop();
      this.closed = true;
      this.cur?.drop();
      this.cur = undefined;
      this.ev.lost("disconnected");
    } finally {
      this.recovering = false;
    }
  }

  /**
   * resumeRole sends the role on a new connection and resolves with the
   * server's answer to it (broadcasting / watching / an error), or null if
   * the connection closes first.
   */
  private resumeRole(c: Conn): Promise<Msg | null> {
    const role = this.role!;
    return new Promise((resolve) => {
      c.ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as Msg;
        if (m.type === "broadcasting" || m.type === "watching" || (m.type === "error" && m.request === role.type)) resolve(m);
      };
      c.ws.onclose = () => resolve(null);
      c.send(role);
    });
  }
}
