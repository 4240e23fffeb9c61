// The stream page. Broadcaster: start, mute microphone, camera off, share
// screen (with system audio where the browser allows), stop; edit (in place:
// the broadcast goes on), delete; block from the chat. Viewer: subscribe
// (the price said first: subscription.ts), renew, unsubscribe, tip, watch, and
// a player whose controls stay in fullscreen (play, volume, picture in
// picture, fullscreen); the states not subscribed / not started yet
// (countdown) / live (uptime) / ended (the next stream). Both: share link,
// add to calendar. The stream is read again every few seconds, so an edit
// reaches every viewer's page within a block or two.
import * as api from "../api.ts";
import { fill, focusHeading, h, setTitle, statusLine, waiting } from "../dom.ts";
import { isChatRequest } from "../chat.ts";
import { explain, reconnected, reconnecting, sessionEnded, type SignalingRefusal } from "../errors.ts";
import { countdown, uptime, when } from "../format.ts";
import { holdPage, leaveTo } from "../guard.ts";
import { markStopped, onAir, onLive, viewers } from "../live.ts";
import { QUALITIES, qualityOf } from "../mediatier.ts";
import { Session } from "../signaling.ts";
import { onState, refreshMe, state, timeZone } from "../state.ts";
import { liveSince, streamPhase } from "../status.ts";
import * as tx from "../txs.ts";
import { byline, calendarLink, shareLink, thumbnail } from "../widgets.ts";
import { blockForm } from "./block.ts";
import { chatPanel, type ChatPanel } from "./chat.ts";
import { streamForm } from "./create.ts";
import { statsLine } from "./mediastats.ts";
import { capacityLine } from "./uplink.ts";
import { subscribeControls, termsLine } from "./subscription.ts";
import { tipControl } from "./tip.ts";
import { badge } from "./schedule.ts";

type Disposable = HTMLElement & { dispose?: () => void };

/** How often the page reads the stream again (edits by the broadcaster, deletion). */
const REFRESH_MS = 3000;

export function streamPage(id: string): HTMLElement {
  const root: Disposable = h("section", { class: "stream-page" }, h("p", { role: "status" }, "Loading the stream…"));
  const cleanups: (() => void)[] = [];
  root.dispose = () => cleanups.forEach((f) => f());
  setTitle("Stream");
  void api.stream(id).then((s) => {
    if (!s) {
      setTitle("Stream not found");
      root.replaceChildren(h("h1", { tabindex: -1 }, "Stream not found"), h("p", {}, "This stream does not exist or was deleted. ", h("a", { href: "#/" }, "Back to the schedule")));
      return;
    }
    render(root, s, cleanups);
  }, (e) => root.replaceChildren(h("h1", { tabindex: -1 }, "Stream"), h("p", { class: "status error", role: "alert" }, explain(e)),
    h("button", { type: "button", class: "secondary", onclick: () => { root.dispose?.(); root.replaceWith(streamPage(id)); } }, "Try again")));
  return root;
}

/** The parts of the page that follow the stream as the chain has it. */
interface Header {
  update(s: api.Stream): void;
}

