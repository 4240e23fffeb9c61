package signaling_test

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// Keys match exactly: a key in another case is an unknown key, ignored,
// on the fast path and the general one alike.
func TestDecodeKeysMatchExactly(t *testing.T) {
	for in, want := range map[string]protocol.ClientMessage{
		`{"type":"leave","tYpE":"watch","stream_id":1}`:        {Type: "leave", StreamID: 1},
		`{"type":"leave","tYpE":"watch","stream_id":1,"x":[]}`: {Type: "leave", StreamID: 1},
		`{"type":"leave","TYPE":"watch"}`:                      {Type: "leave"},
		`{"type":"candidate","to":"p","TO":"q","candidate":{}}`: {
			Type: "candidate", To: "p", Candidate: []byte(`{}`)},
		`{"type":"auth","address":"a","message":"m","Address":"b","signature":{"pub_key":{"type":"t","value":"v","Value":"w"},"signature":"s","Signature":"z","Pub_Key":{}}}`: {
			Type: "auth", Address: "a", Message: "m",
			Signature: &protocol.StdSignature{PubKey: protocol.PubKeyJSON{Type: "t", Value: "v"}, Signature: "s"}},
	} {
		got, err := protocol.DecodeClientMessage([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for in, code := range map[string]protocol.Code{
		`{"TYPE":"watch","stream_id":1}`:              protocol.CodeBadMessage, // no type at all
		`{"Type":"leave"}`:                            protocol.CodeBadMessage,
		`{"type":"watch","Stream_ID":1}`:              protocol.CodeBadMessage, // no stream id
		`{"type":"resume","Token":"t"}`:               protocol.CodeBadMessage,
		`{"type":"offer","To":"p","sdp":{}}`:          protocol.CodeBadMessage,
		`{"type":"candidate","to":"p","Candidate":1}`: protocol.CodeBadMessage,
	} {
		_, err := protocol.DecodeClientMessage([]byte(in))
		var perr *protocol.ProtocolError
		require.True(t, errors.As(err, &perr), in)
		require.Equal(t, code, perr.Code, in)
	}
}

// A key given twice is refused, whichever decoder would read the message.
func TestDecodeRefusesDuplicateKeys(t *testing.T) {
	for _, in := range []string{
		`{"type":"leave","type":"watch"}`,
		`{"type":"watch","stream_id":1,"stream_id":2}`,
		`{"type":"candidate","to":"p","to":"q","candidate":{}}`,
		`{"type":"offer","to":"p","sdp":{},"sdp":{}}`,
		`{"type":"leave","x":1,"x":2}`,
		`{"type":"leave","t\u0079pe":"watch"}`,
		`{"type":"auth","address":"a","message":"m","signature":{"signature":"s","signature":"t","pub_key":{}}}`,
		`{"type":"auth","address":"a","message":"m","signature":{"signature":"s","pub_key":{"value":"v","value":"w"}}}`,
	} {
		_, err := protocol.DecodeClientMessage([]byte(in))
		var perr *protocol.ProtocolError
		require.True(t, errors.As(err, &perr), in)
		require.Equal(t, protocol.CodeBadMessage, perr.Code, in)
		require.Contains(t, perr.Message, "given twice", in)
	}
}

// A stream id is read in work bounded by its length: an exponent does not
// make the server build a million-digit number. Measured in bytes
// allocated, not time (the machine is shared).
func TestDecodeStreamIDIsCheap(t *testing.T) {
	for _, in := range []string{
		`{"type":"watch","stream_id":1e999999}`,
		`{"type":"watch","stream_id":1e-999999}`,
		`{"type":"watch","stream_id":9.99999999999999999999e99999999999999999999}`,
		`{"type":"watch","stream_id":"1e999999"}`,
		`{"type":"watch","stream_id":1e999999,"x":1}`,
		`{"stream_id":1e999999,"type":"watch"}`,
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			m, err := protocol.DecodeClientMessage([]byte(in))
			var perr *protocol.ProtocolError
			require.True(t, errors.As(err, &perr), in)
			require.Equal(t, protocol.CodeBadMessage, perr.Code, in)
			require.Equal(t, "watch", m.Type, "the error names its request: %s", in)
		}
		runtime.ReadMemStats(&after)
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(10*16<<10), "%s allocates more than 16 KiB a decode", in)
	}
	for in, want := range map[string]uint64{
		`{"type":"watch","stream_id":4.2e1}`:                    42,
		`{"type":"watch","stream_id":1844674407370955161.5e1}`:  18446744073709551615,
		`{"type":"watch","stream_id":0.000042e6,"x":0}`:         42,
		`{"type":"watch","stream_id":42000e-3}`:                 42,
		`{"type":"watch","stream_id":1E+1}`:                     10,
		`{"type":"watch","stream_id":18446744073709551615.000}`: 18446744073709551615,
	} {
		m, err := protocol.DecodeClientMessage([]byte(in))
		require.NoError(t, err, in)
		require.EqualValues(t, want, m.StreamID, in)
	}
	for _, in := range []string{
		`{"type":"watch","stream_id":1844674407370955161.6e1}`,
		`{"type":"watch","stream_id":42000e-4}`,
		`{"type":"watch","stream_id":-42}`,
		`{"type":"watch","stream_id":null}`,
		`{"type":"watch","stream_id":0e5}`,
	} {
		_, err := protocol.DecodeClientMessage([]byte(in))
		require.Error(t, err, in)
	}
}

// A signed-in connection that keeps sending malformed messages is closed
// like one over the rate: each costs a violation, however cheap to parse.
func TestBadMessagesCloseSignedInConnection(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(signalingtest.NewWallet())
	for i := range 25 {
		msg := []byte(`{"type":"nonsense"}`)
		if i%2 == 0 {
			msg = []byte(`{"type":"watch","stream_id":1e999999}`)
		}
		if c.TrySendRaw(msg) != nil {
			break // closed before the last of them was sent
		}
	}
	code, _ := c.ExpectClosed()
	require.Equal(t, protocol.CloseRateLimited, code)
}
