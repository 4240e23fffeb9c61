package signaling

import (
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// A connection that stays signed in is sent a fresh resume token every half
// resume ttl (PROTOCOL.md §3.4): a page open for longer than one token
// lives still reloads, or moves to another instance, without its wallet,
// until the chain of resumes reaches its maximum lifetime. The tokens
// issued earlier stay valid until they expire, once each.

// resumeRenewal sends a connection its fresh tokens until stopped.
type resumeRenewal struct {
	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

// start schedules the next token for s, signed in as addr by a signature
// checked at signedAt.
func (rr *resumeRenewal) start(s *session, addr string, signedAt time.Time) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.stopped {
		return
	}
	rr.timer = time.AfterFunc(s.srv.cfg.ResumeTTL/2, func() {
		token, expires, ok := s.srv.resumes.Issue(addr, signedAt)
		if !ok {
			return // past the chain's lifetime, or not stored: the next sign-in uses the wallet
		}
		rr.mu.Lock()
		stopped := rr.stopped
		rr.mu.Unlock()
		if stopped {
			return
		}
		s.member.Event(transport.Frame{Data: protocol.Encode(protocol.ResumeTokenMsg{Type: protocol.TypeResumeToken, ResumeToken: token, ResumeExpiresAt: expires})})
		rr.start(s, addr, signedAt)
	})
}

// stop ends the renewals: the connection is closing.
func (rr *resumeRenewal) stop() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.stopped = true
	if rr.timer != nil {
		rr.timer.Stop()
	}
}