function render(root: HTMLElement, s: api.Stream, cleanups: (() => void)[]) {
  const mine = state.wallet?.address === s.broadcaster;
  const badgeSlot = h("span", { class: "badge-slot" }, badge(s, false));
  const count = h("span", { class: "viewer-count", "aria-live": "polite", "data-viewer-count": "" });
  const up = h("span", { class: "uptime", "data-uptime": "" });
  const setCount = (n: number) => (count.textContent = onAir(s.id) || n ? `${n} watching` : "");
  setCount(viewers(s.id));
  const tick = () => {
    up.textContent = streamPhase(s) === "live" ? `On air for ${uptime(new Date(liveSince(s)), new Date())}` : "";
  };
  tick();
  const upTimer = setInterval(tick, 1000);
  cleanups.push(() => clearInterval(upTimer));
  cleanups.push(onLive(() => { badgeSlot.replaceChildren(badge(s, false)); setCount(viewers(s.id)); tick(); }));

  const title = h("h1", { tabindex: -1 }, s.title);
  const whenLine = h("p", { class: "when" });
  const desc = h("p", { class: "description" });
  const thumbSlot = h("div", { class: "thumb-slot" });
  const header: Header = {
    update(n) {
      Object.assign(s, n);
      title.textContent = n.title;
      setTitle(n.title);
      whenLine.textContent = when(new Date(n.start_time), new Date(n.end_time), timeZone());
      desc.textContent = n.description;
      desc.hidden = !n.description;
      thumbSlot.replaceChildren(thumbnail(n.img_link, "banner") ?? "");
      badgeSlot.replaceChildren(badge(n, false));
    },
  };
  header.update(s);
  cleanups.push(onState(() => header.update(s))); // a new profile time zone

  const video = h("video", { id: "player", playsinline: true, autoplay: true, "aria-label": "Stream video" }) as HTMLVideoElement;
  const stage = h("div", { class: "stage" }, video);
  const status = statusLine();
  const ownerSlot = mine ? ownerTools(s, header) : null;

  // Edits by the broadcaster and a deletion reach this page without a reload.
  let deleted = false;
  const refresh = setInterval(() => {
    void api.stream(s.id).then((n) => {
      if (!n) {
        if (!deleted) { deleted = true; status.fail("The broadcaster deleted this stream."); }
        return;
      }
      if (n.title !== s.title || n.description !== s.description || n.img_link !== s.img_link || n.start_time !== s.start_time || n.end_time !== s.end_time) header.update(n);
    }, () => undefined);
  }, REFRESH_MS);
  cleanups.push(() => clearInterval(refresh));

  fill(root,
    thumbSlot,
    title,
    h("p", { class: "meta" }, badgeSlot, " ", count, " ", up),
    h("p", { class: "by" }, "by ", byline(s.broadcaster)),
    mine ? termsLine(s.broadcaster) : null,
    whenLine,
    desc,
    mine ? broadcasterControls(s, video, stage, status, setCount, cleanups) : viewerControls(s, video, stage, status, setCount, cleanups),
    status,
    h("section", { class: "card share-card", "aria-label": "Share and add to calendar" },
      shareLink(`#/stream/${s.id}`, "Link to this stream"),
      calendarLink("Add to calendar", `stream-${s.id}.ics`, s.broadcaster, async () => [s])),
    ownerSlot,
  );
  focusHeading(title);
}

