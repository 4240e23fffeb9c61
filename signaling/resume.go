package signaling

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// Session resumption: authenticated carries a single-use token that signs
// the same address in again on a new connection without a signature (a
// client moving to another instance does not ask its user to sign again).
// Only a hash of the token is kept: in memory in single mode, in Redis with
// a TTL in shared mode, where any instance accepts it, once.

// maxResumeTokensPerAddress bounds what one account can make the server
// hold in memory (single mode): older tokens are forgotten.
const maxResumeTokensPerAddress = 8

type resumeTokens struct {
	ttl time.Duration
	sh  *shared

	mu        sync.Mutex
	byHash    map[string]resumeEntry
	byAddress map[string][]string
	lastSweep time.Time
}

type resumeEntry struct {
	address string
	expires time.Time
}

func newResumeTokens(ttl time.Duration, sh *shared) *resumeTokens {
	return &resumeTokens{ttl: ttl, sh: sh, byHash: make(map[string]resumeEntry), byAddress: make(map[string][]string)}
}

func resumeHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func resumeKey(hash string) string { return keyPrefix + "resume:" + hash }

// issue makes a token for address; ok is false when it could not be stored
// (shared mode, Redis unreachable): the client then signs in as usual.
func (r *resumeTokens) issue(address string) (token string, expires time.Time, ok bool) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, false
	}
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	expires = time.Now().Add(r.ttl).UTC().Truncate(time.Second)
	h := resumeHash(token)
	if r.sh != nil {
		ctx, cancel := r.sh.opCtx()
		defer cancel()
		err := r.sh.rdb.Set(ctx, resumeKey(h), address, time.Until(expires)).Err()
		r.sh.reachable(err)
		return token, expires, err == nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweepLocked()
	owned := r.byAddress[address]
	if len(owned) >= maxResumeTokensPerAddress {
		delete(r.byHash, owned[0])
		owned = owned[1:]
	}
	r.byHash[h] = resumeEntry{address: address, expires: expires}
	r.byAddress[address] = append(owned, h)
	return token, expires, true
}

// take burns token and returns its address.
func (r *resumeTokens) take(token string) (string, *protocol.ProtocolError) {
	h := resumeHash(token)
	invalid := protocol.Errorf(protocol.CodeAuthResumeInvalid, "resume token unknown, expired or already used; sign in with a challenge")
	if r.sh != nil {
		ctx, cancel := r.sh.opCtx()
		defer cancel()
		addr, err := r.sh.rdb.GetDel(ctx, resumeKey(h)).Result()
		r.sh.reachable(err)
		switch {
		case err == nil:
			return addr, nil
		case isNil(err):
			return "", invalid
		default:
			return "", unavailable()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byHash[h]
	if !ok || !time.Now().Before(e.expires) {
		return "", invalid
	}
	delete(r.byHash, h)
	owned := r.byAddress[e.address]
	for i, o := range owned {
		if o == h {
			r.byAddress[e.address] = append(owned[:i:i], owned[i+1:]...)
			break
		}
	}
	if len(r.byAddress[e.address]) == 0 {
		delete(r.byAddress, e.address)
	}
	return e.address, nil
}

func (r *resumeTokens) sweepLocked() {
	now := time.Now()
	if now.Sub(r.lastSweep) < time.Second {
		return
	}
	r.lastSweep = now
	for h, e := range r.byHash {
		if !now.Before(e.expires) {
			delete(r.byHash, h)
			owned := r.byAddress[e.address]
			kept := owned[:0]
			for _, o := range owned {
				if o != h {
					kept = append(kept, o)
				}
			}
			if len(kept) == 0 {
				delete(r.byAddress, e.address)
			} else {
				r.byAddress[e.address] = kept
			}
		}
	}
}
