// Package auth signs wallets in: ADR-036 challenges and their proofs, the
// nonces issued, and the single-use resume tokens that sign an address in
// again without a new signature. The stores here keep them in memory; a
// deployment of several instances passes its shared ones.
package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	dsecp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The challenge a client signs is this exact text (lines end in "\n", no
// trailing newline). The nonce makes it single-use; the server origin and the
// chain id stop a proof made for another deployment from working here.
const (
	challengePreamble = "Sign in to the streamchain signaling server.\n" +
		"\n" +
		"This proves that you control this account. It is not a transaction: it costs nothing and moves nothing.\n" +
		"\n"
	challengeFormat = challengePreamble +
		"Server: %s\n" +
		"Chain ID: %s\n" +
		"Nonce: %s\n" +
		"Issued At: %s\n" +
		"Expires At: %s"

	nonceBytes = 32 // 256 bits

	// PubKeyTypeSecp256k1 is the amino type of the only key accepted.
	PubKeyTypeSecp256k1 = "tendermint/PubKeySecp256k1"
)

// Challenge is what a connection must sign.
type Challenge struct {
	Nonce     string
	Text      string
	ChainID   string
	Origin    string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// AuthProof is a client's answer: the claimed address, the challenge text it
// signed, and Keplr's signArbitrary result.
type AuthProof struct {
	Address   string
	Message   string
	Signature protocol.StdSignature
}

// Authenticator issues challenges and verifies ADR-036 proofs. Nonces are
// kept by a NonceStore: bound to the connection they were issued to (or, in
// a deployment of several instances, answerable once on any of them) and
// burnt on first use.
type Authenticator struct {
	chainID string
	prefix  string
	ttl     time.Duration
	now     func() time.Time

	nonces NonceStore
	// otherOrigin says whether a challenge's origin is another instance
	// of this deployment: the client may have moved.
	otherOrigin func(origin string) bool
}

// Option customises an Authenticator.
type Option func(*Authenticator)

// WithNonceStore keeps the nonces in store instead of this instance's
// memory.
func WithNonceStore(store NonceStore) Option { return func(a *Authenticator) { a.nonces = store } }

// WithOtherOrigins accepts challenges issued for the origins known says
// belong to other instances of the deployment: the client may have moved.
func WithOtherOrigins(known func(origin string) bool) Option {
	return func(a *Authenticator) { a.otherOrigin = known }
}

// NewAuthenticator returns an Authenticator for one chain, keeping its
// nonces in memory unless an option says otherwise. now may be nil.
func NewAuthenticator(chainID, bech32Prefix string, ttl time.Duration, now func() time.Time, opts ...Option) *Authenticator {
	if now == nil {
		now = time.Now
	}
	a := &Authenticator{
		chainID:     chainID,
		prefix:      bech32Prefix,
		ttl:         ttl,
		now:         now,
		otherOrigin: func(string) bool { return false },
	}
	for _, o := range opts {
		o(a)
	}
	if a.nonces == nil {
		a.nonces = NewMemoryNonces(now)
	}
	return a
}

// ChallengeText renders the text to sign. Exported so clients written in Go
// and tests can build the same string; the server never trusts a client's
// copy without comparing it to the one it issued.
func ChallengeText(origin, chainID, nonce string, issuedAt, expiresAt time.Time) string {
	return fmt.Sprintf(challengeFormat, origin, chainID, nonce,
		issuedAt.UTC().Format(time.RFC3339), expiresAt.UTC().Format(time.RFC3339))
}

// Issue creates a challenge for connection owner, reached at server origin.
func (a *Authenticator) Issue(owner uint64, origin string) (Challenge, error) {
	var raw [nonceBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Challenge{}, err
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw[:])
	issued := a.now().UTC().Truncate(time.Second)
	expires := issued.Add(a.ttl)
	ch := Challenge{
		Nonce:     nonce,
		Text:      ChallengeText(origin, a.chainID, nonce, issued, expires),
		ChainID:   a.chainID,
		Origin:    origin,
		IssuedAt:  issued,
		ExpiresAt: expires,
	}

	if err := a.nonces.Put(owner, nonce, ch.Text, expires); err != nil {
		return Challenge{}, err
	}
	return ch, nil
}

// Release forgets the unanswered challenges of a closed connection (those
// any instance may answer stay until they expire).
func (a *Authenticator) Release(owner uint64) { a.nonces.Release(owner) }

// Outstanding is the number of nonces held (unanswered or burnt and not yet
// expired).
func (a *Authenticator) Outstanding() int { return a.nonces.Count() }

// Verify checks a proof from connection owner reached at server origin and,
// when it holds, burns the nonce and returns the proven address. Checks run
// from the cheapest-to-explain to the most specific so each failure gets its
// own code: shape, key→address, signature, chain, origin, nonce.
func (a *Authenticator) Verify(owner uint64, origin string, p AuthProof) (string, *protocol.ProtocolError) {
	// Shape.
	hrp, addr, err := bech32.DecodeAndConvert(p.Address)
	if err != nil || hrp != a.prefix || len(addr) != 20 {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "address must be a %s1... account address", a.prefix)
	}
	if canonical, _ := bech32.ConvertAndEncode(a.prefix, addr); canonical != p.Address {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "address must be lower-case bech32")
	}
	if p.Signature.PubKey.Type != PubKeyTypeSecp256k1 {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "pub_key.type must be %q", PubKeyTypeSecp256k1)
	}
	pkBytes, err := base64.StdEncoding.DecodeString(p.Signature.PubKey.Value)
	if err != nil || len(pkBytes) != secp256k1.PubKeySize || (pkBytes[0] != 0x02 && pkBytes[0] != 0x03) {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "pub_key.value must be a base64 33-byte compressed secp256k1 key")
	}
	if _, err := dsecp.ParsePubKey(pkBytes); err != nil {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "pub_key.value is not a point on secp256k1")
	}
	sig, err := base64.StdEncoding.DecodeString(p.Signature.Signature)
	if err != nil || len(sig) != 64 {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "signature must be a base64 64-byte r||s")
	}
	fields, ok := parseChallengeText(p.Message)
	if !ok {
		return "", protocol.Errorf(protocol.CodeAuthMalformed, "message is not a challenge issued by this server")
	}

	// The key must be the address's key.
	pub := &secp256k1.PubKey{Key: pkBytes}
	if !bytes.Equal(pub.Address(), addr) {
		return "", protocol.Errorf(protocol.CodeAuthAddrMismatch, "pub_key does not hash to %s", p.Address)
	}

	// The signature must be over the ADR-036 document for this text and
	// signer. VerifySignature hashes with SHA-256 and refuses high-S.
	if !pub.VerifySignature(ADR036SignBytes(p.Address, []byte(p.Message)), sig) {
		return "", protocol.Errorf(protocol.CodeAuthBadSignature, "signature does not verify (ADR-036 signArbitrary over the challenge text, low-S r||s)")
	}

	// A genuine proof: is it for us, now?
	if fields.ChainID != a.chainID {
		return "", protocol.Errorf(protocol.CodeAuthWrongChain, "challenge is for chain %.64q, this server serves %q", fields.ChainID, a.chainID)
	}
	// A challenge from another live instance of this deployment is as
	// good: the client may have moved.
	if fields.Origin != origin && !a.otherOrigin(fields.Origin) {
		return "", protocol.Errorf(protocol.CodeAuthWrongOrigin, "challenge is for server %.128q, this is %q", fields.Origin, origin)
	}
	if perr := a.nonces.Burn(owner, fields, p.Message); perr != nil {
		return "", perr
	}
	return p.Address, nil
}