function broadcasterControls(s: api.Stream, video: HTMLVideoElement, stage: HTMLElement, status: ReturnType<typeof statusLine>, setCount: (n: number) => void, cleanups: (() => void)[]): HTMLElement {
  const w = state.wallet!;
  let session: Session | undefined;
  let camera: MediaStream | undefined;
  let screen: MediaStream | undefined;
  let audioCtx: AudioContext | undefined;
  const startBtn = h("button", { type: "button", "data-action": "start" }, "Start");
  const mic = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "mute" }, "Mute microphone");
  const cam = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "camera" }, "Camera off");
  const share = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "share" }, "Share screen");
  const stopBtn = h("button", { type: "button", class: "danger", disabled: true, "data-action": "stop" }, "Stop");
  // Chosen before going live: every viewer through the media server (PROTOCOL.md §4.4).
  const large = h("input", { type: "checkbox", "data-option": "large-audience" }) as HTMLInputElement;
  const stats = statsLine();
  const capacity = capacityLine();
  video.muted = true; // no echo of one's own microphone
  let release: (() => void) | undefined;
  const chat = chatSlot();
  // The status shows a media server refusal until the stream is published again.
  let sfuTrouble = false;

  const stop = () => {
    release?.();
    release = undefined;
    session?.close();
    session = undefined;
    chat.close();
    stats.stop();
    capacity.stop();
    for (const m of [camera, screen]) m?.getTracks().forEach((t) => t.stop());
    void audioCtx?.close();
    camera = screen = audioCtx = undefined;
    video.srcObject = null;
    for (const b of [mic, cam, share, stopBtn]) b.disabled = true;
    startBtn.disabled = large.disabled = false;
  };
  cleanups.push(stop);

  startBtn.onclick = async () => {
    startBtn.disabled = large.disabled = true;
    try {
      status.busy("Opening camera and microphone…");
      camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      video.srcObject = camera;
      status.busy("Signing in to the signaling server…");
      session = await Session.open(w, {
        onCount: setCount,
        onEnded: (reason) => { status.fail(sessionEnded(reason)); stop(); },
        onRefused: (err) => {
          if (chat.refused(err)) return;
          status.fail(explain(err));
          sfuTrouble ||= err.code.startsWith("sfu_");
          // shared_state_unavailable: the session moves on by itself (signaling.ts).
          if (err.request === "broadcast" && err.code !== "shared_state_unavailable") stop();
        },
        onCapacity: (n) => capacity.show(n),
        onPublished: () => { if (sfuTrouble) status.ok("The media server carries your stream again. You are on air."); sfuTrouble = false; },
        onChat: (e) => chat.panel?.event(e),
        // The camera stream is kept: the session sends it again on the new instance.
        onReconnecting: (why, attempt) => status.busy(reconnecting(why, attempt)),
        onReconnected: () => status.ok(`${reconnected()} You are on air.`),
      });
      session.broadcast(s.id, camera, large.checked);
      stats.start(session, "broadcaster");
      capacity.start(session, large.checked);
      chat.open(session, w.address, true);
      release = holdPage("You are on air: leaving this page ends your broadcast.");
      for (const b of [mic, cam, share, stopBtn]) b.disabled = false;
      stopBtn.focus();
      status.ok("You are on air. Viewers who subscribe to you can watch now.");
    } catch (e) {
      status.fail(explain(e));
      stop();
    }
  };
  stopBtn.onclick = () => { stop(); status.ok("You stopped the stream."); startBtn.focus(); };
  mic.onclick = () => {
    const t = camera?.getAudioTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    mic.setAttribute("aria-pressed", String(!t.enabled));
    mic.textContent = t.enabled ? "Mute microphone" : "Unmute microphone";
  };
  cam.onclick = () => {
    const t = camera?.getVideoTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    cam.setAttribute("aria-pressed", String(!t.enabled));
    cam.textContent = t.enabled ? "Camera off" : "Camera on";
  };
  share.onclick = async () => {
    if (!session || !camera) return;
    if (screen) {
      screen.getTracks().forEach((t) => t.stop());
      screen = undefined;
      await session.replaceTrack("video", camera.getVideoTracks()[0] ?? null);
      await session.replaceTrack("audio", camera.getAudioTracks()[0] ?? null);
      session.setMedia(camera);
      video.srcObject = camera;
      share.setAttribute("aria-pressed", "false");
      share.textContent = "Share screen";
      return;
    }
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      const v = screen.getVideoTracks()[0];
      let audio = camera.getAudioTracks()[0] ?? null;
      // System audio, where the browser offers it, is mixed with the microphone.
      if (screen.getAudioTracks().length && audio) {
        audioCtx = new AudioContext();
        const dest = audioCtx.createMediaStreamDestination();
        audioCtx.createMediaStreamSource(new MediaStream([audio])).connect(dest);
        audioCtx.createMediaStreamSource(new MediaStream(screen.getAudioTracks())).connect(dest);
        audio = dest.stream.getAudioTracks()[0];
      }
      await session.replaceTrack("video", v);
      await session.replaceTrack("audio", audio);
      session.setMedia(new MediaStream([v, ...(audio ? [audio] : [])]));
      video.srcObject = screen;
      share.setAttribute("aria-pressed", "true");
      share.textContent = "Stop sharing";
      v.onended = () => { if (screen) share.click(); };
    } catch (e) {
      screen = undefined;
      status.fail(explain(e));
    }
  };
  return h("div", {}, h("div", { class: "live-area" }, stage, chat.el),
    h("div", { class: "controls", role: "group", "aria-label": "Broadcast controls" }, startBtn, mic, cam, share, stopBtn,
      h("label", { class: "option" }, large, " Large audience (every viewer through the media server)")),
    stats.el, capacity.el);
}

