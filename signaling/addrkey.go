package signaling

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Per-address limits key a client by the range it is likely to control, not
// by its exact address: one IPv6 host is usually given a whole /64, so
// keying by the exact address would let one client act as 2^64 of them.
// IPv4 addresses are keyed exactly; IPv6 ones by their first
// Config.IPv6PrefixLen bits.

// addrKey is the per-address key of ip ("" stays "": a trusted proxy's own
// connection, counted only in totals).
func addrKey(ip string, v6Prefix int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() || v6Prefix <= 0 || v6Prefix >= 128 {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(v6Prefix)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// clientKey is the per-address key of the client that sent r.
func (s *Server) clientKey(r *http.Request) string {
	return addrKey(clientIP(r, s.cfg.RealIPHeader, s.trusted), s.cfg.IPv6PrefixLen)
}

// addrRates is a token bucket per address key, for requests that hold
// nothing open but cost work each (GET /live.json, joins that query the
// node). Buckets idle long enough to be full again are dropped.
type addrRates struct {
	perSecond rate.Limit
	burst     int

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

func newAddrRates(perSecond float64, burst int) *addrRates {
	return &addrRates{perSecond: rate.Limit(perSecond), burst: burst, buckets: make(map[string]*rate.Limiter)}
}

// allow spends one token of key's bucket.
func (a *addrRates) allow(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if now.Sub(a.lastSweep) > time.Minute {
		a.lastSweep = now
		for k, b := range a.buckets {
			if b.TokensAt(now) >= float64(a.burst) {
				delete(a.buckets, k)
			}
		}
	}
	b, ok := a.buckets[key]
	if !ok {
		b = rate.NewLimiter(a.perSecond, a.burst)
		a.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// limitLive admits a held-open GET /live only while the client's range
// holds fewer than Config.MaxLivePerIP of them.
func (s *Server) limitLive(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := s.clientKey(r)
		if ok, _ := s.liveByAddr.acquire(key); !ok {
			s.metrics.ConnectionsRejected.WithLabelValues("live_per_ip").Inc()
			w.Header().Set("Retry-After", "30")
			http.Error(w, "too many live-status streams from your address", http.StatusTooManyRequests)
			return
		}
		defer s.liveByAddr.release(key)
		next(w, r)
	}
}

// rateLimited answers 429 to a client range over its request rate.
func (s *Server) rateLimited(rates *addrRates, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !rates.allow(s.clientKey(r)) {
			s.metrics.ConnectionsRejected.WithLabelValues("live_json_rate").Inc()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests from your address", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}
