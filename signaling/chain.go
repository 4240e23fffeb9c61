package signaling

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// StreamInfo is what the daemon needs to know about an on-chain stream.
type StreamInfo struct {
	ID          uint64
	Broadcaster string
	StartTime   time.Time
	EndTime     time.Time
}

var (
	// ErrStreamNotFound: the chain has no such stream (never scheduled, or
	// deleted).
	ErrStreamNotFound = errors.New("stream not found")
	// ErrChainUnavailable: the node could not answer. Callers fail closed.
	ErrChainUnavailable = errors.New("chain unavailable")
)

// Chain is the daemon's whole view of the chain. Implementations return
// ErrStreamNotFound or an error wrapping ErrChainUnavailable; anything else is
// treated as unavailable too.
type Chain interface {
	Stream(ctx context.Context, id uint64) (StreamInfo, error)
	Subscribed(ctx context.Context, subscriber, broadcaster string) (bool, error)
	// Ping succeeds when the node answers queries.
	Ping(ctx context.Context) error
}

// GRPCChain queries x/streaming over the node's gRPC endpoint. The client
// connection is the caller's (cmd/signalingd dials it with its own backoff
// and TLS settings); it must use GogoCodec.
type GRPCChain struct {
	q types.QueryClient
}

// NewGRPCChain queries through cc.
func NewGRPCChain(cc grpc.ClientConnInterface) *GRPCChain {
	return &GRPCChain{q: types.NewQueryClient(cc)}
}

func (c *GRPCChain) Stream(ctx context.Context, id uint64) (StreamInfo, error) {
	res, err := c.q.Stream(ctx, &types.QueryStreamRequest{StreamId: id})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.InvalidArgument:
			return StreamInfo{}, ErrStreamNotFound
		default:
			return StreamInfo{}, fmt.Errorf("%w: stream %d: %v", ErrChainUnavailable, id, err)
		}
	}
	s := res.Stream
	return StreamInfo{ID: s.Id, Broadcaster: s.Broadcaster, StartTime: s.StartTime, EndTime: s.EndTime}, nil
}

func (c *GRPCChain) Subscribed(ctx context.Context, subscriber, broadcaster string) (bool, error) {
	res, err := c.q.Subscription(ctx, &types.QuerySubscriptionRequest{Subscriber: subscriber, Broadcaster: broadcaster})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.InvalidArgument:
			// An address the chain refuses cannot hold a subscription.
			return false, nil
		default:
			return false, fmt.Errorf("%w: subscription: %v", ErrChainUnavailable, err)
		}
	}
	return res.Subscribed, nil
}

func (c *GRPCChain) Ping(ctx context.Context) error {
	if _, err := c.q.Params(ctx, &types.QueryParamsRequest{}); err != nil {
		return fmt.Errorf("%w: %v", ErrChainUnavailable, err)
	}
	return nil
}

// GogoCodec is a gRPC codec for gogoproto messages (their generated
// Marshal/Unmarshal), which grpc's default protobuf codec cannot handle when
// they use gogoproto options such as stdtime. It is the same wire format.
type GogoCodec struct{}

type gogoMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func (GogoCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(gogoMessage)
	if !ok {
		return nil, fmt.Errorf("gogo codec: %T is not a gogoproto message", v)
	}
	return m.Marshal()
}

func (GogoCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(gogoMessage)
	if !ok {
		return fmt.Errorf("gogo codec: %T is not a gogoproto message", v)
	}
	return m.Unmarshal(data)
}

func (GogoCodec) Name() string { return "proto" }

// cachedChain remembers positive answers for a short time (a stream that
// exists, a subscription that is held) and negative ones ("no such stream",
// "not subscribed") for a shorter one, so ids that do not exist and keys
// that follow nobody cannot be used to make the node work for every
// request. A committed subscription forgets its cached refusal; failures
// are never cached: a recovered node is seen at once. Concurrent identical
// queries share one request. Chain events make the cache forget an entry as
// soon as the chain changes it.
type cachedChain struct {
	inner       Chain
	ttl         time.Duration
	notFoundTTL time.Duration
	timeout     time.Duration
	now         func() time.Time
	metrics     *Metrics

	group singleflight.Group

	mu      sync.Mutex
	streams map[uint64]cachedStream
	missing map[uint64]time.Time    // stream id → expiry of "not found"
	subs    map[[2]string]time.Time // (subscriber, broadcaster) → expiry
	// notSubs caches "not subscribed" for notFoundTTL, so a flood of
	// watches from keys that follow nobody does not reach the node each
	// time; a subscription event forgets it at once.
	notSubs map[[2]string]time.Time
}

type cachedStream struct {
	info    StreamInfo
	expires time.Time
}

// maxCacheEntries bounds memory; when reached, expired entries are dropped
// and, if that is not enough, the cache starts over.
const maxCacheEntries = 100_000

func newCachedChain(inner Chain, ttl, notFoundTTL, timeout time.Duration, now func() time.Time, m *Metrics) *cachedChain {
	return &cachedChain{
		inner: inner, ttl: ttl, notFoundTTL: notFoundTTL, timeout: timeout, now: now, metrics: m,
		streams: make(map[uint64]cachedStream),
		missing: make(map[uint64]time.Time),
		subs:    make(map[[2]string]time.Time),
		notSubs: make(map[[2]string]time.Time),
	}
}

