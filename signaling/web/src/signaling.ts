// The signaling client (signaling/PROTOCOL.md): sign in with the wallet, then
// broadcast (one RTCPeerConnection per direct viewer, and one to the media
// server when the stream needs it, §4.4) or watch (from the broadcaster or
// from the media server, peer "sfu"). The WebSocket is a
// Link (reconnect.ts): when its instance goes away the link moves to another
// one and sends broadcast/watch again; the peer connections here keep their
// media flowing until the new negotiation replaces them.
import { chatEvent, type ChatEvent } from "./chat.ts";
import { SignalingRefusal } from "./errors.ts";
import { applyIceServers, iceServersOf } from "./ice.ts";
import { addSfuTrack, broadcastMsg, passiveAnswer, qualityOf, SFU_PEER, tierOf, type Quality, type Tier } from "./mediatier.ts";
import { Link, type Instance, type Msg, type Socket } from "./reconnect.ts";
import { storedTokens } from "./resume.ts";
import { directCapacityMsg } from "./uplink.ts";
import type { Wallet } from "./wallet.ts";

export interface SessionEvents {
  /** viewer_count from the server. */
  onCount?(n: number): void;
  /** The session is over: stream_ended / removed reason, or "disconnected". */
  onEnded?(reason: string): void;
  /** A refusal of broadcast/watch or of a later message. */
  onRefused?(err: SignalingRefusal): void;
  /** Viewer: the broadcaster's media arrived. */
  onTrack?(stream: MediaStream): void;
  /** Viewer: waiting for the broadcaster to connect. */
  onWaiting?(): void;
  /** Viewer: the path this session's media takes (watching's tier). */
  onTier?(tier: Tier): void;
  /** Viewer through the media server: the quality in force (sfu_quality's answer). */
  onQuality?(q: Quality): void;
  /** Broadcaster: the media server answered: the stream is published to it (again, after sfu_publish). */
  onPublished?(): void;
  /** Broadcaster: the direct capacity in force (broadcasting's, then each direct_capacity answer, §4.4). */
  onCapacity?(n: number): void;
  /** The signaling instance is gone or leaving: looking for another (why: a reason code). */
  onReconnecting?(why: string, attempt: number): void;
  /** Broadcast/watch resumed on `instance`. */
  onReconnected?(instance: string): void;
  /** The stream's chat: lines (live or the history), a deletion, a restriction (PROTOCOL.md §4.3). */
  onChat?(e: ChatEvent): void;
}

/** How long a broadcaster keeps the peer connections of an earlier connection whose viewers do not come back. */
const STALE_PEERS_MS = 15_000;

/** fetchInstances reads GET <base>/instances.json (PROTOCOL.md §10). */
export async function fetchInstances(base: string): Promise<Instance[]> {
  const r = await fetch(`${base}/instances.json`, { signal: AbortSignal.timeout(2000), cache: "no-store" });
  if (!r.ok) throw new Error(`${base}/instances.json: ${r.status}`);
  return ((await r.json()) as { instances?: Instance[] }).instances ?? [];
}

/** pageStorage is localStorage, or undefined where the browser refuses it. */
export function pageStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Session is one signed-in signaling link with at most one broadcast or watch. */
export class Session {
  private link!: Link;
  private ice: RTCIceServer[] = [];
  /** The stream of the current role (broadcast or watch). */
  private streamId = "";
  private peers = new Map<string, RTCPeerConnection>();
  private pending = new Map<string, RTCIceCandidateInit[]>();
  private broadcasterPeer = "";
  private closed = false;
  /** Broadcaster: peer connections negotiated before the link moved. */
  private stale = new Set<string>();
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Viewer: the peer connection that still plays while a new one is negotiated. */
  private previous: RTCPeerConnection | undefined;
  private broadcasts = 0;
  /** The viewer's peer connection, for getStats(). */
  pc: RTCPeerConnection | undefined;
  /** Viewer: the tier of the session (watching's tier). */
  tier: Tier = "direct";
  /** Viewer through the media server: the quality chosen; kept when the session moves to another instance. */
  quality: Quality = "high";
  /** Broadcaster: whether the server has a media server tier (broadcasting's sfu). */
  sfu = false;
  /** Broadcaster: the direct capacity in force (broadcasting's, then direct_capacity's). */
  capacity: number | undefined;
  /** Broadcaster: the last direct capacity reported, sent again after a move to another instance. */
  private reported: number | undefined;

