package signaling

import (
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// nonceStore keeps the challenges issued until they are answered, once, or
// expire.
type nonceStore interface {
	// put records an issued challenge of connection owner.
	put(owner uint64, nonce, text string, expires time.Time) error
	// burn accepts the answer of connection owner to the challenge f, whose
	// text is text, at most once, or says why not.
	burn(owner uint64, f challengeFields, text string) *protocol.ProtocolError
	// release forgets what a closed connection was issued and did not answer.
	release(owner uint64)
	// count is the number of nonces held.
	count() int
}

// A connection may hold a few unanswered challenges (it can ask again
// after a typo in its wallet); more push out the oldest.
const maxChallengesPerConn = 4

// memoryNonces is the nonceStore of one instance. A nonce is bound to the
// connection it was issued to; burnt nonces are remembered until they
// expire so a replay is recognised as such.
type memoryNonces struct {
	now func() time.Time

	mu        sync.Mutex
	nonces    map[string]*nonceRecord
	byOwner   map[uint64][]string
	lastSweep time.Time
}

type nonceRecord struct {
	owner   uint64
	text    string
	expires time.Time
	used    bool
}

func newMemoryNonces(now func() time.Time) *memoryNonces {
	return &memoryNonces{now: now, nonces: make(map[string]*nonceRecord), byOwner: make(map[uint64][]string)}
}

func (s *memoryNonces) put(owner uint64, nonce, text string, expires time.Time) error {
	s.add(owner, nonce, text, expires)
	return nil
}

// add records a nonce and returns the one it pushed out, if any.
func (s *memoryNonces) add(owner uint64, nonce, text string, expires time.Time) (evicted string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	owned := s.byOwner[owner]
	if len(owned) >= maxChallengesPerConn {
		evicted = owned[0]
		delete(s.nonces, evicted)
		owned = owned[1:]
	}
	s.nonces[nonce] = &nonceRecord{owner: owner, text: text, expires: expires}
	s.byOwner[owner] = append(owned, nonce)
	return evicted
}

func (s *memoryNonces) burn(owner uint64, f challengeFields, text string) *protocol.ProtocolError {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	rec, ok := s.nonces[f.nonce]
	switch {
	case !ok && !now.Before(f.expiresAt):
		// Forgotten after expiry: the text says when.
		return errExpired(f.expiresAt)
	case !ok:
		return protocol.Errorf(protocol.CodeAuthUnknownNonce, "nonce was not issued by this server")
	case rec.used:
		return errReplayed()
	case !now.Before(rec.expires):
		return errExpired(rec.expires)
	case rec.owner != owner:
		return protocol.Errorf(protocol.CodeAuthUnknownNonce, "nonce was issued to another connection")
	case rec.text != text:
		return errTextDiffers()
	}
	s.markUsedLocked(owner, f.nonce)
	return nil
}

// markUsed remembers that nonce was answered (by owner, or elsewhere).
func (s *memoryNonces) markUsed(owner uint64, nonce string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.markUsedLocked(owner, nonce)
}

func (s *memoryNonces) markUsedLocked(owner uint64, nonce string) {
	if rec := s.nonces[nonce]; rec != nil {
		rec.used = true
	}
	owned := s.byOwner[owner]
	for i, n := range owned {
		if n == nonce {
			s.byOwner[owner] = append(owned[:i:i], owned[i+1:]...)
			break
		}
	}
}

func (s *memoryNonces) release(owner uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.byOwner[owner] {
		if r, ok := s.nonces[n]; ok && !r.used {
			delete(s.nonces, n)
		}
	}
	delete(s.byOwner, owner)
}

func (s *memoryNonces) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.nonces)
}

// sweepLocked drops expired nonces, at most once a second.
func (s *memoryNonces) sweepLocked() {
	now := s.now()
	if now.Sub(s.lastSweep) < time.Second {
		return
	}
	s.lastSweep = now
	for n, r := range s.nonces {
		if !now.Before(r.expires) {
			delete(s.nonces, n)
		}
	}
	for owner, owned := range s.byOwner {
		kept := owned[:0]
		for _, n := range owned {
			if r, ok := s.nonces[n]; ok && !r.used {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			delete(s.byOwner, owner)
		} else {
			s.byOwner[owner] = kept
		}
	}
}

func errExpired(at time.Time) *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthExpired, "challenge expired at %s", at.Format(time.RFC3339))
}

func errReplayed() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthReplayed, "challenge was already used")
}

func errTextDiffers() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthMalformed, "message differs from the challenge issued with this nonce")
}
