package chain

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/streamchain/streamchain/signaling/internal/expiring"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
)

// Cache remembers positive answers for a short time (a stream that exists,
// a subscription that is held) and negative ones ("no such stream", "not
// subscribed") for a shorter one, so ids that do not exist and keys that
// follow nobody cannot be used to make the node work for every request. A
// committed subscription forgets its cached refusal; failures are never
// cached: a recovered node is seen at once. Concurrent identical queries
// share one request. Chain events make the cache forget an entry as soon as
// the chain changes it.
type Cache struct {
	inner       Chain
	ttl         time.Duration
	notFoundTTL time.Duration
	timeout     time.Duration
	now         func() time.Time
	metrics     *metrics.Metrics

	group singleflight.Group

	mu      sync.Mutex
	streams *expiring.Map[uint64, streamAnswer]
	subs    *expiring.Map[[2]string, Access] // (subscriber, broadcaster) → what the subscription gives
	names   *expiring.Map[string, string]    // address → profile name
}

// streamAnswer is a cached answer about a stream: found, or not.
type streamAnswer struct {
	info  StreamInfo
	found bool
}

// maxCacheEntries bounds the memory of each kind of answer; when reached,
// expired entries are dropped and, if that is not enough, the cache of that
// kind starts over.
const maxCacheEntries = 50_000

// NewCache puts a cache in front of inner; every query is bounded by
// timeout.
func NewCache(inner Chain, ttl, notFoundTTL, timeout time.Duration, now func() time.Time, m *metrics.Metrics) *Cache {
	return &Cache{
		inner: inner, ttl: ttl, notFoundTTL: notFoundTTL, timeout: timeout, now: now, metrics: m,
		streams: expiring.New[uint64, streamAnswer](now, maxCacheEntries, nil),
		subs:    expiring.New[[2]string, Access](now, maxCacheEntries, nil),
		names:   expiring.New[string, string](now, maxCacheEntries, nil),
	}
}

// ForgetStream drops what is cached about stream id (it changed on chain).
func (c *Cache) ForgetStream(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.streams.Delete(id)
}

// ForgetSubscription drops a cached answer about a subscription (it
// changed on chain).
func (c *Cache) ForgetSubscription(subscriber, broadcaster string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs.Delete([2]string{subscriber, broadcaster})
}

// Stream returns the stream, from the cache unless fresh is set.
func (c *Cache) Stream(ctx context.Context, id uint64, fresh bool) (StreamInfo, error) {
	if !fresh {
		c.mu.Lock()
		a, ok := c.streams.Get(id)
		c.mu.Unlock()
		switch {
		case ok && a.found:
			c.metrics.CachedStream.Inc()
			return a.info, nil
		case ok:
			c.metrics.CachedStreamNotFound.Inc()
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
		case err == nil:
			remember(c.streams, id, streamAnswer{info: info, found: true}, c.ttl, c.now())
		case errors.Is(err, ErrStreamNotFound):
			remember(c.streams, id, streamAnswer{}, c.notFoundTTL, c.now())
		}
		return info, err
	})
	if err != nil {
		return StreamInfo{}, err
	}
	return v.(StreamInfo), nil
}

// Subscribed tells whether subscriber follows broadcaster, from the cache
// unless fresh is set.
func (c *Cache) Subscribed(ctx context.Context, subscriber, broadcaster string, fresh bool) (Access, error) {
	k := [2]string{subscriber, broadcaster}
	if !fresh {
		c.mu.Lock()
		acc, ok := c.subs.Get(k)
		c.mu.Unlock()
		// A cached paid subscription is good until it expires, not after.
		if ok && acc.Held && !acc.Until.IsZero() && !c.now().Before(acc.Until) {
			ok = false
		}
		switch {
		case ok && acc.Held:
			c.metrics.CachedSubscription.Inc()
			return acc, nil
		case ok:
			c.metrics.CachedNotSubscribed.Inc()
			return acc, nil
		}
	}
	key := "u/" + subscriber + "/" + broadcaster
	if fresh {
		key += "/fresh"
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		qctx, cancel := c.queryContext(ctx)
		defer cancel()
		acc, err := c.inner.Subscribed(qctx, subscriber, broadcaster)
		c.observe("subscription", err)
		if err == nil {
			c.mu.Lock()
			defer c.mu.Unlock()
			ttl := c.ttl
			if !acc.Held {
				ttl = c.notFoundTTL
			}
			remember(c.subs, k, acc, ttl, c.now())
		}
		return acc, err
	})
	if err != nil {
		return Access{}, err
	}
	return v.(Access), nil
}

// ProfileName is address's profile name, from the cache when it was read
// within the positive ttl (a renamed profile shows its new name after it).
func (c *Cache) ProfileName(ctx context.Context, address string) (string, error) {
	c.mu.Lock()
	name, ok := c.names.Get(address)
	c.mu.Unlock()
	if ok {
		return name, nil
	}
	v, err, _ := c.group.Do("p/"+address, func() (any, error) {
		qctx, cancel := c.queryContext(ctx)
		defer cancel()
		name, err := c.inner.ProfileName(qctx, address)
		c.observe("profile", err)
		if err == nil {
			c.mu.Lock()
			defer c.mu.Unlock()
			remember(c.names, address, name, c.ttl, c.now())
		}
		return name, err
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// remember caches an answer for ttl; a ttl of 0 (that kind of answer is
// not cached) forgets an older one instead.
func remember[K comparable, V any](m *expiring.Map[K, V], k K, v V, ttl time.Duration, now time.Time) {
	if ttl <= 0 {
		m.Delete(k)
		return
	}
	m.Put(k, v, now.Add(ttl))
}

// Ping asks the node for an answer now and records the outcome.
func (c *Cache) Ping(ctx context.Context) error {
	qctx, cancel := c.queryContext(ctx)
	defer cancel()
	err := c.inner.Ping(qctx)
	c.observe("ping", err)
	return err
}

// queryContext bounds one query. Shared (singleflight) queries run under the
// context of the caller that started them; the hub passes the same context
// for all of its queries, so one caller cannot cancel another's.
func (c *Cache) queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

func (c *Cache) observe(query string, err error) {
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
