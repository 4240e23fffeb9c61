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
// Only a hash of the token is kept: in memory on one instance, in Redis with
// a TTL across instances, where any instance accepts it, once.

// maxResumeTokensPerAddress bounds what one account can make the server
// hold in memory: older tokens are forgotten.
const maxResumeTokensPerAddress = 8

type resumeTokens struct {
	ttl time.Duration
	// maxLifetime bounds a chain of resumes: no token outlives the
	// signature that began it by more than this.
	maxLifetime time.Duration
	store       resumeStore
}

// resumeStore keeps the hashes of issued resume tokens until they are used,
// once, or expire.
type resumeStore interface {
	// put records a token's hash for address, whose wallet signature was
	// checked at signedAt; false when it could not be stored (the client
	// then signs in as usual).
	put(hash, address string, signedAt, expires time.Time) bool
	// take burns a token's hash and returns its address and signedAt.
	take(hash string) (string, time.Time, *protocol.ProtocolError)
}

func newResumeTokens(ttl, maxLifetime time.Duration, store resumeStore) *resumeTokens {
	return &resumeTokens{ttl: ttl, maxLifetime: maxLifetime, store: store}
}

func resumeHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func errResumeInvalid() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthResumeInvalid, "resume token unknown, expired or already used; sign in with a challenge")
}

// issue makes a token for address, whose signature was checked at
// signedAt; ok is false when it could not be stored or the signature is too
// old to be carried further: the client then signs in as usual.
func (r *resumeTokens) issue(address string, signedAt time.Time) (token string, expires time.Time, ok bool) {
	expires = time.Now().Add(r.ttl)
	if limit := signedAt.Add(r.maxLifetime); limit.Before(expires) {
		expires = limit
	}
	expires = expires.UTC().Truncate(time.Second)
	if !time.Now().Before(expires) {
		return "", time.Time{}, false
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, false
	}
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	return token, expires, r.store.put(resumeHash(token), address, signedAt, expires)
}

// take burns token and returns its address and when the signature that
// began its chain of resumes was checked.
func (r *resumeTokens) take(token string) (string, time.Time, *protocol.ProtocolError) {
	return r.store.take(resumeHash(token))
}

// memoryResumes is the resumeStore of one instance.
type memoryResumes struct {
	mu        sync.Mutex
	byHash    map[string]resumeEntry
	byAddress map[string][]string
	lastSweep time.Time
}

type resumeEntry struct {
	address string
	expires time.Time
	// signedAt is when the wallet signature that began this chain of
	// resumes was checked.
	signedAt time.Time
}

func newMemoryResumes() *memoryResumes {
	return &memoryResumes{byHash: make(map[string]resumeEntry), byAddress: make(map[string][]string)}
}

func (r *memoryResumes) put(h, address string, signedAt, expires time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweepLocked()
	owned := r.byAddress[address]
	if len(owned) >= maxResumeTokensPerAddress {
		delete(r.byHash, owned[0])
		owned = owned[1:]
	}
	r.byHash[h] = resumeEntry{address: address, expires: expires, signedAt: signedAt}
	r.byAddress[address] = append(owned, h)
	return true
}

func (r *memoryResumes) take(h string) (string, time.Time, *protocol.ProtocolError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byHash[h]
	if !ok || !time.Now().Before(e.expires) {
		return "", time.Time{}, errResumeInvalid()
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
	return e.address, e.signedAt, nil
}
func (r *memoryResumes) sweepLocked() {
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
