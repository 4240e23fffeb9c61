package signaling_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// badUTF8Frames are text frames holding bytes that are not UTF-8, in the
// shapes the fast decoder reads and in shapes only the general decoder
// reads (an extra key, an escape, a key it does not take).
func badUTF8Frames(to string) map[string]string {
	return map[string]string{
		"fast sdp":           `{"type":"answer","to":"` + to + `","sdp":"` + "\xff\xfe" + `"}`,
		"fast object sdp":    `{"type":"answer","to":"` + to + `","sdp":{"type":"answer","sdp":"v=0` + "\xc3" + `"}}`,
		"fallback sdp":       `{"type":"answer","to":"` + to + `","sdp":"` + "\xff\xfe" + `","extra":1}`,
		"fallback escape":    `{"type":"answer","to":"` + to + `","sdp":"\u0041` + "\xed\xa0\x80" + `"}`,
		"fallback key":       `{"type":"answer","to":"` + to + `","sdp":"x","` + "\xff" + `":1}`,
		"fallback candidate": `{"type":"candidate","to":"` + to + `","candidate":{"candidate":"` + "\xf8\x88\x80\x80\x80" + `"},"x":0}`,
	}
}

// expectNoRelay reads b until its viewer is gone and fails on any relayed
// message: nothing the closed sender wrote may reach it.
func expectNoRelay(t *testing.T, b *signalingtest.Client, viewer string) {
	t.Helper()
	for {
		m := b.Next()
		switch m.Type() {
		case "answer", "candidate", "offer":
			t.Fatalf("relayed from a sender of invalid UTF-8: %v", m)
		case "viewer_left":
			require.Equal(t, viewer, m.Str("peer_id"))
			return
		}
	}
}

func TestInvalidUTF8ClosesSenderBeforeRelay(t *testing.T) {
	for name := range badUTF8Frames("") {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
			id := e.liveStream(owner)
			bc, bPeer := e.broadcaster(owner, id)
			vc, vPeer := e.viewer(fan, owner, id, bc)
			vc.SendRaw([]byte(badUTF8Frames(bPeer)[name]))
			code, _ := vc.ExpectClosed()
			require.Equal(t, protocol.CloseInvalidUTF8, code)
			expectNoRelay(t, bc, vPeer)
			// The broadcaster's own connection is untouched.
			bc.Send(map[string]any{"type": "leave"})
			bc.ExpectSkipping("left", "viewer_count")
		})
	}
}

// Before sign-in, the first such frame closes the connection: it is not
// one of the failed attempts a client is allowed.
func TestInvalidUTF8ClosesBeforeSignIn(t *testing.T) {
	e := newEnv(t)
	for _, frame := range []string{
		`{"type":"challenge","x":"` + "\xff" + `"}`,
		`{"type":"auth","address":"stream1` + "\xc0\xaf" + `"}`,
		`{"type":"resume","token":"` + "\xfe" + `"}`,
		"\xff",
	} {
		c := e.dial()
		c.Expect("challenge")
		c.SendRaw([]byte(frame))
		code, _ := c.ExpectClosed()
		require.Equal(t, protocol.CloseInvalidUTF8, code, "%q", frame)
	}
	waitFor(t, "four invalid_utf8 disconnects", func() bool {
		return e.metric("signaling_disconnects_total", "reason", "invalid_utf8") == 4
	})
}

// Across instances: the viewer on b is closed before its answer reaches
// the broadcaster on a.
func TestSharedInvalidUTF8ClosesSenderBeforeRelay(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bc, bPeer := a.broadcaster(owner, id)
	c.chain.Subscribe(fan.Address, owner.Address)
	vc, vPeer := b.signedIn(fan)
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	vc.Expect("watching")
	bc.Expect("viewer_joined")
	vc.SendRaw([]byte(badUTF8Frames(bPeer)["fast sdp"]))
	code, _ := vc.ExpectClosed()
	require.Equal(t, protocol.CloseInvalidUTF8, code)
	expectNoRelay(t, bc, vPeer)

	// And on a second viewer, through the general decoder.
	fan2 := signalingtest.NewWallet()
	c.chain.Subscribe(fan2.Address, owner.Address)
	vc2, vPeer2 := b.signedIn(fan2)
	vc2.Send(map[string]any{"type": "watch", "stream_id": id})
	vc2.Expect("watching")
	bc.ExpectSkipping("viewer_joined", "viewer_count")
	vc2.SendRaw([]byte(badUTF8Frames(bPeer)["fallback sdp"]))
	code, _ = vc2.ExpectClosed()
	require.Equal(t, protocol.CloseInvalidUTF8, code)
	expectNoRelay(t, bc, vPeer2)
}
