package protocol_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/protocol"
)

func TestDecodeClientMessage(t *testing.T) {
	valid := map[string]protocol.ClientMessage{
		`{"type":"challenge"}`:                                            {Type: "challenge"},
		`{"type":"leave","extra":"ignored"}`:                              {Type: "leave"},
		`{"type":"watch","stream_id":7}`:                                  {Type: "watch", StreamID: 7},
		`{"type":"broadcast","stream_id":"7"}`:                            {Type: "broadcast", StreamID: 7},
		`{"type":"watch","stream_id":1.0}`:                                {Type: "watch", StreamID: 1},
		`{"type":"watch","stream_id":1e0}`:                                {Type: "watch", StreamID: 1},
		`{"type":"watch","stream_id":4.2E1}`:                              {Type: "watch", StreamID: 42},
		`{"type":"watch","stream_id":18446744073709551615}`:               {Type: "watch", StreamID: 18446744073709551615},
		`{"type":"offer","to":"p","sdp":{"a":1}}`:                         {Type: "offer", To: "p", SDP: json.RawMessage(`{"a":1}`)},
		`{"type":"answer","to":"p","sdp":"v=0"}`:                          {Type: "answer", To: "p", SDP: json.RawMessage(`"v=0"`)},
		`{"type":"candidate","to":"p","candidate":{}}`:                    {Type: "candidate", To: "p", Candidate: json.RawMessage(`{}`)},
		`{"type":"broadcast","stream_id":7,"direct_capacity":0}`:          {Type: "broadcast", StreamID: 7, DirectCapacity: ptr(0)},
		`{"type":"broadcast","stream_id":7,"direct_capacity":1000}`:       {Type: "broadcast", StreamID: 7, DirectCapacity: ptr(1000)},
		`{"type":"broadcast","stream_id":7,"direct_capacity":null}`:       {Type: "broadcast", StreamID: 7},
		`{"type":"direct_capacity","stream_id":"7","direct_capacity":3}`:  {Type: "direct_capacity", StreamID: 7, DirectCapacity: ptr(3)},
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":0}`:    {Type: "direct_capacity", StreamID: 7, DirectCapacity: ptr(0)},
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":1000}`: {Type: "direct_capacity", StreamID: 7, DirectCapacity: ptr(1000)},
		`{"type":"auth","address":"a","message":"m","signature":{"pub_key":{"type":"t","value":"v"},"signature":"s"}}`: {
			Type: "auth", Address: "a", Message: "m",
			Signature: &protocol.StdSignature{PubKey: protocol.PubKeyJSON{Type: "t", Value: "v"}, Signature: "s"},
		},
	}
	for in, want := range valid {
		got, err := protocol.DecodeClientMessage([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}

	invalid := map[string]protocol.Code{
		``:                                   protocol.CodeBadMessage,
		`not json`:                           protocol.CodeBadMessage,
		`[]`:                                 protocol.CodeBadMessage,
		`"watch"`:                            protocol.CodeBadMessage,
		`null`:                               protocol.CodeBadMessage,
		`{"type":"leave"}{"type":"leave"}`:   protocol.CodeBadMessage,
		`{}`:                                 protocol.CodeBadMessage,
		`{"type":7}`:                         protocol.CodeBadMessage,
		`{"type":"hack"}`:                    protocol.CodeUnknownType,
		`{"type":"stopBroadcasting"}`:        protocol.CodeUnknownType,
		`{"type":"watch"}`:                   protocol.CodeBadMessage,
		`{"type":"watch","stream_id":0}`:     protocol.CodeBadMessage,
		`{"type":"watch","stream_id":-1}`:    protocol.CodeBadMessage,
		`{"type":"watch","stream_id":1.5}`:   protocol.CodeBadMessage,
		`{"type":"watch","stream_id":"1e3"}`: protocol.CodeBadMessage,
		`{"type":"watch","stream_id":1.5e0}`: protocol.CodeBadMessage,
		`{"type":"watch","stream_id":1e20}`:  protocol.CodeBadMessage,
		`{"type":"watch","stream_id":-0.0}`:  protocol.CodeBadMessage,
		`{"type":"watch","stream_id":"18446744073709551616"}`:                              protocol.CodeBadMessage,
		`{"type":"offer","sdp":"x"}`:                                                       protocol.CodeBadMessage,
		`{"type":"offer","to":"p"}`:                                                        protocol.CodeBadMessage,
		`{"type":"offer","to":"p","sdp":null}`:                                             protocol.CodeBadMessage,
		`{"type":"candidate","to":"p","sdp":"x"}`:                                          protocol.CodeBadMessage,
		`{"type":"candidate","to":"","candidate":1}`:                                       protocol.CodeBadMessage,
		`{"type":"auth","address":"a","message":"m"}`:                                      protocol.CodeBadMessage,
		`{"type":"auth","address":"a","signature":{}}`:                                     protocol.CodeBadMessage,
		`{"type":"broadcast","stream_id":7,"direct_capacity":-1}`:                          protocol.CodeBadMessage,
		`{"type":"broadcast","stream_id":7,"direct_capacity":1001}`:                        protocol.CodeBadMessage,
		`{"type":"broadcast","stream_id":7,"direct_capacity":1.5}`:                         protocol.CodeBadMessage,
		`{"type":"broadcast","stream_id":7,"direct_capacity":"2"}`:                         protocol.CodeBadMessage,
		`{"type":"broadcast","stream_id":7,"direct_capacity":1e99}`:                        protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7}`:                                         protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":null}`:                  protocol.CodeBadMessage,
		`{"type":"direct_capacity","direct_capacity":3}`:                                   protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":0,"direct_capacity":3}`:                     protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":-1}`:                    protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":1001}`:                  protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":2.5}`:                   protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":"3"}`:                   protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":true}`:                  protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":[3]}`:                   protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":1e400}`:                 protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":3,"direct_capacity":4}`: protocol.CodeBadMessage,
		`{"type":"direct_capacity","stream_id":7,"Direct_Capacity":3}`:                     protocol.CodeBadMessage,
		`{"type":"sfu_quality"}`:                                                           protocol.CodeBadMessage,
		`{"type":"sfu_quality","quality":"HIGH"}`:                                          protocol.CodeBadMessage,
		`{"type":"sfu_quality","quality":"auto"}`:                                          protocol.CodeBadMessage,
		`{"type":"sfu_quality","quality":2}`:                                               protocol.CodeBadMessage,
		`{"type":"sfu_quality","quality":null}`:                                            protocol.CodeBadMessage,
	}
	longPeer := `{"type":"candidate","to":"` + strings.Repeat("p", 65) + `","candidate":1}`
	invalid[longPeer] = protocol.CodeBadMessage
	for in, want := range invalid {
		_, err := protocol.DecodeClientMessage([]byte(in))
		var perr *protocol.ProtocolError
		require.True(t, errors.As(err, &perr), "%q: %v", in, err)
		require.Equal(t, want, perr.Code, in)
	}
}