function viewerControls(s: api.Stream, video: HTMLVideoElement, stage: HTMLElement, status: ReturnType<typeof statusLine>, setCount: (n: number) => void, cleanups: (() => void)[]): HTMLElement {
  const w = state.wallet;
  let session: Session | undefined;
  const chat = chatSlot();
  const stats = statsLine();
  const stateLine = h("p", { class: "viewer-state", "data-viewer-state": "" });
  const subs = subscribeControls(s.broadcaster, status, (kind) => {
    paint();
    // The focus stays where the user is: on Watch once it appears, else on the button.
    (kind === "subscribe" && subscribed() ? watch : kind === "renew" ? subs.renew : sub).focus();
  }, cleanups);
  const sub = subs.button;
  const watch = h("button", { type: "button", "data-action": "watch" }, "Watch");
  // The player's own controls sit inside the stage, so fullscreen keeps them.
  const play = h("button", { type: "button", class: "secondary", "data-action": "play" }, "Pause");
  const volume = h("input", { type: "range", min: 0, max: 1, step: 0.05, value: 1, "aria-label": "Volume" }) as HTMLInputElement;
  const pip = h("button", { type: "button", class: "secondary", "data-action": "pip", hidden: !document.pictureInPictureEnabled }, "Picture in picture");
  const full = h("button", { type: "button", class: "secondary", "data-action": "fullscreen" }, "Fullscreen");
  // Through the media server the viewer picks a simulcast layer; peer to peer there is one.
  const quality = h("select", { "data-action": "quality" }, ...QUALITIES.map((q) => h("option", { value: q.value }, q.label))) as HTMLSelectElement;
  const qualityLabel = h("label", { class: "quality", hidden: true }, "Quality ", quality);
  const bar = h("div", { class: "player-controls", role: "group", "aria-label": "Player controls" }, play, h("label", { class: "volume" }, "Volume ", volume), qualityLabel, pip, full);
  stage.append(bar);
  stage.hidden = true; // no black box until there is something to play
  // Why one cannot watch yet, and the one thing to do about it.
  const why = h("div", { class: "card why", "data-why": "" });
  // The stream is over: the broadcaster's next one.
  const endedCard = h("section", { class: "card ended-card", "data-ended-card": "", hidden: true, "aria-labelledby": `ended-${s.id}` });
  let endedShown = false;

  const subscribed = subs.subscribed;
  const paint = () => {
    const p = streamPhase(s);
    sub.hidden = !w;
    subs.paint();
    // Subscribe leads until the user subscribes; Watch stays (the server says why it refuses).
    watch.className = subscribed() ? "" : "secondary";
    if (p === "ended" && !session) showEnded();
    else if (p !== "ended" && endedShown) { endedShown = false; endedCard.hidden = true; }
    if (session) return;
    let text: string;
    if (p === "ended") text = "This stream has ended.";
    else if (!w) text = "Connect a wallet (top right) and subscribe to watch.";
    else if (!subscribed()) text = "Only subscribers can watch. Subscribe to this broadcaster, then press Watch.";
    else if (p === "live") text = "Live now: press Watch.";
    else if (p === "open") text = new Date() >= new Date(s.start_time) ? "The broadcaster is not on air yet." : `Not started yet: the broadcaster is not on air. Starts ${countdown(new Date(s.start_time), new Date())}.`;
    else text = `Not started yet. Starts ${countdown(new Date(s.start_time), new Date())}.`;
    stateLine.textContent = text;
    watch.disabled = !w || p === "ended";
    fill(why,
      !w ? h("p", {}, "Watching needs a wallet and a subscription to the broadcaster.") : null,
      w && !subscribed() && !state.profile ? h("p", { "data-needs-profile": "" }, "Subscribing needs a profile. ", h("a", { href: "#/account" }, "Create your profile"), ", then come back and press Subscribe.") : null,
      w && !subscribed() && state.profile ? h("p", {}, "Subscribing is a transaction on chain: your wallet asks you to approve it.") : null);
    why.hidden = !why.childNodes.length || p === "ended";
  };

  function showEnded() {
    if (endedShown) return;
    endedShown = true;
    endedCard.hidden = false;
    const next = h("p", { "data-next-stream": "" }, "Looking for the broadcaster's next stream…");
    fill(endedCard, h("h2", { id: `ended-${s.id}` }, "This stream has ended"), next,
      calendarLink("Add the broadcaster's streams to your calendar", `broadcaster-${s.broadcaster}.ics`, s.broadcaster, () => upcomingOf(s.broadcaster)));
    void nextStream(s).then((n) => {
      if (!n) { fill(next, "No next stream is scheduled yet. ", h("a", { href: `#/u/${s.broadcaster}` }, "See the broadcaster's page"), "."); return; }
      fill(next, "Next: ", h("a", { href: `#/stream/${n.id}` }, n.title), `, ${when(new Date(n.start_time), new Date(n.end_time), timeZone())}.`);
    }, () => fill(next, "The next stream could not be read: the chain's node did not answer."));
  }

  paint();
  const timer = setInterval(paint, 1000);
  cleanups.push(() => clearInterval(timer));
  cleanups.push(onLive(paint));
  cleanups.push(onState(paint));

  const leave = () => {
    session?.close();
    session = undefined;
    chat.close();
    stats.stop();
    video.srcObject = null;
    stage.hidden = true;
    qualityLabel.hidden = true;
    quality.value = "high";
    watch.textContent = "Watch";
    if (document.pictureInPictureElement === video) void document.exitPictureInPicture().catch(() => undefined);
  };
  cleanups.push(leave);

  watch.onclick = async () => {
    if (session) { leave(); paint(); watch.focus(); return; }
    if (!w) return;
    watch.disabled = true;
    status.busy("Signing in to the signaling server…");
    try {
      const sess = await Session.open(w, {
        onCount: setCount,
        onWaiting: () => { stateLine.textContent = "Waiting for the broadcaster to go on air…"; },
        onTier: (t) => {
          qualityLabel.hidden = t !== "sfu";
          if (status.classList.contains("busy")) status.busy(t === "sfu" ? "Connecting through the media server…" : "Connecting to the broadcaster…");
        },
        onQuality: (q) => { quality.value = q; },
        onTrack: (m) => {
          video.srcObject = m;
          void video.play().catch(() => undefined);
          stage.hidden = false;
          stateLine.textContent = "Live.";
          // Keep "Reconnected." and refusals; only the progress line goes.
          if (status.classList.contains("busy")) status.clear();
        },
        onEnded: (reason) => {
          if (reason === "broadcaster_left" || reason === "stream_over") markStopped(s.id);
          // Ended on chain (unsubscribed elsewhere, expired, blocked): Subscribe follows the chain.
          if (reason === "not_subscribed" || reason === "blocked" || reason === "subscription_expired") void refreshMe();
          leave();
          status.fail(sessionEnded(reason));
          paint();
        },
        onRefused: (err) => {
          if (chat.refused(err)) return;
          status.fail(explain(err));
          if (err.code === "not_subscribed") void refreshMe();
          if (err.request === "watch" && err.code !== "shared_state_unavailable") { leave(); paint(); }
        },
        onChat: (e) => chat.panel?.event(e),
        onReconnecting: (why, attempt) => status.busy(reconnecting(why, attempt)),
        onReconnected: () => status.ok(reconnected()),
      });
      session = sess;
      sess.watch(s.id);
      stats.start(sess, "viewer");
      chat.open(sess, w.address, false);
      watch.textContent = "Leave";
      status.busy("Connecting to the broadcaster…");
    } catch (e) {
      status.fail(explain(e));
    } finally {
      watch.disabled = false;
      watch.focus();
    }
  };
  play.onclick = () => {
    if (video.paused) { void video.play(); play.textContent = "Pause"; } else { video.pause(); play.textContent = "Play"; }
  };
  quality.onchange = () => session?.setQuality(qualityOf(quality.value));
  volume.oninput = () => { video.volume = Number(volume.value); video.muted = video.volume === 0; };
  full.onclick = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void stage.requestFullscreen?.().catch(() => undefined);
  };
  const onFull = () => { full.textContent = document.fullscreenElement === stage ? "Exit fullscreen" : "Fullscreen"; };
  document.addEventListener("fullscreenchange", onFull);
  cleanups.push(() => document.removeEventListener("fullscreenchange", onFull));
  pip.onclick = () => {
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined);
    else void video.requestPictureInPicture?.().catch((e: unknown) => status.fail(`Picture in picture is not available here (${(e as Error)?.message ?? e}).`));
  };
  video.addEventListener("enterpictureinpicture", () => { pip.textContent = "Exit picture in picture"; });
  video.addEventListener("leavepictureinpicture", () => { pip.textContent = "Picture in picture"; });
  return h("div", {}, stateLine, why, subs.info, h("div", { class: "controls", role: "group", "aria-label": "Watch" }, sub, watch),
    h("div", { class: "live-area" }, stage, chat.el), stats.el, tipControl(s, () => streamPhase(s) !== "ended", cleanups), endedCard);
}

