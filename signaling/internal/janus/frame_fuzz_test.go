package janus

import (
	"errors"
	"testing"
)

// FuzzRoute feeds arbitrary frames, as a misbehaving or hostile Janus could
// send them, through parsing and routing to a waiting request, a handle and
// a session: nothing panics, and a plugin answer is read as data, an *Error
// or ErrMalformed.
func FuzzRoute(f *testing.F) {
	for _, seed := range []string{
		`{"janus":"success","transaction":"t1","data":{"id":12}}`,
		`{"janus":"error","transaction":"t1","error":{"code":458,"reason":"No such session"}}`,
		`{"janus":"error","transaction":"t1"}`,
		`{"janus":"event","transaction":"t1","sender":7,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":426,"error":"x"}},"jsep":{"type":"offer","sdp":"v=0"}}`,
		`{"janus":"webrtcup","sender":7}`, `{"janus":"media","sender":7,"type":"video","receiving":true}`,
		`{"janus":"hangup","sender":7,"reason":"DTLS alert"}`, `{"janus":"detached","sender":7}`,
		`{"janus":"timeout","session_id":3}`, `[{"janus":"ack","transaction":"t1"},{"janus":"trickle","sender":7,"candidate":{"completed":true}}]`,
		`{"janus":1}`, `[1,2`, `{"janus":"event","sender":7,"plugindata":{"data":[]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &conn{pending: map[string]chan *frame{}, handles: map[uint64]*Handle{}, session: map[uint64]*Session{}, done: make(chan struct{})}
		s := &Session{ID: 3, c: c, stop: make(chan struct{}), done: make(chan struct{}), loopEnded: make(chan struct{})}
		h := &Handle{ID: 7, Session: s, events: make(chan Event, 2)}
		c.session[3], c.handles[7] = s, h
		ch := make(chan *frame, 2)
		c.pending["t1"] = ch
		f := parseFrame(data)
		if f != nil {
			c.route(f)
		}
		select {
		case got := <-ch:
			if got.Janus == "event" || got.Janus == "success" {
				data, _, err := pluginResult(got)
				var jerr *Error
				if err != nil && !errors.Is(err, ErrMalformed) && !errors.As(err, &jerr) {
					t.Fatalf("plugin answer error %v is neither malformed nor a Janus error", err)
				}
				if err == nil && data == nil {
					t.Fatal("a plugin answer without error and without data")
				}
			}
		default:
		}
	})
}
