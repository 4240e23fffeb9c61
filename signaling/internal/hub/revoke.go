package hub

import (
	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Revocation within one block: the hub follows the chain's committed events
// and cuts sessions as soon as the block that revokes them is committed.

const (
	feedOff  int32 = iota // no feed configured
	feedUp                // following blocks
	feedLost              // configured, not following: the re-check is all there is
)

func (h *Hub) followEvents() {
	defer h.loops.Done()
	h.m.ChainEventsUp.Set(0)
	h.feed.Follow(h.ctx, h.applyBlock, h.feedChanged)
}

func (h *Hub) feedChanged(up bool) {
	if up {
		was := h.feedState.Swap(feedUp)
		h.m.ChainEventsUp.Set(1)
		if was == feedLost {
			// Events may have been missed while the feed was lost (or
			// before it started): ask the chain about every session now.
			h.recheckSoon()
		}
		h.log.Info("following chain events")
		return
	}
	if h.feedState.Swap(feedLost) == feedUp {
		h.log.Warn("chain event feed lost; revocation falls back to the periodic re-check", "interval", h.cfg.RecheckInterval)
	}
	h.m.ChainEventsUp.Set(0)
}

// FeedStatus is "off", "following" or "lost", for the health endpoints.
func (h *Hub) FeedStatus() string {
	switch h.feedState.Load() {
	case feedUp:
		return "following"
	case feedLost:
		return "lost"
	default:
		return "off"
	}
}

func (h *Hub) applyBlock(height int64, events []chain.ChainEvent) {
	h.m.ChainEventHeight.Set(float64(height))
	for _, ev := range events {
		h.m.ChainEvents.WithLabelValues(string(ev.Kind)).Inc()
	}
	h.ApplyEvents(events)
	// The instances where this instance's viewers have their sessions
	// may not follow the chain right now: revocations reach every one.
	h.router.ShareEvents(events)
}

// ApplyEvents acts on committed events, from this instance's feed or from
// another instance's (shared mode).
func (h *Hub) ApplyEvents(events []chain.ChainEvent) {
	// A block or an expiry ends a subscription with its own
	// EventUnsubscribed, written before it: the viewers are cut first with
	// the reason, and the unsubscribe then finds them gone.
	for _, ev := range events {
		if reason, ok := endedBy[ev.Kind]; ok {
			h.unsubscribed(ev.Subscriber, ev.Broadcaster, reason)
		}
	}
	for _, ev := range events {
		switch ev.Kind {
		case chain.EventUnsubscribed:
			h.unsubscribed(ev.Subscriber, ev.Broadcaster, protocol.ReasonNotSubscribed)
		case chain.EventStreamDeleted:
			h.chain.ForgetStream(ev.StreamID)
			h.mu.Lock()
			if r := h.rooms[ev.StreamID]; r != nil {
				h.endRoomLocked(r, protocol.ReasonStreamDeleted)
			}
			h.mu.Unlock()
		case chain.EventStreamEdited:
			h.chain.ForgetStream(ev.StreamID)
			h.mu.Lock()
			r := h.rooms[ev.StreamID]
			h.mu.Unlock()
			if r != nil {
				h.recheckStream(r)
			}
		case chain.EventStreamScheduled:
			h.chain.ForgetStream(ev.StreamID)
		case chain.EventSubscribed:
			h.chain.ForgetSubscription(ev.Subscriber, ev.Broadcaster)
		case chain.EventTip:
			h.tipped(ev)
		}
	}
}

// endedBy is why a subscription ended, for the events that say it.
var endedBy = map[chain.EventKind]string{
	chain.EventBlocked: protocol.ReasonBlocked,
	chain.EventExpired: protocol.ReasonSubscriptionExpired,
}

// unsubscribed forgets the cached subscription and removes subscriber's
// viewer sessions of broadcaster's streams, telling them why.
func (h *Hub) unsubscribed(subscriber, broadcaster, reason string) {
	h.chain.ForgetSubscription(subscriber, broadcaster)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watching[subscriber] == 0 {
		return
	}
	for _, r := range h.rooms {
		if r.info.Broadcaster != broadcaster || r.perAccount[subscriber] == 0 {
			continue
		}
		for _, v := range sortedViewers(r) {
			if v.m.address == subscriber {
				h.removeViewerLocked(r, v, reason)
			}
		}
	}
}