  private constructor(private ev: SessionEvents) {}

  /** open connects and signs in; it resolves once the server says authenticated. */
  static async open(wallet: Wallet, ev: SessionEvents): Promise<Session> {
    const s = new Session(ev);
    s.link = await Link.open({
      origin: location.origin,
      open: (url) => new WebSocket(url) as unknown as Socket,
      instances: fetchInstances,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
      address: wallet.address,
      signIn: (message) => wallet.signIn(message),
      // Shared with reloads and other tabs: none of them asks the wallet again.
      tokens: storedTokens(pageStorage(), wallet.address),
    }, {
      message: (m) => void s.handle(m),
      reconnecting: (why, attempt) => { if (!s.closed) s.ev.onReconnecting?.(why, attempt); },
      reconnected: (instance) => { if (!s.closed) s.ev.onReconnected?.(instance); },
      lost: (reason) => {
        if (s.closed) return;
        s.closed = true;
        s.teardown();
        s.ev.onEnded?.(reason);
      },
    });
    return s;
  }

  /** The signaling instance this session is on (id or host). */
  get instance(): string {
    return this.link.instance;
  }

  private sendMsg(m: Msg) {
    this.link.send(m);
  }

  private media: MediaStream | undefined;

  /**
   * broadcast goes on air with `media`; viewers join as they come. A large
   * audience sends every viewer through the media server (§4.4).
   */
  broadcast(streamId: string, media: MediaStream, largeAudience = false) {
    this.media = media;
    this.streamId = streamId;
    this.link.setRole(broadcastMsg(streamId, largeAudience));
  }

  /** setQuality asks the media server for a simulcast layer (viewers through it only). */
  setQuality(q: Quality) {
    this.quality = q;
    if (this.tier === "sfu") this.sendMsg({ type: "sfu_quality", quality: q });
  }

  /** Broadcaster: report the direct capacity measured from the uplink (§4.4). */
  directCapacity(n: number) {
    const m = directCapacityMsg(this.streamId, n);
    this.reported = m.direct_capacity;
    this.sendMsg(m);
  }

  /** watch joins as a viewer. */
  watch(streamId: string) {
    this.streamId = streamId;
    this.link.setRole({ type: "watch", stream_id: streamId });
  }

  /** replaceTrack swaps a track of this kind on every viewer's connection (screen sharing). */
  async replaceTrack(kind: "audio" | "video", track: MediaStreamTrack | null) {
    for (const pc of this.peers.values()) {
      for (const sender of pc.getSenders()) if (sender.track?.kind === kind || (!sender.track && track?.kind === kind)) await sender.replaceTrack(track);
    }
  }

  /** Broadcaster: the upload peer connections, by peer id (SFU_PEER for the media server). */
  uploads(): [string, RTCPeerConnection][] {
    return [...this.peers];
  }

  /** The current media (for viewers joining after a replaceTrack). */
  setMedia(media: MediaStream) {
    this.media = media;
  }

  /** chat posts a line to the session's chat. */
  chat(text: string) {
    this.sendMsg({ type: "chat", text });
  }

  /** Broadcaster: chatDelete deletes a line for everyone. */
  chatDelete(id: string) {
    this.sendMsg({ type: "chat_delete", id });
  }

  /** Broadcaster: chatRestrict mutes an account, or removes it from the stream. */
  chatRestrict(address: string, r: "muted" | "removed") {
    this.sendMsg({ type: r === "muted" ? "chat_mute" : "chat_remove", address });
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.link.close();
    this.teardown();
  }

