package protocol

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeFast: whatever the fast path accepts, the general decoder
// accepts too and decodes to the same message; and whatever the general
// decoder accepts means what an exact reader of the JSON sees: keys match
// exactly and none is given twice.
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
		`{"type":"direct_capacity","stream_id":"7","direct_capacity":3}`,
		`{"type":"direct_capacity","stream_id":7,"direct_capacity":3,"Direct_Capacity":4}`,
		`{"type":"leave","tYpE":"watch","stream_id":1}`,
		`{"TYPE":"watch","type":"leave"}`,
		`{"type":"watch","stream_id":1,"Stream_ID":2}`,
		`{"type":"offer","to":"p","To":"q","sdp":{}}`,
		`{"type":"watch","stream_id":1,"stream_id":2}`,
		`{"type":"leave","x":1,"x":2}`,
		`{"type":"auth","address":"a","message":"m","signature":{"pub_key":{"type":"t","Value":"v"},"Signature":"s"}}`,
		`{"type":"auth","address":"a","message":"m","signature":{"signature":"s","signature":"t"}}`,
		`{"type":"watch","stream_id":1e999999}`,
		`{"type":"watch","stream_id":4.2e1}`,
		`{"type":"watch","stream_id":1844674407370955161.5e1}`,
		`{"t\u0079pe":"leave"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		slow, perr := decodeStrict(data)
		if perr == nil {
			exactReader(t, data, slow)
		}
		fast, ok := decodeFast(data)
		if !ok {
			return
		}
		if perr != nil {
			t.Fatalf("fast path accepted %q, the general decoder refuses it: %v", data, perr)
		}
		if fast.Type != slow.Type || fast.To != slow.To || !bytes.Equal(fast.SDP, slow.SDP) ||
			!bytes.Equal(fast.Candidate, slow.Candidate) || fast.StreamID != slow.StreamID || slow.Address != "" ||
			slow.Message != "" || slow.Signature != nil {
			t.Fatalf("%q: fast %+v, general %+v", data, fast, slow)
		}
	})
}

// exactReader checks m against a reader that matches keys exactly (a Go
// map): the string fields are the values of exactly those keys.
func exactReader(t *testing.T, data []byte, m ClientMessage) {
	t.Helper()
	var exact map[string]json.RawMessage
	if err := json.Unmarshal(data, &exact); err != nil {
		t.Fatalf("general decoder accepted %q, encoding/json refuses it: %v", data, err)
	}
	for key, got := range map[string]string{"type": m.Type, "to": m.To, "address": m.Address, "message": m.Message, "token": m.Token} {
		var want string
		if raw, ok := exact[key]; ok {
			_ = json.Unmarshal(raw, &want)
		}
		if got != want {
			t.Fatalf("%q: %s is %q, an exact reader sees %q", data, key, got, want)
		}
	}
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
		`{"type":"direct_capacity","stream_id":"7","direct_capacity":3}`:                             false,
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
