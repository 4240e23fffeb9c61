package auth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	dsecp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	decdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/internal/auth"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

const (
	testChainID = "streamchain-devnet-1"
	testOrigin  = "https://signal.example"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newAuth(t *testing.T) (*auth.Authenticator, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	return auth.NewAuthenticator(testChainID, "stream", 2*time.Minute, clk.Now), clk
}

func proof(w *signalingtest.Wallet, text string) auth.AuthProof {
	return auth.AuthProof{Address: w.Address, Message: text, Signature: w.SignArbitrary(text)}
}

// keplrVector is a proof produced by Keplr's own code (@keplr-wallet/cosmos
// makeADR36AminoSignDoc + serializeSignDoc, @keplr-wallet/crypto signing);
// signaling/testdata/keplr/gen.js regenerates it.
type keplrVector struct {
	PrivateKeyHex string                `json:"private_key_hex"`
	Address       string                `json:"address"`
	Message       string                `json:"message"`
	SignDoc       string                `json:"sign_doc"`
	Signature     protocol.StdSignature `json:"signature"`
}

func loadKeplrVector(t *testing.T) keplrVector {
	t.Helper()
	b, err := os.ReadFile("../../testdata/keplr/adr036_vector.json")
	require.NoError(t, err)
	var v keplrVector
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func TestKeplrVector(t *testing.T) {
	v := loadKeplrVector(t)

	// The server's sign document is byte-for-byte Keplr's, and so is the
	// test wallet's.
	require.Equal(t, v.SignDoc, string(auth.ADR036SignBytes(v.Address, []byte(v.Message))))
	require.Equal(t, v.SignDoc, string(signalingtest.SignDoc(v.Address, []byte(v.Message))))

	// Both sign deterministically (RFC 6979): the SDK key signs exactly what
	// Keplr signed.
	key, err := hex.DecodeString(v.PrivateKeyHex)
	require.NoError(t, err)
	w := signalingtest.WalletFromKey(key)
	require.Equal(t, v.Address, w.Address)
	require.Equal(t, v.Signature, w.SignArbitrary(v.Message))

	// And the authenticator accepts Keplr's proof for the challenge it issued.
	a, clk := newAuth(t)
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	text := a.AddNonceForTest(7, "https://signal.streamchain.example", "8J2z3YkQ0mWq5n9Zt6Vb1xR4cL7hP0sD2fG8aK3uE5o", issued, issued.Add(2*time.Minute))
	require.Equal(t, v.Message, text, "the challenge layout changed: regenerate signaling/testdata/keplr")
	clk.Add(30 * time.Second)
	addr, perr := a.Verify(7, "https://signal.streamchain.example",
		auth.AuthProof{Address: v.Address, Message: v.Message, Signature: v.Signature})
	require.Nil(t, perr)
	require.Equal(t, v.Address, addr)
}

func TestChallengeText(t *testing.T) {
	a, clk := newAuth(t)
	ch, err := a.Issue(1, testOrigin)
	require.NoError(t, err)

	raw, err := base64.RawURLEncoding.DecodeString(ch.Nonce)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(raw)*8, 128, "nonce must carry at least 128 bits")
	require.Equal(t, clk.Now().Add(2*time.Minute), ch.ExpiresAt)
	require.Equal(t, auth.ChallengeText(testOrigin, testChainID, ch.Nonce, ch.IssuedAt, ch.ExpiresAt), ch.Text)
	for _, want := range []string{
		"\nServer: " + testOrigin + "\n",
		"\nChain ID: " + testChainID + "\n",
		"\nNonce: " + ch.Nonce + "\n",
		"\nIssued At: 2026-03-01T12:00:00Z\n",
		"\nExpires At: 2026-03-01T12:02:00Z",
	} {
		require.Contains(t, ch.Text, want)
	}
	for _, r := range ch.Text {
		require.True(t, r == '\n' || (r >= 0x20 && r < 0x7f), "challenge text must be printable ASCII, found %q", r)
	}

	other, err := a.Issue(1, testOrigin)
	require.NoError(t, err)
	require.NotEqual(t, ch.Nonce, other.Nonce)
}

func TestVerifyAcceptsAndBurns(t *testing.T) {
	a, _ := newAuth(t)
	w := signalingtest.NewWallet()
	ch, err := a.Issue(1, testOrigin)
	require.NoError(t, err)

	addr, perr := a.Verify(1, testOrigin, proof(w, ch.Text))
	require.Nil(t, perr)
	require.Equal(t, w.Address, addr)

	// Single use, on the same connection or another one.
	_, perr = a.Verify(1, testOrigin, proof(w, ch.Text))
	require.Equal(t, protocol.CodeAuthReplayed, perr.Code)
	_, perr = a.Verify(2, testOrigin, proof(w, ch.Text))
	require.Equal(t, protocol.CodeAuthReplayed, perr.Code)
}

func TestVerifyRejections(t *testing.T) {
	w := signalingtest.NewWallet()
	other := signalingtest.NewWallet()

	type setup struct {
		a   *auth.Authenticator
		clk *fakeClock
		ch  auth.Challenge
	}
	cases := []struct {
		name string
		// make returns the proof and the origin it is presented at.
		make func(t *testing.T, s setup) (auth.AuthProof, string)
		want protocol.Code
	}{
		{
			name: "replayed",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				p := proof(w, s.ch.Text)
				_, perr := s.a.Verify(1, testOrigin, p)
				require.Nil(t, perr)
				return p, testOrigin
			},
			want: protocol.CodeAuthReplayed,
		},
		{
			name: "expired",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				s.clk.Add(2 * time.Minute)
				return proof(w, s.ch.Text), testOrigin
			},
			want: protocol.CodeAuthExpired,
		},
		{
			name: "expired and already forgotten",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				s.clk.Add(10 * time.Minute)
				_, err := s.a.Issue(9, testOrigin) // sweeps expired nonces
				require.NoError(t, err)
				return proof(w, s.ch.Text), testOrigin
			},
			want: protocol.CodeAuthExpired,
		},
		{
			name: "foreign chain",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				text := auth.ChallengeText(testOrigin, "someother-1", s.ch.Nonce, s.ch.IssuedAt, s.ch.ExpiresAt)
				return proof(w, text), testOrigin
			},
			want: protocol.CodeAuthWrongChain,
		},
		{
			name: "challenge of another server",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				return proof(w, s.ch.Text), "https://evil.example"
			},
			want: protocol.CodeAuthWrongOrigin,
		},
		{
			name: "nonce never issued",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				text := auth.ChallengeText(testOrigin, testChainID, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", s.ch.IssuedAt, s.ch.ExpiresAt)
				return proof(w, text), testOrigin
			},
			want: protocol.CodeAuthUnknownNonce,
		},
		{
			name: "nonce issued to another connection",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				ch2, err := s.a.Issue(2, testOrigin)
				require.NoError(t, err)
				return proof(w, ch2.Text), testOrigin
			},
			want: protocol.CodeAuthUnknownNonce,
		},
		{
			name: "signature by another key",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				p := proof(w, s.ch.Text)
				p.Signature.Signature = other.SignArbitrary(s.ch.Text).Signature
				return p, testOrigin
			},
			want: protocol.CodeAuthBadSignature,
		},
		{
			name: "signature over other text",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				p := proof(w, s.ch.Text+" ")
				p.Message = s.ch.Text
				return p, testOrigin
			},
			want: protocol.CodeAuthBadSignature,
		},
		{
			name: "signature over the bare text, not the ADR-036 document",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				return auth.AuthProof{Address: w.Address, Message: s.ch.Text, Signature: w.SignBytes([]byte(s.ch.Text))}, testOrigin
			},
			want: protocol.CodeAuthBadSignature,
		},
		{
			name: "signature over a document with a chain id (signAmino, not signArbitrary)",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				doc := strings.Replace(string(signalingtest.SignDoc(w.Address, []byte(s.ch.Text))), `"chain_id":""`, `"chain_id":"`+testChainID+`"`, 1)
				return auth.AuthProof{Address: w.Address, Message: s.ch.Text, Signature: w.SignBytes([]byte(doc))}, testOrigin
			},
			want: protocol.CodeAuthBadSignature,
		},
		{
			name: "high-S twin of a valid signature",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				p := proof(w, s.ch.Text)
				p.Signature.Signature = highS(t, p.Signature.Signature)
				return p, testOrigin
			},
			want: protocol.CodeAuthBadSignature,
		},
		{
			name: "key of another address",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				p := proof(other, s.ch.Text)
				p.Address = w.Address
				return p, testOrigin
			},
			want: protocol.CodeAuthAddrMismatch,
		},
		{
			name: "text altered after issue (same nonce)",
			make: func(t *testing.T, s setup) (auth.AuthProof, string) {
				text := auth.ChallengeText(testOrigin, testChainID, s.ch.Nonce, s.ch.IssuedAt, s.ch.ExpiresAt.Add(time.Hour))
				return proof(w, text), testOrigin
			},
			want: protocol.CodeAuthMalformed,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, clk := newAuth(t)
			ch, err := a.Issue(1, testOrigin)
			require.NoError(t, err)
			p, origin := tc.make(t, setup{a: a, clk: clk, ch: ch})
			addr, perr := a.Verify(1, origin, p)
			require.NotNil(t, perr, "accepted as %s", addr)
			require.Equal(t, tc.want, perr.Code, perr.Message)
			require.Empty(t, addr)
		})
	}

	// Distinct failures get distinct codes.
	codes := map[protocol.Code]bool{}
	for _, tc := range cases {
		codes[tc.want] = true
	}
	require.Len(t, codes, 8)
}

