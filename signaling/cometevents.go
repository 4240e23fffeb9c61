package signaling

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// CometEvents is an EventFeed that reads every committed block's results
// from the node's CometBFT RPC (GET /status, GET /block_results?height=N).
// Polling each height, rather than holding a websocket subscription, means
// nothing is lost on a reconnect: after an outage the feed resumes at the
// next height it has not read, and only a gap longer than maxCatchUp blocks
// is skipped (and reported, so the hub re-checks every session).
type CometEvents struct {
	base   string
	client *http.Client
	poll   time.Duration
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
	// maxRPCResponse bounds one RPC answer.
	maxRPCResponse = 16 << 20
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
	return &CometEvents{
		base:   strings.TrimSuffix(u.String(), "/"),
		client: &http.Client{Timeout: timeout},
		poll:   defaultEventPoll,
	}, nil
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

type rpcResponse[T any] struct {
	Result T `json:"result"`
	Error  *struct {
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

func (c *CometEvents) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRPCResponse))
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

func (c *CometEvents) latestHeight(ctx context.Context) (int64, error) {
	var r rpcResponse[struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}]
	if err := c.get(ctx, "/status", &r); err != nil {
		return 0, err
	}
	if r.Error != nil {
		return 0, fmt.Errorf("status: %s %s", r.Error.Message, r.Error.Data)
	}
	return strconv.ParseInt(r.Result.SyncInfo.LatestBlockHeight, 10, 64)
}

type abciEvent struct {
	Type       string `json:"type"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

func (e abciEvent) attr(key string) string {
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

func (c *CometEvents) blockEvents(ctx context.Context, height int64) ([]ChainEvent, error) {
	var r rpcResponse[struct {
		TxsResults []struct {
			Code   uint32      `json:"code"`
			Events []abciEvent `json:"events"`
		} `json:"txs_results"`
		FinalizeBlockEvents []abciEvent `json:"finalize_block_events"`
	}]
	if err := c.get(ctx, "/block_results?height="+strconv.FormatInt(height, 10), &r); err != nil {
		return nil, err
	}
	if r.Error != nil {
		return nil, fmt.Errorf("block_results %d: %s %s", height, r.Error.Message, r.Error.Data)
	}
	var out []ChainEvent
	add := func(evs []abciEvent) {
		for _, e := range evs {
			if ev, ok := chainEvent(e); ok {
				out = append(out, ev)
			}
		}
	}
	for _, tx := range r.Result.TxsResults {
		if tx.Code == 0 {
			add(tx.Events)
		}
	}
	add(r.Result.FinalizeBlockEvents)
	return out, nil
}

func chainEvent(e abciEvent) (ChainEvent, bool) {
	var ev ChainEvent
	switch e.Type {
	case typeEventUnsubscribed, typeEventSubscribed:
		ev.Kind = EventUnsubscribed
		if e.Type == typeEventSubscribed {
			ev.Kind = EventSubscribed
		}
		ev.Subscriber, ev.Broadcaster = e.attr("subscriber"), e.attr("broadcaster")
		return ev, ev.Subscriber != "" && ev.Broadcaster != ""
	case typeEventStreamDeleted:
		ev.Kind = EventStreamDeleted
	case typeEventStreamEdited:
		ev.Kind = EventStreamEdited
	case typeEventStreamScheduled:
		ev.Kind = EventStreamScheduled
	default:
		return ev, false
	}
	id, err := strconv.ParseUint(e.attr("stream_id"), 10, 64)
	if err != nil || id == 0 {
		return ev, false
	}
	ev.StreamID, ev.Broadcaster = id, e.attr("broadcaster")
	return ev, true
}
