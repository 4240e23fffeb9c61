package signaling_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// TestViewerChoosesQuality: a broadcaster publishes three simulcast layers
// to the media server; a viewer there that asks for the low layer, before
// it has answered the media server's offer, gets a fraction of the bytes
// of a viewer on the default (high), and the same bytes once it asks for
// high. Only viewers on the media server tier choose.
func TestViewerChoosesQuality(t *testing.T) {
	s := newSFUEnv(t)
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.broadcaster(owner, id)

	// Refusals: no session, the broadcaster, a direct viewer, no quality.
	lone := signalingtest.NewWallet()
	lc, _ := s.signedIn(lone)
	lc.Send(map[string]any{"type": "sfu_quality", "quality": "low"})
	expectError(t, lc, "not_in_session")
	b.Send(map[string]any{"type": "sfu_quality", "quality": "low"})
	expectError(t, b, "wrong_role")
	direct := signalingtest.NewWallet()
	s.chain.Subscribe(direct.Address, owner.Address)
	dc, _ := s.signedIn(direct)
	dc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "direct", next(t, dc, "watching").Str("tier"))
	next(t, b, "viewer_joined")
	dc.Send(map[string]any{"type": "sfu_quality", "quality": "low"})
	expectError(t, dc, "wrong_tier")
	dc.Send(map[string]any{"type": "sfu_quality", "quality": "best"})
	expectError(t, dc, "bad_message")

	// The first viewer past the direct tier brings the publication: three
	// layers, each a quarter of the one above.
	api, err := janus.SimulcastAPI()
	require.NoError(t, err)
	snd, err := janus.NewSimulcastSender(api, []string{"h", "m", "l"}, "h", "m", "l")
	require.NoError(t, err)
	t.Cleanup(snd.Close)
	high := signalingtest.NewWallet()
	s.chain.Subscribe(high.Address, owner.Address)
	hc, _ := s.signedIn(high)
	hc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "sfu", next(t, hc, "watching").Str("tier"))
	next(t, b, "sfu_publish")
	pc, offer, err := snd.Offer(context.Background())
	require.NoError(t, err)
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": offer}})
	ans := next(t, b, "answer")
	require.NoError(t, janus.Accept(pc, sdpOf(t, ans)))
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go snd.Run(ctx, 30, 4000)
	hr := s.answerSFU(hc)

	// The next viewer asks for low before it answers.
	low := signalingtest.NewWallet()
	s.chain.Subscribe(low.Address, owner.Address)
	wc, _ := s.signedIn(low)
	wc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "sfu", next(t, wc, "watching").Str("tier"))
	wc.Send(map[string]any{"type": "sfu_quality", "quality": "low"})
	// The media server's offer is placed beside the connection's own
	// messages and may come before the confirmation.
	var q, sfuOffer signalingtest.Msg
	for q == nil || sfuOffer == nil {
		switch m := wc.Next(); m.Type() {
		case "viewer_count":
		case "sfu_quality":
			q = m
		case "offer":
			sfuOffer = m
		default:
			t.Fatalf("expected sfu_quality and an offer, got %v", m)
		}
	}
	require.Equal(t, "low", q.Str("quality"))
	require.Equal(t, strconv.FormatUint(id, 10), q.Str("stream_id"))
	wr := s.answerOffer(wc, sfuOffer)
	waitPacket(t, hr, "the viewer on high")
	waitPacket(t, wr, "the viewer on low")

	h, l := payloadOver(3*time.Second, hr, wr)
	t.Logf("low beside high: %.0f B vs %.0f B (%.3f×)", l, h, l/h)
	require.Positive(t, h)
	require.Less(t, l/h, 0.2, "the viewer that asked for low got %.0f B beside %.0f B", l, h)

	wc.Send(map[string]any{"type": "sfu_quality", "quality": "high"})
	require.Equal(t, "high", next(t, wc, "sfu_quality").Str("quality"))
	time.Sleep(time.Second) // the switch waits for a keyframe of the new layer
	h, l = payloadOver(3*time.Second, hr, wr)
	t.Logf("both on high: %.0f B vs %.0f B (%.2f×)", l, h, l/h)
	require.InDelta(t, 1, l/h, 0.5, "after asking for high: %.0f B beside %.0f B", l, h)
}

// payloadOver is how many payload bytes each of two receivers got during d.
func payloadOver(d time.Duration, a, b *janus.Receiver) (float64, float64) {
	a0, b0 := a.Bytes.Load(), b.Bytes.Load()
	time.Sleep(d)
	return float64(a.Bytes.Load() - a0), float64(b.Bytes.Load() - b0)
}
