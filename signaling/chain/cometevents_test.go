package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeRPC is a CometBFT node's JSON-RPC as the event feed reads it: the
// newest height and each height's results.
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
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			Height string `json:"height"`
		} `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch req.Method {
	case "status":
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"sync_info":{"latest_block_height":"%d"}}}`, req.ID, f.height)
	case "block_results":
		h, _ := strconv.ParseInt(req.Params.Height, 10, 64)
		if h > f.height || (h == f.height && f.executing.Load()) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32603,"message":"Internal error","data":"height in the future"}}`, req.ID)
			return
		}
		txs := f.blocks[h]
		if txs == "" {
			txs = "null"
		}
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"height":"%d","txs_results":%s,"finalize_block_events":[]}}`, req.ID, h, txs)
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
	feed, err := NewCometEvents("tcp://"+hs.Listener.Addr().String(), time.Second)
	require.NoError(t, err)

	type block struct {
		h   int64
		evs []ChainEvent
	}
	blocks, states := make(chan block, 100), make(chan bool, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed.Follow(ctx, func(h int64, evs []ChainEvent) { blocks <- block{h, evs} }, func(up bool) { states <- up })
	}()
	defer func() { cancel(); <-done }()
	require.True(t, <-states)
	require.Equal(t, int64(5), (<-blocks).h, "starts at the newest block")

	// A failed tx's events do not count; typed-event values are JSON.
	rpc.commit(`[{"code":0,"events":[{"type":"streamchain.streaming.v1.EventUnsubscribed","attributes":[{"key":"broadcaster","value":"\"stream1b\""},{"key":"subscriber","value":"\"stream1s\""},{"key":"msg_index","value":"0"}]},` +
		// A block that ended a subscription, and an expiry, after their unsubscribes.
		`{"type":"streamchain.streaming.v1.EventBlocked","attributes":[{"key":"broadcaster","value":"\"stream1b\""},{"key":"account","value":"\"stream1s\""},{"key":"reason","value":"\"spam\""},{"key":"unsubscribed","value":"true"}]},` +
		`{"type":"streamchain.streaming.v1.EventSubscriptionExpired","attributes":[{"key":"subscriber","value":"\"stream1x\""},{"key":"broadcaster","value":"\"stream1b\""},{"key":"expires_at","value":"\"2026-12-07T00:00:00Z\""}]}]},` +
		`{"code":5,"events":[{"type":"streamchain.streaming.v1.EventStreamDeleted","attributes":[{"key":"stream_id","value":"\"9\""}]}]}]`)
	rpc.commit(`[{"code":0,"events":[{"type":"streamchain.streaming.v1.EventStreamDeleted","attributes":[{"key":"broadcaster","value":"\"stream1b\""},{"key":"stream_id","value":"\"7\""}]},{"type":"message","attributes":[]},` +
		// A tip for stream 8 (a chat line), one for no stream (none), one
		// whose amount is not a coin (dropped).
		`{"type":"streamchain.streaming.v1.EventTip","attributes":[{"key":"sender","value":"\"stream1s\""},{"key":"broadcaster","value":"\"stream1b\""},{"key":"amount","value":"{\"denom\":\"ustream\",\"amount\":\"5000000\"}"},{"key":"stream_id","value":"\"8\""},{"key":"memo","value":"\"great show\""}]},` +
		`{"type":"streamchain.streaming.v1.EventTip","attributes":[{"key":"sender","value":"\"stream1s\""},{"key":"broadcaster","value":"\"stream1b\""},{"key":"amount","value":"{\"denom\":\"ustream\",\"amount\":\"1\"}"},{"key":"stream_id","value":"\"0\""}]},` +
		`{"type":"streamchain.streaming.v1.EventTip","attributes":[{"key":"sender","value":"\"stream1s\""},{"key":"broadcaster","value":"\"stream1b\""},{"key":"amount","value":"\"lots\""},{"key":"stream_id","value":"\"8\""}]}]}]`)
	b6, b7 := <-blocks, <-blocks
	require.Equal(t, int64(6), b6.h)
	require.Equal(t, []ChainEvent{
		{Kind: EventUnsubscribed, Subscriber: "stream1s", Broadcaster: "stream1b"},
		{Kind: EventBlocked, Subscriber: "stream1s", Broadcaster: "stream1b"},
		{Kind: EventExpired, Subscriber: "stream1x", Broadcaster: "stream1b"},
	}, b6.evs)
	require.Equal(t, int64(7), b7.h)
	require.Equal(t, []ChainEvent{
		{Kind: EventStreamDeleted, StreamID: 7, Broadcaster: "stream1b"},
		{Kind: EventTip, StreamID: 8, Broadcaster: "stream1b", Sender: "stream1s", Amount: "5000000ustream", Memo: "great show", Key: "7/3"},
	}, b7.evs)

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

// The newest block's results missing for a moment (the node is still
// executing it) is not a lost feed: the block is read at the next poll, and
// no re-check of every session is triggered.
func TestCometEventsWaitsForTheNewestBlockResults(t *testing.T) {
	rpc := &fakeRPC{height: 5, blocks: map[int64]string{}}
	hs := httptest.NewServer(rpc)
	defer hs.Close()
	feed, err := NewCometEvents("http://"+hs.Listener.Addr().String(), time.Second)
	require.NoError(t, err)
	blocks, states := make(chan int64, 100), make(chan bool, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed.Follow(ctx, func(h int64, _ []ChainEvent) { blocks <- h }, func(up bool) { states <- up })
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
