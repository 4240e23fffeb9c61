package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/expiring"
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

// ResumeTokens issues and takes resume tokens, keeping their hashes in a
// ResumeStore.
type ResumeTokens struct {
	ttl time.Duration
	// maxLifetime bounds a chain of resumes: no token outlives the
	// signature that began it by more than this.
	maxLifetime time.Duration
	store       ResumeStore
}

// ResumeStore keeps the hashes of issued resume tokens until they are used,
// once, or expire.
type ResumeStore interface {
	// Put records a token's hash for address, whose wallet signature was
	// checked at signedAt; false when it could not be stored (the client
	// then signs in as usual).
	Put(hash, address string, signedAt, expires time.Time) bool
	// Take burns a token's hash and returns its address and signedAt.
	Take(hash string) (string, time.Time, *protocol.ProtocolError)
}

// NewResumeTokens issues tokens that live ttl, in chains of resumes no
// longer than maxLifetime, kept in store.
func NewResumeTokens(ttl, maxLifetime time.Duration, store ResumeStore) *ResumeTokens {
	return &ResumeTokens{ttl: ttl, maxLifetime: maxLifetime, store: store}
}

func resumeHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrResumeInvalid: the token is unknown, expired or used.
func ErrResumeInvalid() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAuthResumeInvalid, "resume token unknown, expired or already used; sign in with a challenge")
}

// Issue makes a token for address, whose signature was checked at
// signedAt; ok is false when it could not be stored or the signature is too
// old to be carried further: the client then signs in as usual.
func (r *ResumeTokens) Issue(address string, signedAt time.Time) (token string, expires time.Time, ok bool) {
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
	return token, expires, r.store.Put(resumeHash(token), address, signedAt, expires)
}

// Take burns token and returns its address and when the signature that
// began its chain of resumes was checked.
func (r *ResumeTokens) Take(token string) (string, time.Time, *protocol.ProtocolError) {
	return r.store.Take(resumeHash(token))
}

// MemoryResumes is the ResumeStore of one instance.
type MemoryResumes struct {
	mu        sync.Mutex
	byHash    *expiring.Map[string, resumeEntry]
	byAddress map[string][]string
}

type resumeEntry struct {
	address string
	// signedAt is when the wallet signature that began this chain of
	// resumes was checked.
	signedAt time.Time
}

// NewMemoryResumes returns an empty store.
func NewMemoryResumes() *MemoryResumes {
	r := &MemoryResumes{byAddress: make(map[string][]string)}
	r.byHash = expiring.New(time.Now, 0, func(h string, e resumeEntry) { r.unownLocked(e.address, h) })
	return r
}

// Put implements ResumeStore.
func (r *MemoryResumes) Put(h, address string, signedAt, expires time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	owned := r.byAddress[address]
	if len(owned) >= maxResumeTokensPerAddress {
		r.byHash.Delete(owned[0])
		owned = owned[1:]
	}
	r.byAddress[address] = append(owned, h)
	r.byHash.Put(h, resumeEntry{address: address, signedAt: signedAt}, expires)
	return true
}

// Take implements ResumeStore.
func (r *MemoryResumes) Take(h string) (string, time.Time, *protocol.ProtocolError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byHash.Take(h)
	if !ok {
		return "", time.Time{}, ErrResumeInvalid()
	}
	r.unownLocked(e.address, h)
	return e.address, e.signedAt, nil
}

// unownLocked drops h from its address's tokens.
func (r *MemoryResumes) unownLocked(address, h string) { unlist(r.byAddress, address, h) }
