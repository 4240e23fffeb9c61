package hub

import "time"

// Paid subscriptions end at their expiry. A viewer whose subscription
// expires is checked with the chain when it does and cut if the chain
// agrees, whether or not the event feed is followed and however many
// expiries the chain's end blocker leaves for later blocks (it bounds its
// work per block). A renewal moves the expiry: the check then finds the
// new one and waits for it.

// expiryRecheck is how soon a viewer is asked about again when the chain
// still lets it watch past its expiry: the chain judges by its latest
// block's time, up to a block behind the wall clock.
const expiryRecheck = time.Second

// armExpiryLocked (re)sets v's expiry check for until; zero: the
// subscription does not expire.
func (h *Hub) armExpiryLocked(r *room, v *viewer, until time.Time) {
	if v.expiry != nil {
		v.expiry.Stop()
		v.expiry = nil
	}
	v.until = until
	if until.IsZero() {
		return
	}
	wait := until.Sub(h.now())
	if wait <= 0 {
		wait = expiryRecheck
	}
	subscriber, broadcaster := v.m.address, r.info.Broadcaster
	v.expiry = time.AfterFunc(wait, func() { h.recheckViewer(r, v, subscriber, broadcaster) })
}
