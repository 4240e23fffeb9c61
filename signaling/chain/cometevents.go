package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/cosmos/gogoproto/proto"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// CometEvents is an EventFeed that reads every committed block's results
// from the node's CometBFT RPC (status, block_results at each height),
// through CometBFT's own RPC client.
// Polling each height, rather than holding a websocket subscription, means
// nothing is lost on a reconnect: after an outage the feed resumes at the
// next height it has not read, and only a gap longer than maxCatchUp blocks
// is skipped (and reported, so the hub re-checks every session).
type CometEvents struct {
	rpc  *rpchttp.HTTP
	poll time.Duration
}

const (
	// defaultEventPoll is how often the node is asked for a new height: a
	// fraction of a one-second block, so a revocation is seen well within
	// a block of its commit.
	defaultEventPoll = 200 * time.Millisecond
	// maxCatchUp is how many missed blocks are read after an outage before
	// the feed skips to the newest one instead.
	maxCatchUp = 300
	// maxHeadMisses is how many polls in a row the newest block's results
	// may be missing (the node has not finished executing it) before the
	// feed is reported lost: 2 s at the default poll.
	maxHeadMisses = 10
)

// Event types of x/streaming as the SDK writes typed events: the proto
// message's full name, read from the generated types; attribute values are
// JSON.
var (
	typeEventUnsubscribed    = proto.MessageName(&types.EventUnsubscribed{})
	typeEventSubscribed      = proto.MessageName(&types.EventSubscribed{})
	typeEventStreamDeleted   = proto.MessageName(&types.EventStreamDeleted{})
	typeEventStreamEdited    = proto.MessageName(&types.EventStreamEdited{})
	typeEventStreamScheduled = proto.MessageName(&types.EventStreamScheduled{})
	typeEventTip             = proto.MessageName(&types.EventTip{})
	typeEventBlocked         = proto.MessageName(&types.EventBlocked{})
	typeEventExpired         = proto.MessageName(&types.EventSubscriptionExpired{})
)

