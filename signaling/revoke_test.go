package signaling_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
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
type fakeRPC struct {
	mu     sync.Mutex
	height int64
	blocks map[int64]string // height → txs_results JSON
	down   atomic.Bool
	// executing: the newest block is saved but its results are not yet
	// (as CometBFT between saving and executing a block).
	executing atomic.Bool
}

func (f *fakeRPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.down.Load() {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/status":
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":-1,"result":{"sync_info":{"latest_block_height":"%d"}}}`, f.height)
	case "/block_results":
		var h int64
		fmt.Sscan(r.URL.Query().Get("height"), &h)
		if h > f.height || (h == f.height && f.executing.Load()) {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"height in the future"}}`)
			return
		}
		txs := f.blocks[h]
		if txs == "" {
			txs = "null"
		}
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":-1,"result":{"height":"%d","txs_results":%s,"finalize_block_events":[]}}`, h, txs)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeRPC) commit(txs string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.height++
	if txs != "" {
		f.blocks[f.height] = txs
	}
}

func TestCometEventsFollowsEveryBlock(t *testing.T) {
	rpc := &fakeRPC{height: 5, blocks: map[int64]string{}}
	hs := httptest.NewServer(rpc)
	defer hs.Close()
	feed, err := signaling.NewCometEvents("tcp://"+hs.Listener.Addr().String(), time.Second)
	require.NoError(t, err)

	type block struct {
		h   int64
		evs []signaling.ChainEvent
	}
	blocks, states := make(chan block, 100), make(chan bool, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed.Follow(ctx, func(h int64, evs []signaling.ChainEvent) { blocks <- block{h, evs} }, func(up bool) { states <- up })
	}()
	defer func() { cancel(); <-done }()
	require.True(t, <-states)
	require.Equal(t, int64(5), (<-blocks).h, "starts at the newest block")

	// A failed tx's events do not count; typed-event values are JSON.
	rpc.commit(`[{"code":0,"events":[{"type":"streamchain.streaming.v1.EventUnsubscribed","attributes":[{"key":"broadcaster","value":"\"stream1b\""},{"key":"subscriber","value":"\"stream1s\""},{"key":"msg_index","value":"0"}]}]},` +
		`{"code":5,"events":[{"type":"streamchain.streaming.v1.EventStreamDeleted","attributes":[{"key":"stream_id","value":"\"9\""}]}]}]`)
	rpc.commit(`[{"code":0,"events":[{"type":"streamchain.streaming.v1.EventStreamDeleted","attributes":[{"key":"broadcaster","value":"\"stream1b\""},{"key":"stream_id","value":"\"7\""}]},{"type":"message","attributes":[]}]}]`)
	b6, b7 := <-blocks, <-blocks
	require.Equal(t, int64(6), b6.h)
	require.Equal(t, []signaling.ChainEvent{{Kind: signaling.EventUnsubscribed, Subscriber: "stream1s", Broadcaster: "stream1b"}}, b6.evs)
	require.Equal(t, int64(7), b7.h)
	require.Equal(t, []signaling.ChainEvent{{Kind: signaling.EventStreamDeleted, StreamID: 7, Broadcaster: "stream1b"}}, b7.evs)

	// The node goes away and comes back two blocks later: the feed says it
	// was lost, then reads the blocks it missed.
	rpc.down.Store(true)
	require.False(t, <-states)
	rpc.commit("")
	rpc.commit("")
	rpc.down.Store(false)
	require.True(t, <-states)
	require.Equal(t, int64(8), (<-blocks).h)
	require.Equal(t, int64(9), (<-blocks).h)
}

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

// The newest block's results missing for a moment (the node is still
// executing it) is not a lost feed: the block is read at the next poll, and
// no re-check of every session is triggered.
func TestCometEventsWaitsForTheNewestBlockResults(t *testing.T) {
	rpc := &fakeRPC{height: 5, blocks: map[int64]string{}}
	hs := httptest.NewServer(rpc)
	defer hs.Close()
	feed, err := signaling.NewCometEvents("http://"+hs.Listener.Addr().String(), time.Second)
	require.NoError(t, err)
	blocks, states := make(chan int64, 100), make(chan bool, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed.Follow(ctx, func(h int64, _ []signaling.ChainEvent) { blocks <- h }, func(up bool) { states <- up })
	}()
	defer func() { cancel(); <-done }()
	require.True(t, <-states)
	require.Equal(t, int64(5), <-blocks)

	rpc.executing.Store(true)
	rpc.commit("")
	time.Sleep(600 * time.Millisecond) // three polls
	rpc.executing.Store(false)
	require.Equal(t, int64(6), <-blocks)
	select {
	case up := <-states:
		t.Fatalf("feed state changed to %v while the newest block was being executed", up)
	default:
	}

	// Results that never come are a lost feed after all.
	rpc.executing.Store(true)
	rpc.commit("")
	require.False(t, <-states)
	rpc.executing.Store(false)
	require.True(t, <-states)
	require.Equal(t, int64(7), <-blocks)
}