/**
 * chatSlot holds the chat panel of the page's session: opened with the
 * session, gone with it (a viewer who leaves, is removed or is cut off by
 * the chain loses the chat with the video).
 */
function chatSlot() {
  const el = h("div", { class: "chat-slot" });
  const slot = {
    el,
    panel: undefined as ChatPanel | undefined,
    open(session: Session, me: string, moderator: boolean) {
      slot.panel = chatPanel(me, moderator, {
        send: (text) => session.chat(text),
        delete: (id) => session.chatDelete(id),
        restrict: (address, r) => session.chatRestrict(address, r),
        blockForm: moderator ? blockForm : undefined,
      });
      el.replaceChildren(slot.panel.el);
    },
    close() {
      slot.panel = undefined;
      el.replaceChildren();
    },
    /** refused shows a refusal of a chat request in the panel; false for any other refusal. */
    refused(err: SignalingRefusal): boolean {
      if (!isChatRequest(err.request)) return false;
      slot.panel?.refused(err);
      return true;
    },
  };
  return slot;
}

/** upcomingOf: a broadcaster's live and upcoming streams (first 50), for the calendar. */
export async function upcomingOf(broadcaster: string): Promise<api.Stream[]> {
  const [live, up] = await Promise.all([
    api.streams({ broadcaster, status: "STREAM_STATUS_LIVE", limit: 50 }),
    api.streams({ broadcaster, status: "STREAM_STATUS_UPCOMING", limit: 50 }),
  ]);
  return [...live.items, ...up.items];
}

