package signaling_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// A viewer whose connection to Janus ends while it watches (here its page
// closes the PeerConnection; ICE failing after a network change ends the
// same way, in a hangup from Janus) is offered a new one by "sfu" and gets
// media again without watching again. The new offers are paced: after a
// burst of three, the next waits for the pace.
func TestViewerWhoseMediaConnectionEndsIsOfferedAnother(t *testing.T) {
	s := newSFUEnv(t)
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b := s.largeAudience(owner, id)
	snd := s.sender()
	s.publish(b, snd)
	idle := s.handles()

	other, otherRcv := s.sfuViewer(signalingtest.NewWallet(), owner, id)
	fan := signalingtest.NewWallet()
	c, rcv := s.sfuViewer(fan, owner, id)
	waitPacket(t, otherRcv, "the other viewer")
	waitPacket(t, rcv, "the viewer")
	require.Equal(t, idle+2, s.handles())

	for i := 1; i <= 3; i++ {
		rcv.Close()
		rcv = s.answerSFU(c)
		waitPacket(t, rcv, "the viewer, offered again")
		require.Equal(t, float64(i), s.metric("signaling_sfu_reoffers_total"))
	}
	// The ended subscriptions' handles are gone from Janus; the other
	// viewer was never touched.
	waitFor(t, "the ended handles to be detached", func() bool { return s.handles() == idle+2 })
	if m, ok := other.TryNext(0); ok {
		require.Equal(t, "viewer_count", m.Type(), "the other viewer got %v", m)
	}
	before := otherRcv.Packets.Load()
	waitFor(t, "the other viewer's media", func() bool { return otherRcv.Packets.Load() > before })

	// The fourth in a row waits for the pace (one per 10 s).
	closed := time.Now()
	rcv.Close()
	if m, ok := c.TryNext(2 * time.Second); ok && m.Type() == "offer" {
		t.Fatalf("a fourth offer within 2 s of the third: %v", m)
	}
	m, ok := c.TryNext(15 * time.Second)
	for ok && m.Type() == "viewer_count" {
		m, ok = c.TryNext(15 * time.Second)
	}
	require.True(t, ok, "no fourth offer within 15 s")
	require.Equal(t, "offer", m.Type(), "%v", m)
	t.Logf("the fourth offer came %v after the close", time.Since(closed).Round(time.Millisecond))
	require.Greater(t, time.Since(closed), 2*time.Second)
	rcv = s.answerOffer(c, m)
	waitPacket(t, rcv, "the viewer, offered a fourth time")
	require.Equal(t, 4.0, s.metric("signaling_sfu_reoffers_total"))
}
