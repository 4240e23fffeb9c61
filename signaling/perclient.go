package signaling

import (
	"net/http"

	"github.com/streamchain/streamchain/signaling/internal/transport"
)

// Limits per client address range on the public HTTP endpoints (see
// transport.AddrKey: an IPv6 client is keyed by its range).

// clientKey is the per-address key of the client that sent r.
func (s *Server) clientKey(r *http.Request) string {
	return transport.AddrKey(transport.ClientIP(r, s.cfg.RealIPHeader, s.trusted), s.cfg.IPv6PrefixLen)
}

// limitLive admits a held-open GET /live only while the client's range
// holds fewer than Config.MaxLivePerIP of them.
func (s *Server) limitLive(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := s.clientKey(r)
		if ok, _ := s.liveByAddr.Acquire(key); !ok {
			s.metrics.ConnectionsRejected.WithLabelValues("live_per_ip").Inc()
			w.Header().Set("Retry-After", "30")
			http.Error(w, "too many live-status streams from your address", http.StatusTooManyRequests)
			return
		}
		defer s.liveByAddr.Release(key)
		next(w, r)
	}
}

// rateLimited answers 429 to a client range over its request rate.
func (s *Server) rateLimited(rates *transport.AddrRates, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !rates.Allow(s.clientKey(r)) {
			s.metrics.ConnectionsRejected.WithLabelValues("live_json_rate").Inc()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests from your address", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}