/** nextStream: the broadcaster's next stream after `s` (live or upcoming), if any. */
async function nextStream(s: api.Stream): Promise<api.Stream | undefined> {
  const list = await upcomingOf(s.broadcaster);
  return list.filter((n) => n.id !== s.id && streamPhase(n) !== "ended").sort((a, b) => a.start_time.localeCompare(b.start_time))[0];
}

function ownerTools(s: api.Stream, header: Header): HTMLElement {
  const w = state.wallet!;
  const status = statusLine();
  const slot = h("div");
  // The edit form opens below and saves in place: the page (and a running
  // broadcast) stays; the header follows the chain.
  const edit = h("button", { type: "button", class: "secondary", "data-action": "edit", "aria-expanded": "false", onclick: () => {
    if (slot.firstChild) { slot.replaceChildren(); edit.setAttribute("aria-expanded", "false"); return; }
    edit.setAttribute("aria-expanded", "true");
    slot.replaceChildren(streamForm(s, async () => {
      const n = await api.stream(s.id).catch(() => null);
      if (n) header.update(n);
      slot.replaceChildren();
      edit.setAttribute("aria-expanded", "false");
      status.ok("Changes saved on chain.");
      edit.focus();
    }));
    slot.querySelector<HTMLInputElement>("input")?.focus();
  } }, "Edit stream");
  const confirm = h("button", { type: "button", class: "danger", hidden: true, "data-action": "confirm-delete" }, "Yes, delete it");
  const del = h("button", { type: "button", class: "danger", "data-action": "delete", onclick: () => {
    confirm.hidden = false;
    status.busy("Deleting cannot be undone: viewers are cut off and the stream leaves every list.");
    confirm.focus();
  } }, "Delete stream");
  confirm.onclick = async () => {
    confirm.disabled = true;
    try {
      await waiting(status, "Deleting: waiting for your wallet and the next block…", (signal) => tx.deleteStream(signal, w, s.id));
      leaveTo("#/"); // the stream is gone: nothing to ask about

    } catch (e) {
      status.fail(explain(e));
      confirm.disabled = false;
    }
  };
  return h("section", { class: "card owner-tools", "aria-label": "Manage this stream" }, h("div", { class: "controls" }, edit, del, confirm), status, slot);
}