func TestVerifyMalformed(t *testing.T) {
	w := signalingtest.NewWallet()
	uncompressed := base64.StdEncoding.EncodeToString(append([]byte{0x04}, make([]byte, 64)...))
	notOnCurve := base64.StdEncoding.EncodeToString(append([]byte{0x02}, make([]byte, 32)...))

	cases := map[string]func(p *auth.AuthProof){
		"address not bech32":     func(p *auth.AuthProof) { p.Address = "stream1notbech32" },
		"address of another hrp": func(p *auth.AuthProof) { p.Address = rehrp(t, p.Address, "cosmos") },
		"address in upper case":  func(p *auth.AuthProof) { p.Address = strings.ToUpper(p.Address) },
		"empty address":          func(p *auth.AuthProof) { p.Address = "" },
		"pub key type":           func(p *auth.AuthProof) { p.Signature.PubKey.Type = "tendermint/PubKeyEd25519" },
		"pub key not base64":     func(p *auth.AuthProof) { p.Signature.PubKey.Value = "%%%" },
		"pub key short": func(p *auth.AuthProof) {
			p.Signature.PubKey.Value = base64.StdEncoding.EncodeToString([]byte{2, 1, 2})
		},
		"pub key uncompressed": func(p *auth.AuthProof) { p.Signature.PubKey.Value = uncompressed },
		"pub key not on curve": func(p *auth.AuthProof) { p.Signature.PubKey.Value = notOnCurve },
		"signature not base64": func(p *auth.AuthProof) { p.Signature.Signature = "***" },
		"signature 65 bytes": func(p *auth.AuthProof) {
			p.Signature.Signature = base64.StdEncoding.EncodeToString(make([]byte, 65))
		},
		"signature empty":         func(p *auth.AuthProof) { p.Signature.Signature = "" },
		"message not a challenge": func(p *auth.AuthProof) { p.Message = "hello" },
		"message with extra line": func(p *auth.AuthProof) { p.Message += "\nExtra: 1" },
		"message bad time": func(p *auth.AuthProof) {
			p.Message = strings.Replace(p.Message, "Issued At: 2026", "Issued At: 20x6", 1)
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			a, _ := newAuth(t)
			ch, err := a.Issue(1, testOrigin)
			require.NoError(t, err)
			p := proof(w, ch.Text)
			mutate(&p)
			// Re-sign mutated messages so only the shape is wrong.
			if p.Message != ch.Text {
				p.Signature.Signature = w.SignArbitrary(p.Message).Signature
			}
			_, perr := a.Verify(1, testOrigin, p)
			require.NotNil(t, perr)
			require.Equal(t, protocol.CodeAuthMalformed, perr.Code, perr.Message)
		})
	}
}