// NewCometEvents follows the node whose CometBFT RPC is at rpcURL
// ("http://127.0.0.1:26657"; "tcp://" is read as "http://").
func NewCometEvents(rpcURL string, timeout time.Duration) (*CometEvents, error) {
	if strings.HasPrefix(rpcURL, "tcp://") {
		rpcURL = "http://" + strings.TrimPrefix(rpcURL, "tcp://")
	}
	u, err := url.Parse(rpcURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rpc url %q: want http(s)://host:port", rpcURL)
	}
	rpc, err := rpchttp.NewWithClient(u.String(), "/websocket", &http.Client{Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("rpc url %q: %w", rpcURL, err)
	}
	return &CometEvents{rpc: rpc, poll: defaultEventPoll}, nil
}

// Follow implements EventFeed.
func (c *CometEvents) Follow(ctx context.Context, block func(int64, []ChainEvent), state func(bool)) {
	var next int64
	up := false
	set := func(v bool) {
		if v != up {
			up = v
			state(v)
		}
	}
	// headMisses counts polls in a row at which the newest block's
	// results could not be read.
	headMisses := 0
	t := time.NewTicker(c.poll)
	defer t.Stop()
	for {
		latest, err := c.latestHeight(ctx)
		switch {
		case err != nil:
			set(false)
		case next == 0 || latest-next > maxCatchUp:
			if next != 0 {
				// Too far behind: skip, and let the hub re-check instead.
				set(false)
			}
			next = latest
			fallthrough
		default:
			ok, settled := true, true
			for ; next <= latest && ctx.Err() == nil; next++ {
				evs, err := c.blockEvents(ctx, next)
				if err != nil && next == latest && headMisses < maxHeadMisses {
					// CometBFT saves a block, and /status reports its
					// height, before it executes it and stores its
					// results; until then block_results of that height
					// fails ("could not find results for height"). Five
					// polls a block land in that window about once a
					// minute. Nothing is lost: the height is read again at
					// the next poll. Reporting it as a lost feed made the
					// hub re-check every session each time.
					headMisses++
					settled = false
					break
				}
				if err != nil {
					ok = false
					break
				}
				headMisses = 0
				block(next, evs)
			}
			if settled {
				set(ok)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *CometEvents) latestHeight(ctx context.Context) (int64, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

func (c *CometEvents) blockEvents(ctx context.Context, height int64) ([]ChainEvent, error) {
	res, err := c.rpc.BlockResults(ctx, &height)
	if err != nil {
		return nil, err
	}
	var out []ChainEvent
	n := 0 // the event's place in the block, for a tip's Key
	add := func(evs []abci.Event) {
		for _, e := range evs {
			n++
			if ev, ok := chainEvent(e); ok {
				if ev.Kind == EventTip {
					ev.Key = strconv.FormatInt(height, 10) + "/" + strconv.Itoa(n)
				}
				out = append(out, ev)
			}
		}
	}
	for _, tx := range res.TxsResults {
		if tx.IsOK() {
			add(tx.Events)
		}
	}
	add(res.FinalizeBlockEvents)
	return out, nil
}

// attr is an event attribute's value; typed events write values as JSON.
func attr(e abci.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			var s string
			if json.Unmarshal([]byte(a.Value), &s) == nil {
				return s
			}
			return a.Value
		}
	}
	return ""
}

// coinAttr is a Coin attribute ({"denom":"ustream","amount":"5"}) as
// "5ustream"; "" when it is not one.
func coinAttr(e abci.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key != key {
			continue
		}
		var c struct{ Denom, Amount string }
		if json.Unmarshal([]byte(a.Value), &c) != nil || c.Denom == "" {
			return ""
		}
		if _, err := strconv.ParseUint(c.Amount, 10, 64); err != nil {
			if len(c.Amount) == 0 || strings.Trim(c.Amount, "0123456789") != "" {
				return ""
			}
		}
		return c.Amount + c.Denom
	}
	return ""
}

func chainEvent(e abci.Event) (ChainEvent, bool) {
	var ev ChainEvent
	switch e.Type {
	case typeEventUnsubscribed, typeEventSubscribed:
		ev.Kind = EventUnsubscribed
		if e.Type == typeEventSubscribed {
			ev.Kind = EventSubscribed
		}
		ev.Subscriber, ev.Broadcaster = attr(e, "subscriber"), attr(e, "broadcaster")
		return ev, ev.Subscriber != "" && ev.Broadcaster != ""
	case typeEventBlocked:
		ev.Kind, ev.Subscriber, ev.Broadcaster = EventBlocked, attr(e, "account"), attr(e, "broadcaster")
		return ev, ev.Subscriber != "" && ev.Broadcaster != ""
	case typeEventExpired:
		ev.Kind, ev.Subscriber, ev.Broadcaster = EventExpired, attr(e, "subscriber"), attr(e, "broadcaster")
		return ev, ev.Subscriber != "" && ev.Broadcaster != ""
	case typeEventStreamDeleted:
		ev.Kind = EventStreamDeleted
	case typeEventStreamEdited:
		ev.Kind = EventStreamEdited
	case typeEventStreamScheduled:
		ev.Kind = EventStreamScheduled
	case typeEventTip:
		ev.Kind = EventTip
		ev.Sender, ev.Memo, ev.Amount = attr(e, "sender"), attr(e, "memo"), coinAttr(e, "amount")
		if ev.Sender == "" || ev.Amount == "" {
			return ev, false
		}
		if attr(e, "stream_id") == "" || attr(e, "stream_id") == "0" {
			return ev, false // a tip for no stream has no chat to show in
		}
	default:
		return ev, false
	}
	id, err := strconv.ParseUint(attr(e, "stream_id"), 10, 64)
	if err != nil || id == 0 {
		return ev, false
	}
	ev.StreamID, ev.Broadcaster = id, attr(e, "broadcaster")
	return ev, true
}
