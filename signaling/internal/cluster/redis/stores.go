package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/auth"
	"github.com/streamchain/streamchain/signaling/internal/chat"
	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The stores of a deployment of several instances, in the shared Redis: a
// challenge issued by one instance is answered once, on any of them, and so
// is a resume token.

// Nonces is the deployment's NonceStore: a challenge issued by one
// instance is answered once, on any of them.
func (sh *Router) Nonces() auth.NonceStore {
	return &sharedNonces{sh: sh, local: auth.NewMemoryNonces(time.Now), now: time.Now}
}

// ChatStore keeps streams' chat in Redis: a newcomer on any instance sees
// the same history, and a mute holds on every instance (a session moves
// home when its instance is lost).
func (sh *Router) ChatStore() chat.Store { return NewChatStore(sh.rdb, keyPrefix, hub.ChatTTL) }

// Resumes is the deployment's ResumeStore: any instance accepts a token,
// once.
func (sh *Router) Resumes() auth.ResumeStore { return sharedResumes{sh: sh} }

// sharedNonces keeps nonces in Redis, and this instance's own in memory
// too, for the per-connection bound and the count.
type sharedNonces struct {
	sh    *Router
	local *auth.MemoryNonces
	now   func() time.Time
}

func (s *sharedNonces) Put(owner uint64, nonce, text string, expires time.Time) error {
	if err := s.sh.putNonce(nonce, text, expires); err != nil {
		return fmt.Errorf("%w: %v", auth.ErrStoreUnavailable, err)
	}
	if evicted := s.local.Add(owner, nonce, text, expires); evicted != "" {
		s.sh.dropNonce(evicted)
	}
	return nil
}

// Burn burns the nonce in Redis, atomically, so it is accepted once on any
// connection of any instance and never again anywhere.
func (s *sharedNonces) Burn(owner uint64, f auth.ChallengeFields, text string) *protocol.ProtocolError {
	if !s.now().Before(f.ExpiresAt) {
		return auth.ErrExpired(f.ExpiresAt)
	}
	verdict, err := s.sh.takeNonce(f.Nonce, text)
	if err != nil {
		return hub.Unavailable()
	}
	switch verdict {
	case "ok":
	case "used":
		return auth.ErrReplayed()
	case "text":
		return auth.ErrTextDiffers()
	default:
		return auth.ErrUnknownNonce()
	}
	s.local.MarkUsed(owner, f.Nonce)
	return nil
}

// Release forgets the local records only: any connection may still answer
// the challenges in Redis, once, until they expire.
func (s *sharedNonces) Release(owner uint64) { s.local.Release(owner) }

func (s *sharedNonces) Count() int { return s.local.Count() }

// sharedResumes keeps resume tokens' hashes in Redis with their TTL, as
// "<address> <unix seconds of the signature>".
type sharedResumes struct{ sh *Router }

func resumeKey(hash string) string { return keyPrefix + "resume:" + hash }

func (s sharedResumes) Put(h, address string, signedAt, expires time.Time) bool {
	ctx, cancel := s.sh.opCtx()
	defer cancel()
	err := s.sh.rdb.Set(ctx, resumeKey(h), address+" "+strconv.FormatInt(signedAt.Unix(), 10), time.Until(expires)).Err()
	s.sh.reachable(err)
	return err == nil
}

func (s sharedResumes) Take(h string) (string, time.Time, *protocol.ProtocolError) {
	ctx, cancel := s.sh.opCtx()
	defer cancel()
	v, err := s.sh.rdb.GetDel(ctx, resumeKey(h)).Result()
	s.sh.reachable(err)
	switch {
	case err == nil:
		addr, signedAt := parseResumeValue(v)
		return addr, signedAt, nil
	case isNil(err):
		return "", time.Time{}, auth.ErrResumeInvalid()
	default:
		return "", time.Time{}, hub.Unavailable()
	}
}

// parseResumeValue reads "<address> <unix seconds of the signature>" as
// stored in Redis. A value of an earlier version, the address alone, counts
// as signed now: its chain of resumes is bounded from here.
func parseResumeValue(v string) (string, time.Time) {
	addr, at, found := strings.Cut(v, " ")
	if !found {
		return v, time.Now()
	}
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return addr, time.Now()
	}
	return addr, time.Unix(sec, 0)
}