func TestReleaseForgetsUnansweredChallenges(t *testing.T) {
	a, _ := newAuth(t)
	w := signalingtest.NewWallet()
	used, err := a.Issue(1, testOrigin)
	require.NoError(t, err)
	unused, err := a.Issue(1, testOrigin)
	require.NoError(t, err)
	_, perr := a.Verify(1, testOrigin, proof(w, used.Text))
	require.Nil(t, perr)
	require.Equal(t, 2, a.Outstanding())

	a.Release(1)
	// The burnt nonce is kept to recognise replays; the unanswered one is gone.
	require.Equal(t, 1, a.Outstanding())
	_, perr = a.Verify(1, testOrigin, proof(w, unused.Text))
	require.Equal(t, protocol.CodeAuthUnknownNonce, perr.Code)
	_, perr = a.Verify(1, testOrigin, proof(w, used.Text))
	require.Equal(t, protocol.CodeAuthReplayed, perr.Code)
}

func TestChallengesPerConnectionAreBounded(t *testing.T) {
	a, _ := newAuth(t)
	for range 50 {
		_, err := a.Issue(1, testOrigin)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, a.Outstanding(), 4)
}

// highS returns the other valid signature (r, n−s) of a low-S one.
func highS(t *testing.T, sigB64 string) string {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	require.NoError(t, err)
	n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
	s := new(big.Int).SetBytes(sig[32:])
	hs := new(big.Int).Sub(n, s).FillBytes(make([]byte, 32))
	return base64.StdEncoding.EncodeToString(append(append([]byte{}, sig[:32]...), hs...))
}

// The high-S twin is a mathematically valid ECDSA signature: only the
// low-S rule rejects it, which this test pins down.
func TestHighSTwinIsOtherwiseValid(t *testing.T) {
	w := signalingtest.NewWallet()
	msg := []byte("x")
	sig := w.SignBytes(msg)
	hs, err := base64.StdEncoding.DecodeString(highS(t, sig.Signature))
	require.NoError(t, err)
	pub := w.Priv.PubKey().(*secp256k1.PubKey)
	require.False(t, pub.VerifySignature(msg, hs))
	digest := sha256.Sum256(msg)
	require.True(t, verifyIgnoringLowS(t, pub.Key, digest[:], hs))
}

func verifyIgnoringLowS(t *testing.T, pubKey, digest, sig []byte) bool {
	t.Helper()
	pub, err := dsecp.ParsePubKey(pubKey)
	require.NoError(t, err)
	var r, s dsecp.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:])
	return decdsa.NewSignature(&r, &s).Verify(digest, pub)
}

func rehrp(t *testing.T, addr, hrp string) string {
	t.Helper()
	_, bz, err := bech32.DecodeAndConvert(addr)
	require.NoError(t, err)
	out, err := bech32.ConvertAndEncode(hrp, bz)
	require.NoError(t, err)
	return out
}
