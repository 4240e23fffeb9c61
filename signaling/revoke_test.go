package signaling_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// fakeFeed is an EventFeed the test drives block by block.
type fakeFeed struct {
	blocks chan []signaling.ChainEvent
	states chan bool
}

func newFakeFeed() *fakeFeed {
	return &fakeFeed{blocks: make(chan []signaling.ChainEvent), states: make(chan bool)}
}

func (f *fakeFeed) Follow(ctx context.Context, block func(int64, []signaling.ChainEvent), state func(bool)) {
	state(true)
	var h int64
	for {
		select {
		case <-ctx.Done():
			return
		case evs := <-f.blocks:
			h++
			block(h, evs)
		case up := <-f.states:
			state(up)
		}
	}
}

// With the re-check an hour away, only the committed events can cut
// sessions: an unsubscribe removes the viewer, a schedule change moves the
// end, a deletion ends the stream.
func TestChainEventsRevokeWithinABlock(t *testing.T) {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)}, func(c *signaling.Config) {
		c.RecheckInterval = time.Hour
		c.CacheTTL = time.Minute
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, vpeer := e.viewer(fan, owner, id, b)

	e.chain.Unsubscribe(fan.Address, owner.Address)
	feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventUnsubscribed, Subscriber: fan.Address, Broadcaster: owner.Address}}
	m := v.Expect("removed")
	require.Equal(t, "not_subscribed", m.Str("reason"))
	m = b.Expect("viewer_left")
	require.Equal(t, vpeer, m.Str("peer_id"))
	require.Equal(t, "not_subscribed", m.Str("reason"))
	b.Expect("viewer_count")
	// The cached subscription is gone too: watching again is refused.
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("not_subscribed")

	// The stream is shortened on chain: the new end time ends it.
	now := time.Now()
	e.chain.SetSchedule(id, now.Add(-time.Minute), now.Add(300*time.Millisecond))
	feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventStreamEdited, StreamID: id, Broadcaster: owner.Address}}
	m = b.Expect("stream_ended")
	require.Equal(t, "stream_over", m.Str("reason"))

	// Deleted on chain: ended at once.
	other := e.liveStream(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": other})
	b.Expect("broadcasting")
	e.chain.DeleteStream(other)
	feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventStreamDeleted, StreamID: other, Broadcaster: owner.Address}}
	m = b.Expect("stream_ended")
	require.Equal(t, "stream_deleted", m.Str("reason"))
	for _, kind := range []string{"unsubscribed", "stream_edited", "stream_deleted"} {
		require.Equal(t, 1.0, e.metric("signaling_chain_events_total", "kind", kind), kind)
	}
}

// A lost feed shows in health and metrics; when it comes back every
// session is re-checked at once (events may have been missed meanwhile).
func TestLostEventFeedIsReportedAndReChecked(t *testing.T) {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)}, func(c *signaling.Config) {
		c.RecheckInterval = time.Hour
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)
	waitFor(t, "the feed to be followed", func() bool { return e.metric("signaling_chain_events_up") == 1 })
	_, body := e.health()
	require.Equal(t, "following", body["events"])

	// The feed's goroutine acts on the state after the send returns: wait
	// for it rather than race it.
	feed.states <- false
	waitFor(t, "health to report the feed lost", func() bool {
		_, body := e.health()
		return body["events"] == "lost"
	})
	waitFor(t, "the up metric to drop", func() bool { return e.metric("signaling_chain_events_up") == 0 })

	// Missed while lost.
	e.chain.Unsubscribe(fan.Address, owner.Address)
	feed.states <- true
	m := v.Expect("removed")
	require.Equal(t, "not_subscribed", m.Str("reason"))
	_, body = e.health()
	require.Equal(t, "following", body["events"])
}

// fakeRPC serves the two CometBFT RPC routes CometEvents reads.
// A subscription committed on chain is seen at once: its event forgets a
// cached "not subscribed".
func TestSubscribedEventForgetsCachedRefusal(t *testing.T) {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)}, func(c *signaling.Config) {
		c.NotFoundCacheTTL = time.Hour
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	v, _ := e.signedIn(fan)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("not_subscribed")
	e.chain.Subscribe(fan.Address, owner.Address)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("not_subscribed") // cached
	require.EqualValues(t, 1, e.metric("signaling_chain_queries_total", "query", "subscription", "result", "cached_not_subscribed"))
	feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventSubscribed, Subscriber: fan.Address, Broadcaster: owner.Address}}
	waitFor(t, "the cached refusal forgotten", func() bool {
		v.Send(map[string]any{"type": "watch", "stream_id": id})
		return v.Next().Type() == "watching"
	})
}

// A paid subscription's expiry cuts its viewer when it expires, with no
// event and no re-check due: the daemon asks the chain then. A renewal
// before it moves the cut to the new expiry.
func TestPaidSubscriptionExpiryCutsTheViewer(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.RecheckInterval = time.Hour
		c.CacheTTL = time.Minute
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	first := time.Now().Add(time.Second)
	e.chain.SubscribeUntil(fan.Address, owner.Address, first)
	v, _ := e.signedIn(fan)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.Expect("watching")
	v.Expect("viewer_count")
	b.Expect("viewer_joined")
	b.Expect("viewer_count")

	// Renewed before the first expiry: still watching after it.
	second := first.Add(1500 * time.Millisecond)
	e.chain.SubscribeUntil(fan.Address, owner.Address, second)
	if m, ok := v.TryNext(time.Until(first) + 500*time.Millisecond); ok {
		t.Fatalf("cut before the renewed expiry: %v", m)
	}
	m := v.Expect("removed")
	require.Equal(t, "subscription_expired", m.Str("reason"))
	late := time.Since(second)
	require.GreaterOrEqual(t, late, time.Duration(0), "cut before the expiry")
	t.Logf("cut %v after the expiry", late.Round(time.Millisecond))
	require.Equal(t, "subscription_expired", b.Expect("viewer_left").Str("reason"))
}

// A block or an expiry ends a subscription with an unsubscribe event
// written before its own: the viewer is told which it was.
func TestBlockAndExpiryEventsSayWhy(t *testing.T) {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)}, func(c *signaling.Config) {
		c.RecheckInterval = time.Hour
		c.CacheTTL = time.Minute
	})
	owner := signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	for _, c := range []struct {
		kind   signaling.EventKind
		reason string
	}{{signaling.EventBlocked, "blocked"}, {signaling.EventExpired, "subscription_expired"}} {
		fan := signalingtest.NewWallet()
		v, _ := e.viewer(fan, owner, id, b)
		e.chain.Unsubscribe(fan.Address, owner.Address)
		feed.blocks <- []signaling.ChainEvent{
			{Kind: signaling.EventUnsubscribed, Subscriber: fan.Address, Broadcaster: owner.Address},
			{Kind: c.kind, Subscriber: fan.Address, Broadcaster: owner.Address},
		}
		require.Equal(t, c.reason, v.Expect("removed").Str("reason"))
		require.Equal(t, c.reason, b.Expect("viewer_left").Str("reason"))
		b.Expect("viewer_count")
	}
}
