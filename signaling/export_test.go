package signaling

import (
	"time"

	"github.com/streamchain/streamchain/signaling/internal/cluster/redis"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
)

// PlacementsForTest is the media server placements ledger of a Server in
// shared mode.
func PlacementsForTest(s *Server) sfu.Ledger { return s.router.(*redis.Router).Placements() }

// SetTimingForTest shortens the keepalive timers of connections accepted
// from now on.
func SetTimingForTest(s *Server, pongWait, pingPeriod time.Duration) {
	s.t.PongWait, s.t.PingPeriod = pongWait, pingPeriod
}

// WithHTTPTimeoutsForTest shortens the HTTP server's read timeouts (see
// Server.HTTPServer).
func WithHTTPTimeoutsForTest(readHeader, read time.Duration) Option {
	return func(s *Server) { s.t.ReadHeader, s.t.Read = readHeader, read }
}

// WithWriteTimeoutForTest shortens the HTTP server's write timeout (see
// Server.HTTPServer).
func WithWriteTimeoutForTest(write time.Duration) Option {
	return func(s *Server) { s.t.Write = write }
}

// WithDescriptorLimitForTest makes the server see n as the process's
// descriptor limit.
func WithDescriptorLimitForTest(n uint64) Option {
	return func(s *Server) { s.fdLimit = func() uint64 { return n } }
}

// RelayIPForTest is where cascaded media for the media server on host goes.
func RelayIPForTest(host string) (string, error) { return relayIP(host) }
