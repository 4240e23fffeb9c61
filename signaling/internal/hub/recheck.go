package hub

import (
	"errors"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The periodic re-check is the backstop of revocation: chain events
// (revoke.go) cut sessions within a block, and this loop catches whatever
// they missed (a lost event feed, a node that restarted).

// recheckLoop re-checks live sessions against the chain every interval, and
// at once when asked through recheckC. It never starts a round after stop.
func (h *Hub) recheckLoop() {
	defer h.loops.Done()
	t := time.NewTicker(h.cfg.RecheckInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		case <-h.recheckC:
		}
		select {
		case <-h.stop:
			return
		default:
		}
		h.recheck()
	}
}

// recheckSoon asks for a round now (after the event feed came back).
func (h *Hub) recheckSoon() {
	select {
	case h.recheckC <- struct{}{}:
	default:
	}
}

// recheckConcurrency bounds parallel queries during a re-check.
const recheckConcurrency = 8

// recheck asks the chain again, bypassing the cache, whether each attached
// stream still exists and each viewer is still subscribed, and cuts off what
// no longer holds. While the node is unreachable sessions survive for
// ChainOutageTolerance after their last confirmation.
func (h *Hub) recheck() {
	type viewerCheck struct {
		v                       *viewer
		subscriber, broadcaster string
	}
	type roomCheck struct {
		r       *room
		viewers []viewerCheck
	}
	h.mu.Lock()
	checks := make([]roomCheck, 0, len(h.rooms))
	for _, r := range h.rooms {
		rc := roomCheck{r: r}
		for _, v := range r.viewers {
			rc.viewers = append(rc.viewers, viewerCheck{v: v, subscriber: v.m.address, broadcaster: r.info.Broadcaster})
		}
		checks = append(checks, rc)
	}
	h.mu.Unlock()

	sem := make(chan struct{}, recheckConcurrency)
	var wg sync.WaitGroup
	spawn := func(f func()) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f()
		}()
	}
	for _, rc := range checks {
		if h.ctx.Err() != nil {
			break // draining: no new queries
		}
		spawn(func() { h.recheckStream(rc.r) })
		for _, vc := range rc.viewers {
			spawn(func() { h.recheckViewer(rc.r, vc.v, vc.subscriber, vc.broadcaster) })
		}
	}
	wg.Wait()
}

func (h *Hub) recheckStream(r *room) {
	info, err := h.chain.Stream(h.ctx, r.id, true)
	if h.ctx.Err() != nil {
		return // draining: a cancelled query says nothing about the chain
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r {
		return
	}
	now := h.now()
	switch {
	case errors.Is(err, chain.ErrStreamNotFound):
		h.endRoomLocked(r, protocol.ReasonStreamDeleted)
	case err != nil:
		if now.Sub(r.verified) > h.cfg.ChainOutageTolerance {
			h.endRoomLocked(r, protocol.ReasonChainUnavailable)
		}
	case !now.Before(info.EndTime):
		h.endRoomLocked(r, protocol.ReasonStreamOver)
	default:
		h.rescheduleLocked(r, info)
		r.verified = now
	}
}

func (h *Hub) recheckViewer(r *room, v *viewer, subscriber, broadcaster string) {
	acc, err := h.chain.Subscribed(h.ctx, subscriber, broadcaster, true)
	if h.ctx.Err() != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r || r.viewers[v.m.peerID] != v {
		return
	}
	now := h.now()
	switch {
	case err != nil:
		if now.Sub(v.verified) > h.cfg.ChainOutageTolerance {
			h.removeViewerLocked(r, v, protocol.ReasonChainUnavailable)
		}
	case !acc.Held && !v.until.IsZero() && !now.Before(v.until):
		h.removeViewerLocked(r, v, protocol.ReasonSubscriptionExpired)
	case !acc.Held:
		h.removeViewerLocked(r, v, protocol.ReasonNotSubscribed)
	default:
		v.verified = now
		h.armExpiryLocked(r, v, acc.Until)
	}
}
