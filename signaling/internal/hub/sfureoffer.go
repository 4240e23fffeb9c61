package hub

import (
	"time"

	"golang.org/x/time/rate"
)

// A viewer whose connection to the media server ends while it still
// watches (Janus hangs it up: ICE failed after a network change, a DTLS
// alert, the page closed its PeerConnection) gets a new offer from "sfu",
// as after a failover, so the player recovers without watching again.
// The new subscriptions are paced per viewer: one that keeps closing its
// connection costs the media server one subscription per reofferEvery
// after a burst of reofferBurst, and is never left without an offer.
const (
	reofferEvery = 10 * time.Second
	reofferBurst = 3
)

// reofferLocked subscribes v again, now or when its pace allows.
func (h *Hub) reofferLocked(r *room, v *viewer) {
	if v.reoffers == nil {
		v.reoffers = rate.NewLimiter(rate.Every(reofferEvery), reofferBurst)
	}
	h.m.SFUReoffers.Inc()
	delay := v.reoffers.Reserve().Delay()
	if delay == 0 {
		h.subscribeLocked(r, v)
		return
	}
	time.AfterFunc(delay, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		// Unless the viewer left, or a new publication subscribed it.
		if r.viewers[v.m.peerID] == v && v.ctx.Err() == nil && v.sub == nil && v.subOf == nil {
			h.subscribeLocked(r, v)
		}
	})
}
