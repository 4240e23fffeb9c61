package protocol

import (
	"bytes"
	"testing"
	"time"
)

// eventSamples are messages of every hand-written shape, with the values
// that take the edges of encoding/json's rules: empty and omitted fields,
// nil and empty lists, strings that need escaping, times out of range or
// not in UTC.
func eventSamples() []fastEncoder {
	start := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	end := start.Add(90*time.Minute + 123456789)
	servers := []ICEServer{{URLs: []string{"stun:stun.example:3478"}}, {URLs: []string{"turn:t.example:3478?transport=udp", "turns:t.example:5349"}, Username: "1767225600:Vb1yq0J4S2eT2m8o5rZk3A", Credential: "q1+/w2E=="}}
	odd := []string{"", "plain", `quo"te`, `back\slash`, "tab\there", "<html>&", "é", "\u2028", "del\x7f", "\xff"}
	var out []fastEncoder
	for _, s := range odd {
		out = append(out,
			StreamEventMsg{Type: TypeViewerJoined, StreamID: 7, PeerID: s},
			StreamEventMsg{Type: TypeStreamEnded, StreamID: 1<<64 - 1, Reason: s},
			StreamEventMsg{Type: s},
			ViewerCountMsg{Type: s, StreamID: 3, Count: -1},
			WatchingMsg{Type: TypeWatching, StreamID: 9, PeerID: "p", Broadcaster: s, BroadcasterPeerID: s, ICEServers: []ICEServer{{URLs: []string{s}, Username: s, Credential: s}}, StartTime: start, EndTime: end},
			BroadcastingMsg{Type: TypeBroadcasting, StreamID: 9, PeerID: s, ICEServers: servers, ViewerCount: 2, StartTime: start, EndTime: end},
		)
	}
	for _, ss := range [][]ICEServer{nil, {}, {{}}, {{URLs: []string{}}}, servers} {
		out = append(out, WatchingMsg{Type: TypeWatching, ICEServers: ss, StartTime: start, EndTime: end})
	}
	for _, t := range []time.Time{{}, start.In(time.FixedZone("x", 3600)), start.In(time.FixedZone("", 0)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), start.Local()} {
		out = append(out, BroadcastingMsg{Type: TypeBroadcasting, ICEServers: servers, StartTime: t, EndTime: end}, WatchingMsg{Type: TypeWatching, StartTime: start, EndTime: t})
	}
	return out
}

// What the hand-written encoders write is byte for byte what encoding/json
// writes; where they cannot, encode falls back to it.
func TestEventEncodersMatchEncodingJSON(t *testing.T) {
	fast := 0
	for _, m := range eventSamples() {
		want := mustEncodeJSON(t, m)
		if got, ok := m.appendJSON(nil); ok {
			fast++
			if !bytes.Equal(got, want) {
				t.Errorf("%#v:\n fast %s\n json %s", m, got, want)
			}
		}
		if want == nil {
			continue // encoding/json refuses it, and encode with it
		}
		if got := Encode(m); !bytes.Equal(got, want) {
			t.Errorf("Encode(%#v):\n got  %s\n want %s", m, got, want)
		}
	}
	if fast < 20 {
		t.Fatalf("only %d samples took the hand-written path", fast)
	}
}

// mustEncodeJSON is encodeJSON, but a value encoding/json refuses is
// reported as "" (encode would panic on it: the fast path must not take it).
func mustEncodeJSON(t *testing.T, m fastEncoder) (b []byte) {
	t.Helper()
	defer func() {
		if recover() != nil {
			if got, ok := m.appendJSON(nil); ok {
				t.Errorf("%#v: encoding/json refuses it, the fast path wrote %s", m, got)
			}
			b = nil
		}
	}()
	return encodeJSON(m)
}

func FuzzEventEncoders(f *testing.F) {
	f.Add("viewer_joined", uint64(1), "Vb1yq0J4S2eT2m8o5rZk3A", "left", "stream1abc", "stun:x", int64(1764597600), int64(5), 3)
	f.Add(`"`, uint64(0), "\\", "\x00", "é", "", int64(-62135596800), int64(253402300800), -7)
	f.Fuzz(func(t *testing.T, typ string, id uint64, peer, reason, addr, url string, sec, nsec int64, n int) {
		start := time.Unix(sec, nsec).UTC()
		servers := []ICEServer{{URLs: []string{url}, Username: peer, Credential: reason}}
		for _, m := range []fastEncoder{
			StreamEventMsg{Type: typ, StreamID: StreamID(id), PeerID: peer, Reason: reason},
			ViewerCountMsg{Type: typ, StreamID: StreamID(id), Count: n},
			WatchingMsg{Type: typ, StreamID: StreamID(id), PeerID: peer, Broadcaster: addr, BroadcasterPeerID: reason, ICEServers: servers, ViewerCount: n, StartTime: start, EndTime: start},
			BroadcastingMsg{Type: typ, StreamID: StreamID(id), PeerID: peer, ICEServers: servers, ViewerCount: n, StartTime: start, EndTime: start},
		} {
			got, ok := m.appendJSON(nil)
			if !ok {
				continue
			}
			if want := mustEncodeJSON(t, m); !bytes.Equal(got, want) {
				t.Fatalf("%#v:\n fast %s\n json %s", m, got, want)
			}
		}
	})
}
