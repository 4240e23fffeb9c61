// ICE servers from signalingd (signaling/PROTOCOL.md §4.2): the list that
// comes with `broadcasting`/`watching`, and the `ice_servers` event that
// renews minted TURN credentials every half lifetime while a session lasts.
// A TURN allocation made with expired credentials cannot be refreshed, so
// each of the session's peer connections gets the new list as soon as it
// arrives, and the ones made later start with it. No DOM here: the session
// gives it its RTCPeerConnections, the unit tests fakes.

/** The part of an RTCPeerConnection the renewal uses. */
export interface Configurable {
  readonly connectionState?: string;
  getConfiguration?(): RTCConfiguration;
  setConfiguration?(c: RTCConfiguration): void;
}

const SCHEMES = /^(stun|stuns|turn|turns):/;

/**
 * iceServersOf reads an `ice_servers` list in the browser's RTCIceServer
 * shape; undefined when it is not one (then the app keeps what it has).
 */
export function iceServersOf(v: unknown): RTCIceServer[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: RTCIceServer[] = [];
  for (const e of v) {
    if (typeof e !== "object" || e === null) return undefined;
    const { urls, username, credential } = e as Record<string, unknown>;
    const list = typeof urls === "string" ? [urls] : urls;
    if (!Array.isArray(list) || !list.length || !list.every((u) => typeof u === "string" && SCHEMES.test(u))) return undefined;
    if ((username !== undefined && typeof username !== "string") || (credential !== undefined && typeof credential !== "string")) return undefined;
    out.push({ urls: list as string[], ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) });
  }
  return out;
}

/**
 * applyIceServers gives `servers` to each open peer connection, keeping the
 * rest of its configuration; it returns how many took them. A browser
 * without setConfiguration, or one that refuses the change, keeps the old
 * credentials: that connection works until they expire.
 */
export function applyIceServers(pcs: Iterable<Configurable>, servers: RTCIceServer[]): number {
  let applied = 0;
  for (const pc of pcs) {
    if (pc.connectionState === "closed" || typeof pc.setConfiguration !== "function") continue;
    try {
      pc.setConfiguration({ ...(pc.getConfiguration?.() ?? {}), iceServers: servers });
      applied++;
    } catch {
      // InvalidModificationError and the like: the old servers stay
    }
  }
  return applied;
}
