package signaling

import "time"

// SetTimingForTest shortens the keepalive timers of connections accepted
// from now on.
func SetTimingForTest(s *Server, pongWait, pingPeriod time.Duration) {
	s.t.pongWait, s.t.pingPeriod = pongWait, pingPeriod
}

// AddNonceForTest records a challenge as if Issue had produced it with this
// nonce and these times (fixed test vectors have fixed nonces).
func (a *Authenticator) AddNonceForTest(owner uint64, origin, nonce string, issued, expires time.Time) string {
	text := ChallengeText(origin, a.chainID, nonce, issued, expires)
	_ = a.nonces.put(owner, nonce, text, expires)
	return text
}

// WithHTTPTimeoutsForTest shortens the HTTP server's read timeouts (see
// Server.HTTPServer).
func WithHTTPTimeoutsForTest(readHeader, read time.Duration) Option {
	return func(s *Server) { s.t.readHeader, s.t.read = readHeader, read }
}

// WithWriteTimeoutForTest shortens the HTTP server's write timeout (see
// Server.HTTPServer).
func WithWriteTimeoutForTest(write time.Duration) Option {
	return func(s *Server) { s.t.write = write }
}

// WithDescriptorLimitForTest makes the server see n as the process's
// descriptor limit.
func WithDescriptorLimitForTest(n uint64) Option {
	return func(s *Server) { s.fdLimit = func() uint64 { return n } }
}
