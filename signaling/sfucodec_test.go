package signaling_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// A broadcaster that can send only H.264 (PROTOCOL.md §4.4 takes VP8 or
// H.264 video) publishes to Janus, and viewers on the media server get
// its video in H.264, on the publication's instance and on a cascade.
func TestH264PublicationReachesViewers(t *testing.T) {
	servers := cascadable(t, "janus-a", "janus-b")
	s := newSFUEnvWith(t, servers, func(c *signaling.Config) { c.SFU.ViewersPerServer = 1 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b := s.largeAudience(owner, id)
	next(t, b, "sfu_publish")
	snd := s.senderIn(janus.H264)
	pc, offer, err := snd.Offer(t.Context())
	require.NoError(t, err)
	require.NotContains(t, offer, "VP8/90000", "the offer carries H.264 alone")

	// H.264 without a profile-level-id, which Janus 1.1.2 would take and
	// then crash on at the first subscriber, is refused before it reaches
	// Janus; the broadcaster offers again at once.
	bare := regexp.MustCompile(`a=fmtp:([0-9]+) [^\r]*profile-level-id[^\r]*\r\n`).ReplaceAllString(offer, "")
	require.NotEqual(t, offer, bare)
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": bare}})
	expectError(t, b, "sfu_invalid_sdp")
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": offer}})
	ans := next(t, b, "answer")
	require.Contains(t, sdpOf(t, ans), "H264/90000")
	require.NoError(t, janus.Accept(pc, sdpOf(t, ans)))

	for i := range 2 { // the second is on the cascade (one viewer per server)
		fan := signalingtest.NewWallet()
		s.chain.Subscribe(fan.Address, owner.Address)
		c, _ := s.signedIn(fan)
		c.Send(map[string]any{"type": "watch", "stream_id": id})
		next(t, c, "watching")
		o := next(t, c, "offer")
		require.Contains(t, sdpOf(t, o), "H264/90000", "viewer %d", i)
		rcv := s.answerOffer(c, o)
		waitPacket(t, rcv, fmt.Sprintf("viewer %d", i))
		var codecs []string
		for _, r := range rcv.PC.GetReceivers() {
			if tr := r.Track(); tr != nil && tr.Codec().MimeType != "" {
				codecs = append(codecs, strings.ToLower(tr.Codec().MimeType))
			}
		}
		require.Equal(t, []string{"video/h264"}, codecs, "viewer %d", i)
	}
	require.Equal(t, 2.0, s.metric("signaling_sfu_servers_up"))
}