// Errors name the request when the message has a readable type, and say
// what is wrong in the client's terms, not Go's.
func TestDecodeErrorsNameTheRequest(t *testing.T) {
	cases := []struct{ in, request, text string }{
		{`{"type":"hack"}`, "hack", "unknown message type"},
		{`{"type":"watch"}`, "watch", "needs a stream_id"},
		{`{"type":"watch","stream_id":1.5}`, "watch", "stream_id must be"},
		{`{"type":"direct_capacity","stream_id":7,"direct_capacity":1001}`, "direct_capacity", "an integer from 0 to 1000"},
		{`{"type":"direct_capacity","stream_id":7}`, "direct_capacity", "needs direct_capacity"},
		{`{"type":"auth","address":"a","message":"m","signature":"sig"}`, "auth", "field signature has the wrong type (string)"},
		{`{"type":"auth","address":7}`, "auth", "field address has the wrong type (number)"},
		{`{"type":"leave"}{"type":"leave"}`, "leave", "one JSON object per message"},
		{`[1]`, "", "must be a JSON object, not array"},
		{`{"type":`, "", "not valid JSON"},
	}
	for _, c := range cases {
		m, err := protocol.DecodeClientMessage([]byte(c.in))
		var perr *protocol.ProtocolError
		require.True(t, errors.As(err, &perr), c.in)
		require.Equal(t, c.request, m.Type, c.in)
		require.Contains(t, perr.Message, c.text, c.in)
		require.NotContains(t, perr.Message, "protocol.", c.in)
		require.NotContains(t, perr.Message, "Go value", c.in)
	}
}

