package hub

import (
	"encoding/json"
	"testing"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// FuzzSFUPayload: whatever a client sends to the media server as sdp or
// candidate, it is read into Janus's shape or refused with bad_message,
// never a panic, and what is read is exactly what was sent.
func FuzzSFUPayload(f *testing.F) {
	for _, seed := range []string{
		`{"type":"offer","sdp":"v=0\r\n"}`, `{"type":"answer","sdp":"v=0"}`, `{"type":"answer"}`, `"v=0"`, `null`, `[]`, `{"type":1}`,
		`{"candidate":"candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}`,
		`{"candidate":""}`, `{"candidate":"x","sdpMLineIndex":70000}`, `{"sdpMid":"0"}`, `{"candidate":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, want := range []string{"offer", "answer"} {
			jsep, perr := readJSEP(raw, want)
			if perr != nil {
				if perr.Code != protocol.CodeBadMessage {
					t.Fatalf("refused with %s", perr.Code)
				}
				continue
			}
			var d struct{ Type, SDP string }
			if json.Unmarshal(raw, &d) != nil || jsep.Type != want || d.Type != want || jsep.SDP != d.SDP || jsep.SDP == "" {
				t.Fatalf("read %+v from %q", jsep, raw)
			}
		}
		c, perr := readCandidate(raw)
		if perr != nil {
			if perr.Code != protocol.CodeBadMessage {
				t.Fatalf("refused with %s", perr.Code)
			}
			return
		}
		var d struct{ Candidate string }
		if json.Unmarshal(raw, &d) != nil || (c == nil) != (d.Candidate == "") || (c != nil && c.Candidate != d.Candidate) {
			t.Fatalf("read %+v from %q", c, raw)
		}
	})
}
