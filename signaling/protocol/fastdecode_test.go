package protocol

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeFast: whatever the fast path accepts, encoding/json accepts
// too and decodes to the same message.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range []string{
		`{"type":"candidate","to":"Vb1yq0J4S2eT2m8o5rZk3A","candidate":{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}`,
		`{"type":"offer","to":"p","sdp":{"type":"offer","sdp":"v=0\r\n"}}`,
		` { "to" : "p" , "type" : "answer" , "sdp" : [1, -2.5e+3, true, false, null, "\u00e9"] } `,
		`{"type":"candidate","to":"p","candidate":null}`,
		`{"type":"candidate","to":"p","candidate":01}`,
		`{"type":"candidate","to":"p","candidate":{"a":1,}}`,
		`{"type":"candidate","type":"offer","to":"p","sdp":{}}`,
		`{"type":"watch","stream_id":"1"}`,
		`{"type":"candidate","to":"p","candidate":"\x01"}`,
		`{"type":"watch","stream_id":42}`,
		`{"type":"broadcast","stream_id":"18446744073709551615"}`,
		`{"type":"watch","stream_id":18446744073709551616}`,
		`{"type":"watch","stream_id":"007"}`,
		`{"type":"watch","stream_id":007}`,
		`{"type":"watch","stream_id":1e0}`,
		`{"type":"watch","stream_id":-1}`,
		`{"type":"leave"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeFast(data)
		if !ok {
			return
		}
		var slow ClientMessage
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", data, err)
		}
		if fast.Type != slow.Type || fast.To != slow.To || !bytes.Equal(fast.SDP, slow.SDP) ||
			!bytes.Equal(fast.Candidate, slow.Candidate) || fast.StreamID != slow.StreamID || slow.Address != "" ||
			slow.Message != "" || slow.Signature != nil {
			t.Fatalf("%q: fast %+v, encoding/json %+v", data, fast, slow)
		}
	})
}

// The fast path takes the relay and session messages browsers send, and
// leaves the rest.
func TestDecodeFastShape(t *testing.T) {
	for s, want := range map[string]bool{
		`{"type":"candidate","to":"p","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}}`: true,
		`{"type":"offer","to":"p","sdp":{"type":"offer","sdp":"v=0\r\n"}}`:                           true,
		`{"type":"watch","stream_id":"1"}`:                                                           true,
		`{"type":"broadcast","stream_id":12}`:                                                        true,
		`{"type":"leave"}`:                                                                           true,
		`{"type":"watch","stream_id":1.0}`:                                                           false,
		`{"type":"watch","stream_id":01}`:                                                            false,
		`{"type":"watch","stream_id":"1 "}`:                                                          false,
		`{"type":"auth","address":"a"}`:                                                              false,
		`{"type":"candidate","to":"p","candidate":{},"extra":1}`:                                     false,
		`{"Type":"candidate","to":"p","candidate":{}}`:                                               false,
		`{"type":"candidate","to":"p\u0041","candidate":{}}`:                                         false,
		`{"type":"candidate","to":"p","candidate":{}} {}`:                                            false,
		`{"type":"candidate","to":"p","candidate":{"a":}}`:                                           false,
	} {
		if _, ok := decodeFast([]byte(s)); ok != want {
			t.Errorf("decodeFast(%s): fast path %v, want %v", s, ok, want)
		}
	}
}
