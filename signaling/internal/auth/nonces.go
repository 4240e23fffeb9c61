package auth

import (
	"errors"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/expiring"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// NonceStore keeps the challenges issued until they are answered, once, or
// expire.
type NonceStore interface {
	// Put records an issued challenge of connection owner. An error
	// wrapping ErrStoreUnavailable means the store could not be reached.
	Put(owner uint64, nonce, text string, expires time.Time) error
	// Burn accepts the answer of connection owner to the challenge f, whose
	// text is text, at most once, or says why not.
	Burn(owner uint64, f ChallengeFields, text string) *protocol.ProtocolError
	// Release forgets what a closed connection was issued and did not answer.
	Release(owner uint64)
	// Count is the number of nonces held.
	Count() int
}

// ErrStoreUnavailable: a shared store did not answer.
var ErrStoreUnavailable = errors.New("shared state unavailable")

// A connection may hold a few unanswered challenges (it can ask again
// after a typo in its wallet); more push out the oldest.
const maxChallengesPerConn = 4

// MemoryNonces is the NonceStore of one instance. A nonce is bound to the
// connection it was issued to; burnt nonces are remembered until they
// expire so a replay is recognised as such.
type MemoryNonces struct {
	now func() time.Time

	mu      sync.Mutex
	nonces  *expiring.Map[string, *nonceRecord]
	byOwner map[uint64][]string // the unanswered nonces of each connection
}

type nonceRecord struct {
	owner uint64
	text  string
	used  bool
}

// NewMemoryNonces returns an empty store reading time from now.
func NewMemoryNonces(now func() time.Time) *MemoryNonces {
	s := &MemoryNonces{now: now, byOwner: make(map[uint64][]string)}
	s.nonces = expiring.New(now, 0, func(nonce string, r *nonceRecord) { s.unownLocked(r.owner, nonce) })
	return s
}

// Put implements NonceStore.
func (s *MemoryNonces) Put(owner uint64, nonce, text string, expires time.Time) error {
	s.Add(owner, nonce, text, expires)
	return nil
}

// Add records a nonce and returns the one it pushed out, if any.
func (s *MemoryNonces) Add(owner uint64, nonce, text string, expires time.Time) (evicted string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owned := s.byOwner[owner]
	if len(owned) >= maxChallengesPerConn {
		evicted = owned[0]
		s.nonces.Delete(evicted)
		owned = owned[1:]
	}
	s.byOwner[owner] = append(owned, nonce)
	s.nonces.Put(nonce, &nonceRecord{owner: owner, text: text}, expires)
	return evicted
}

// Burn implements NonceStore.
func (s *MemoryNonces) Burn(owner uint64, f ChallengeFields, text string) *protocol.ProtocolError {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.nonces.Get(f.Nonce)
	switch {
	case !ok && !s.now().Before(f.ExpiresAt):
		// Expired, or forgotten after expiry: the text says when.
		return ErrExpired(f.ExpiresAt)
	case !ok:
		return ErrUnknownNonce()
	case rec.used:
		return ErrReplayed()
	case rec.owner != owner:
		return protocol.Errorf(protocol.CodeAuthUnknownNonce, "nonce was issued to another connection")
	case rec.text != text:
		return ErrTextDiffers()
	}
	s.markUsedLocked(owner, f.Nonce)
	return nil
}

// MarkUsed remembers that nonce was answered (by owner, or elsewhere).
func (s *MemoryNonces) MarkUsed(owner uint64, nonce string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.markUsedLocked(owner, nonce)
}

func (s *MemoryNonces) markUsedLocked(owner uint64, nonce string) {
	if rec, ok := s.nonces.Get(nonce); ok {
		rec.used = true
	}
	s.unownLocked(owner, nonce)
}

// unownLocked drops nonce from its connection's unanswered ones.
func (s *MemoryNonces) unownLocked(owner uint64, nonce string) { unlist(s.byOwner, owner, nonce) }

// unlist removes v from the list of k in index, and the list once empty.
func unlist[K comparable](index map[K][]string, k K, v string) {
	list := index[k]
	for i, x := range list {
		if x == v {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(index, k)
	} else {
		index[k] = list
	}
}

// Release implements NonceStore: the unanswered nonces of a closed
// connection go; burnt ones stay until they expire.
func (s *MemoryNonces) Release(owner uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.byOwner[owner] {
		s.nonces.Delete(n)
	}
	delete(s.byOwner, owner)
}

// Count implements NonceStore.
func (s *MemoryNonces) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nonces.Len()
}

// ErrExpired: the challenge expired at at.
func ErrExpired(at time.Time) *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthExpired, "challenge expired at %s", at.Format(time.RFC3339))
}

// ErrReplayed: the challenge was answered already.
func ErrReplayed() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthReplayed, "challenge was already used")
}

// ErrTextDiffers: the signed text is not the challenge issued with its
// nonce.
func ErrTextDiffers() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthMalformed, "message differs from the challenge issued with this nonce")
}

// ErrUnknownNonce: no challenge was issued with this nonce.
func ErrUnknownNonce() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthUnknownNonce, "nonce was not issued by this server")
}
