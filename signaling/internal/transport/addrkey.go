package transport

import (
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

// AddrKey is the per-address key of ip ("" stays "": a trusted proxy's own
// connection, counted only in totals).
func AddrKey(ip string, v6Prefix int) string {
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

// AddrRates is a token bucket per address key, for requests that hold
// nothing open but cost work each (GET /live.json, joins that query the
// node). Buckets idle long enough to be full again are dropped.
type AddrRates struct {
	perSecond rate.Limit
	burst     int

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

func NewAddrRates(perSecond float64, burst int) *AddrRates {
	return &AddrRates{perSecond: rate.Limit(perSecond), burst: burst, buckets: make(map[string]*rate.Limiter)}
}

// Allow spends one token of key's bucket.
func (a *AddrRates) Allow(key string) bool {
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