  private teardown() {
    for (const pc of this.peers.values()) pc.close();
    this.peers.clear();
    this.previous?.close();
    this.previous = this.pc = undefined;
    clearTimeout(this.staleTimer);
  }

  /** Broadcaster: the link moved; the viewers that come back get new connections. */
  private markStale() {
    for (const peer of this.peers.keys()) this.stale.add(peer);
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      for (const peer of this.stale) {
        this.peers.get(peer)?.close();
        this.peers.delete(peer);
      }
      this.stale.clear();
    }, STALE_PEERS_MS);
  }

  /** Viewer: keep the playing connection until its replacement is connected. */
  private keepPlaying() {
    if (this.pc && !this.previous) this.previous = this.pc;
    if (this.pc) for (const [peer, pc] of this.peers) if (pc === this.pc) this.peers.delete(peer);
  }

  private newPeer(peer: string): RTCPeerConnection {
    this.peers.get(peer)?.close();
    this.stale.delete(peer);
    const pc = new RTCPeerConnection({ iceServers: this.ice });
    pc.onicecandidate = (e) => {
      if (e.candidate) this.sendMsg({ type: "candidate", to: peer, candidate: e.candidate.toJSON() });
    };
    this.peers.set(peer, pc);
    return pc;
  }

  /**
   * offerTo sends the broadcaster's media to `peer` on a new peer
   * connection: a direct viewer, or the media server (send only, video
   * as simulcast layers where the browser sends them: addSfuTrack).
   */
  private async offerTo(peer: string) {
    const pc = this.newPeer(peer);
    const media = this.media;
    const videoCodecs = peer === SFU_PEER ? RTCRtpSender.getCapabilities?.("video")?.codecs : undefined;
    for (const t of media?.getTracks() ?? []) {
      if (peer === SFU_PEER) addSfuTrack(pc, t, media!, videoCodecs);
      else pc.addTrack(t, media!);
    }
    await pc.setLocalDescription(await pc.createOffer());
    // A newer offer to the same peer replaced this one meanwhile.
    if (this.peers.get(peer) !== pc) return;
    this.sendMsg({ type: "offer", to: peer, sdp: pc.localDescription!.toJSON() });
  }

  private async flushCandidates(peer: string, pc: RTCPeerConnection) {
    for (const c of this.pending.get(peer) ?? []) await pc.addIceCandidate(c).catch(() => undefined);
    this.pending.delete(peer);
  }

  private async handle(m: Msg) {
    switch (m.type) {
      case "broadcasting":
      case "watching":
        this.ice = iceServersOf(m.ice_servers) ?? [];
        this.ev.onCount?.(Number(m.viewer_count ?? 0));
        if (m.type === "broadcasting") {
          this.sfu = m.sfu === true;
          this.capacity = Number(m.direct_capacity);
          this.ev.onCapacity?.(this.capacity);
          if (this.broadcasts++ > 0) {
            this.markStale();
            // broadcast again (another instance): the measured capacity holds there too.
            if (this.reported !== undefined) this.directCapacity(this.reported);
          }
        }
        if (m.type === "watching") {
          this.tier = tierOf(m.tier);
          this.ev.onTier?.(this.tier);
          // A session that moved keeps its choice: the new one starts at high.
          if (this.tier === "sfu" && this.quality !== "high") this.sendMsg({ type: "sfu_quality", quality: this.quality });
          // Watching again (another instance, or after instance_lost): the
          // playing connection stays until the new offer's is connected.
          this.keepPlaying();
          this.broadcasterPeer = String(m.broadcaster_peer_id ?? "");
          if (!this.broadcasterPeer) this.ev.onWaiting?.();
        }
        break;
      case "ice_servers": {
        // Fresh TURN credentials: for the connections that exist and the next ones.
        const servers = iceServersOf(m.ice_servers);
        if (!servers || String(m.stream_id) !== this.streamId) break;
        this.ice = servers;
        applyIceServers([...this.peers.values(), ...(this.previous ? [this.previous] : [])], servers);
        break;
      }
      case "viewer_joined":
        await this.offerTo(String(m.peer_id));
        break;
      case "sfu_publish":
        // The stream needs the media server, or its publication was lost:
        // publish (again) on a new peer connection; newPeer closes the old.
        if (String(m.stream_id) === this.streamId && this.media) await this.offerTo(SFU_PEER);
        break;
      case "viewer_left":
        this.peers.get(String(m.peer_id))?.close();
        this.peers.delete(String(m.peer_id));
        break;
      case "viewer_count":
        this.ev.onCount?.(Number(m.count));
        break;
      case "sfu_quality":
        this.ev.onQuality?.(qualityOf(m.quality));
        break;
      case "direct_capacity":
        if (String(m.stream_id) !== this.streamId) break;
        this.capacity = Number(m.direct_capacity);
        this.ev.onCapacity?.(this.capacity);
        break;
      case "broadcaster_joined":
        // A new broadcaster connection (a takeover, or the broadcaster back
        // from another instance) will offer; the old one plays until then.
        this.keepPlaying();
        this.broadcasterPeer = String(m.peer_id);
        break;
      case "offer": {
        const from = String(m.from);
        this.broadcasterPeer = from;
        const pc = this.newPeer(from);
        this.pc = pc;
        pc.onconnectionstatechange = () => {
          if (pc.connectionState !== "connected" || !this.previous || this.previous === pc) return;
          this.previous.close();
          this.previous = undefined;
        };
        pc.ontrack = (e) => this.ev.onTrack?.(e.streams[0] ?? new MediaStream([e.track]));
        await pc.setRemoteDescription(m.sdp as RTCSessionDescriptionInit);
        await this.flushCandidates(from, pc);
        const answer = await pc.createAnswer();
        // The media server's offer (a new one replaces the earlier peer
        // connection, newPeer): answered as the DTLS server (§4.4).
        if (from === SFU_PEER && answer.sdp) answer.sdp = passiveAnswer(answer.sdp);
        await pc.setLocalDescription(answer);
        this.sendMsg({ type: "answer", to: from, sdp: pc.localDescription!.toJSON() });
        break;
      }
      case "answer": {
        const from = String(m.from);
        const pc = this.peers.get(from);
        if (!pc) break;
        await pc.setRemoteDescription(m.sdp as RTCSessionDescriptionInit);
        await this.flushCandidates(from, pc);
        if (from === SFU_PEER) this.ev.onPublished?.();
        break;
      }
      case "candidate": {
        const from = String(m.from);
        const pc = this.peers.get(from);
        const c = m.candidate as RTCIceCandidateInit;
        if (pc?.remoteDescription) await pc.addIceCandidate(c).catch(() => undefined);
        else this.pending.set(from, [...(this.pending.get(from) ?? []), c]);
        break;
      }
      case "stream_ended":
        if (m.reason === "instance_lost") {
          // The other side's instance is gone: the link joins again (reconnect.ts);
          // the media already flowing keeps flowing until it is replaced.
          if (this.media) this.markStale();
          else this.keepPlaying();
          break;
        }
      // falls through
      case "removed":
        this.closed = true;
        this.teardown();
        this.ev.onEnded?.(String(m.reason));
        this.link.close();
        break;
      case "chat":
      case "chat_history":
      case "chat_deleted":
      case "chat_restricted": {
        const e = chatEvent(m, this.streamId);
        if (e) this.ev.onChat?.(e);
        break;
      }
      case "error":
        // A refused candidate (its peer left, or the media server refused
        // the offer it trickles for) leaves ICE to the others: nothing to tell.
        if (m.request === "candidate") break;
        // A refused report (during a move, or over the rate) is followed by the next one.
        if (m.request === "direct_capacity") break;
        this.ev.onRefused?.(new SignalingRefusal(String(m.code), String(m.message), m.request as string | undefined));
        break;
    }
  }
}