// forgetStream drops what is cached about stream id (it changed on chain).
func (c *cachedChain) forgetStream(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams, id)
	delete(c.missing, id)
}

// forgetSubscription drops a cached subscription (it ended on chain).
func (c *cachedChain) forgetSubscription(subscriber, broadcaster string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, [2]string{subscriber, broadcaster})
	delete(c.notSubs, [2]string{subscriber, broadcaster})
}

// stream returns the stream, from the cache unless fresh is set.
func (c *cachedChain) stream(ctx context.Context, id uint64, fresh bool) (StreamInfo, error) {
	if !fresh {
		c.mu.Lock()
		e, ok := c.streams[id]
		gone, missing := c.missing[id]
		c.mu.Unlock()
		if ok && c.now().Before(e.expires) {
			c.metrics.cachedStream.Inc()
			return e.info, nil
		}
		if missing && c.now().Before(gone) {
			c.metrics.cachedStreamNotFound.Inc()
			return StreamInfo{}, ErrStreamNotFound
		}
	}
	key := "s/" + strconv.FormatUint(id, 10)
	if fresh {
		key += "/fresh"
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		qctx, cancel := c.queryContext(ctx)
		defer cancel()
		info, err := c.inner.Stream(qctx, id)
		c.observe("stream", err)
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case err == nil && c.ttl > 0:
			c.makeRoomLocked()
			c.streams[id] = cachedStream{info: info, expires: c.now().Add(c.ttl)}
		case errors.Is(err, ErrStreamNotFound):
			delete(c.streams, id)
			if c.notFoundTTL > 0 {
				c.makeRoomLocked()
				c.missing[id] = c.now().Add(c.notFoundTTL)
			}
		}
		return info, err
	})
	if err != nil {
		return StreamInfo{}, err
	}
	return v.(StreamInfo), nil
}

// subscribed tells whether subscriber follows broadcaster, from the cache
// unless fresh is set.
func (c *cachedChain) subscribed(ctx context.Context, subscriber, broadcaster string, fresh bool) (bool, error) {
	k := [2]string{subscriber, broadcaster}
	if !fresh && c.ttl > 0 {
		c.mu.Lock()
		exp, ok := c.subs[k]
		c.mu.Unlock()
		if ok && c.now().Before(exp) {
			c.metrics.cachedSubscription.Inc()
			return true, nil
		}
	}
	if !fresh && c.notFoundTTL > 0 {
		c.mu.Lock()
		exp, ok := c.notSubs[k]
		c.mu.Unlock()
		if ok && c.now().Before(exp) {
			c.metrics.cachedNotSubscribed.Inc()
			return false, nil
		}
	}
	key := "u/" + subscriber + "/" + broadcaster
	if fresh {
		key += "/fresh"
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		qctx, cancel := c.queryContext(ctx)
		defer cancel()
		ok, err := c.inner.Subscribed(qctx, subscriber, broadcaster)
		c.observe("subscription", err)
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case err == nil && ok && c.ttl > 0:
			c.makeRoomLocked()
			c.subs[k] = c.now().Add(c.ttl)
		case err == nil && !ok:
			delete(c.subs, k)
			if c.notFoundTTL > 0 {
				c.makeRoomLocked()
				c.notSubs[k] = c.now().Add(c.notFoundTTL)
			}
		}
		return ok, err
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

func (c *cachedChain) ping(ctx context.Context) error {
	qctx, cancel := c.queryContext(ctx)
	defer cancel()
	err := c.inner.Ping(qctx)
	c.observe("ping", err)
	return err
}

// queryContext bounds one query. Shared (singleflight) queries run under the
// context of the caller that started them; the hub passes the same context
// for all of its queries, so one caller cannot cancel another's.
func (c *cachedChain) queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

func (c *cachedChain) observe(query string, err error) {
	result := "ok"
	switch {
	case err == nil:
	case errors.Is(err, ErrStreamNotFound):
		result = "not_found"
	default:
		result = "unavailable"
	}
	c.metrics.ChainQueries.WithLabelValues(query, result).Inc()
	if result == "unavailable" {
		c.metrics.ChainUp.Set(0)
	} else {
		c.metrics.ChainUp.Set(1)
	}
}

func (c *cachedChain) makeRoomLocked() {
	if len(c.streams)+len(c.missing)+len(c.subs)+len(c.notSubs) < maxCacheEntries {
		return
	}
	now := c.now()
	for id, e := range c.streams {
		if !now.Before(e.expires) {
			delete(c.streams, id)
		}
	}
	for id, exp := range c.missing {
		if !now.Before(exp) {
			delete(c.missing, id)
		}
	}
	for k, exp := range c.subs {
		if !now.Before(exp) {
			delete(c.subs, k)
		}
	}
	for k, exp := range c.notSubs {
		if !now.Before(exp) {
			delete(c.notSubs, k)
		}
	}
	if len(c.streams)+len(c.missing)+len(c.subs)+len(c.notSubs) >= maxCacheEntries {
		clear(c.streams)
		clear(c.missing)
		clear(c.subs)
		clear(c.notSubs)
	}
}