// ADR036SignBytes is the document Keplr's signArbitrary (and CosmJS's
// serializeSignDoc(makeADR36AminoSignDoc(signer, data))) signs: an amino
// StdSignDoc with sorted keys, no whitespace, empty chain id, zero account
// number and sequence, and one sign/MsgSignData carrying base64(data). signer
// must be a bech32 address (no characters that JSON would escape).
func ADR036SignBytes(signer string, data []byte) []byte {
	return []byte(`{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"",` +
		`"msgs":[{"type":"sign/MsgSignData","value":{"data":"` + base64.StdEncoding.EncodeToString(data) +
		`","signer":"` + signer + `"}}],"sequence":"0"}`)
}

// ChallengeFields are the parts of a challenge's text.
type ChallengeFields struct {
	Origin, ChainID, Nonce string
	IssuedAt, ExpiresAt    time.Time
}

// parseChallengeText accepts only text in the exact challenge layout.
func parseChallengeText(s string) (ChallengeFields, bool) {
	rest, ok := strings.CutPrefix(s, challengePreamble)
	if !ok {
		return ChallengeFields{}, false
	}
	lines := strings.Split(rest, "\n")
	keys := []string{"Server: ", "Chain ID: ", "Nonce: ", "Issued At: ", "Expires At: "}
	if len(lines) != len(keys) {
		return ChallengeFields{}, false
	}
	vals := make([]string, len(keys))
	for i, k := range keys {
		v, ok := strings.CutPrefix(lines[i], k)
		if !ok || v == "" || !protocol.PrintableASCII(v) {
			return ChallengeFields{}, false
		}
		vals[i] = v
	}
	issued, err1 := time.Parse(time.RFC3339, vals[3])
	expires, err2 := time.Parse(time.RFC3339, vals[4])
	if err1 != nil || err2 != nil {
		return ChallengeFields{}, false
	}
	return ChallengeFields{Origin: vals[0], ChainID: vals[1], Nonce: vals[2], IssuedAt: issued, ExpiresAt: expires}, true
}