var knownTypes = map[string]bool{
	"challenge": true, "auth": true, "broadcast": true, "watch": true,
	"leave": true, "offer": true, "answer": true, "candidate": true, "resume": true,
	"chat": true, "chat_delete": true, "chat_mute": true, "chat_remove": true,
	"sfu_quality":     true,
	"direct_capacity": true,
}

// FuzzDecodeClientMessage: the decoder never panics, refuses with one of its
// two codes, and what it accepts is a known type with its required fields,
// stable under a re-encode.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"challenge"}`,
		`{"type":"watch","stream_id":"1"}`,
		`{"type":"broadcast","stream_id":18446744073709551615}`,
		`{"type":"offer","to":"AAAAAAAAAAAAAAAAAAAAAA","sdp":{"type":"offer","sdp":"v=0\r\n"}}`,
		`{"type":"candidate","to":"p","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0"}}`,
		`{"type":"auth","address":"stream1x","message":"m","signature":{"pub_key":{"type":"tendermint/PubKeySecp256k1","value":"AA=="},"signature":"AA=="}}`,
		`{"type":"leave","type":"watch"}`,
		`{"type":"offer","to":"p","sdp":null}`,
		"{\"type\":\"watch\",\"stream_id\":\"\\u0031\"}",
		`{"type":"resume","token":"t"}`,
		`{"type":"chat","text":"hello"}`,
		`{"type":"chat_delete","id":"0194f3a1b2c3"}`,
		`{"type":"chat_mute","address":"stream1x"}`,
		`{"type":"sfu_quality","quality":"medium"}`,
		`{"type":"direct_capacity","stream_id":"7","direct_capacity":3}`,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":-0}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := protocol.DecodeClientMessage(data)
		if err != nil {
			var perr *protocol.ProtocolError
			if !errors.As(err, &perr) {
				t.Fatalf("error is not a ProtocolError: %v", err)
			}
			// chat_invalid: a chat line too long to read at all.
			if perr.Code != protocol.CodeBadMessage && perr.Code != protocol.CodeUnknownType && perr.Code != protocol.CodeChatInvalid {
				t.Fatalf("unexpected code %q", perr.Code)
			}
			return
		}
		if !knownTypes[m.Type] {
			t.Fatalf("accepted unknown type %q", m.Type)
		}
		switch m.Type {
		case "watch", "broadcast":
			if m.StreamID == 0 {
				t.Fatal("accepted a zero stream id")
			}
		case "offer", "answer", "candidate":
			if m.To == "" || len(m.To) > 64 {
				t.Fatalf("accepted peer id %q", m.To)
			}
		case "auth":
			if m.Signature == nil || m.Address == "" || m.Message == "" {
				t.Fatal("accepted an incomplete auth")
			}
		case "resume":
			if m.Token == "" {
				t.Fatal("accepted a resume without a token")
			}
		case "chat":
			if m.Text == "" || len(m.Text) > 2048 {
				t.Fatalf("accepted chat text of %d bytes", len(m.Text))
			}
		case "chat_delete":
			if m.ID == "" || len(m.ID) > 64 {
				t.Fatalf("accepted chat_delete id %q", m.ID)
			}
		case "chat_mute", "chat_remove":
			if m.Address == "" || len(m.Address) > 128 {
				t.Fatalf("accepted %s of %q", m.Type, m.Address)
			}
		case "sfu_quality":
			if m.Quality != "high" && m.Quality != "medium" && m.Quality != "low" {
				t.Fatalf("accepted quality %q", m.Quality)
			}
		case "direct_capacity":
			if m.StreamID == 0 || m.DirectCapacity == nil || *m.DirectCapacity < 0 || *m.DirectCapacity > 1000 {
				t.Fatalf("accepted direct_capacity %v for stream %d", m.DirectCapacity, m.StreamID)
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := protocol.DecodeClientMessage(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		again2, _ := json.Marshal(m2)
		if string(again) != string(again2) {
			t.Fatalf("unstable: %s != %s", again, again2)
		}
	})
}

func ptr[T any](v T) *T { return &v }
