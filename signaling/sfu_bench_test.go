package signaling_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// BenchmarkSFUBrokered measures the two tiers through signalingd, in one
// run, with pion peers and a real Janus: two live streams, one whose
// broadcaster takes every viewer peer to peer and one in "large audience"
// (every viewer through Janus). Viewers join the two in turn
// (SFU_BENCH_JOINS each, default 10) and each is revoked right after its
// first packet, so the two tiers see the same machine load:
//   - join → first RTP packet: from sending watch until the first packet;
//   - revocation: from the unsubscribe's block reaching signalingd until the
//     viewer's last packet (to the 10 ms between packets). Direct, the
//     broadcaster closes the viewer's peer connection on viewer_left, as
//     its page must; through Janus, signalingd hangs the viewer's
//     subscription up itself. The committed block reaches signalingd
//     from a real node in a few hundred ms more (BENCHMARKS.md, the
//     paid-access figures), the same for both tiers.
//
// Run it once: make bench-sfu (with the media tier's own benchmark).
func BenchmarkSFUBrokered(b *testing.B) {
	joins := 10
	if v, err := strconv.Atoi(os.Getenv("SFU_BENCH_JOINS")); err == nil && v > 0 {
		joins = v
	}
	for range b.N {
		s := newSFUEnv(b, func(c *signaling.Config) {
			c.SFU.MaxDirectViewers = 1000
			c.MaxViewersPerStream = 1000
			c.JoinBurstPerIP = 10 * joins
		})
		ctx, stop := context.WithCancel(context.Background())
		direct := s.benchStream(ctx, nil)
		zero := 0
		viaSFU := s.benchStream(ctx, &zero)
		for range joins {
			for _, st := range []*benchStream{direct, viaSFU} {
				st.joinAndRevoke(s)
			}
		}
		stop()
		for _, st := range []*benchStream{direct, viaSFU} {
			b.ReportMetric(ms(st.joins, 50), st.name+"-join-p50-ms")
			b.ReportMetric(ms(st.joins, 95), st.name+"-join-p95-ms")
			b.ReportMetric(ms(st.cuts, 50), st.name+"-revoke-p50-ms")
			b.ReportMetric(ms(st.cuts, 95), st.name+"-revoke-p95-ms")
		}
		b.ReportMetric(ms(viaSFU.joins, 50)/ms(direct.joins, 50), "sfu/direct-join-p50")
		b.ReportMetric(ms(viaSFU.joins, 95)/ms(direct.joins, 95), "sfu/direct-join-p95")
	}
}

// benchFPS is the broadcasters' frame rate: a packet every 10 ms, the
// resolution of the revocation figure (the last packet before the cut
// counts as 0).
const benchFPS = 100

// benchStream is a live stream with a pion broadcaster.
type benchStream struct {
	name   string
	id     uint64
	owner  *signalingtest.Wallet
	joins  []time.Duration
	cuts   []time.Duration
	sender *janus.Sender
}

// benchStream starts a stream whose broadcaster asks for capacity (nil:
// the server's) and serves its direct viewers until ctx ends.
func (s *sfuEnv) benchStream(ctx context.Context, capacity *int) *benchStream {
	t := s.t
	st := &benchStream{name: "direct", owner: signalingtest.NewWallet()}
	if capacity != nil {
		st.name = "sfu"
	}
	st.id = s.liveStream(st.owner)
	bc, _ := s.signedIn(st.owner)
	bc.Send(map[string]any{"type": "broadcast", "stream_id": st.id, "direct_capacity": capacity})
	next(t, bc, "broadcasting")
	snd, err := janus.NewSender(s.api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(snd.Close)
	st.sender = snd
	go snd.Run(ctx, benchFPS, 1000)
	if capacity != nil {
		s.publish(bc, snd)
		return st
	}
	go serveDirect(ctx, bc, snd)
	return st
}

// serveDirect is a broadcaster's page for its direct viewers: an offer for
// each viewer that joins, its answer applied, its peer connection closed
// when it leaves.
func serveDirect(ctx context.Context, bc *signalingtest.Client, snd *janus.Sender) {
	pcs := map[string]*webrtc.PeerConnection{}
	for ctx.Err() == nil {
		m, ok := bc.TryNext(100 * time.Millisecond)
		if !ok {
			continue
		}
		switch m.Type() {
		case "viewer_joined":
			pc, offer, err := snd.Offer(ctx)
			if err != nil {
				return
			}
			pcs[m.Str("peer_id")] = pc
			msg, _ := json.Marshal(map[string]any{"type": "offer", "to": m.Str("peer_id"), "sdp": map[string]string{"type": "offer", "sdp": offer}})
			_ = bc.TrySendRaw(msg)
		case "answer":
			var d struct{ SDP string }
			if pc := pcs[m.Str("from")]; pc != nil && json.Unmarshal([]byte(m.Raw("sdp")), &d) == nil {
				_ = janus.Accept(pc, d.SDP)
			}
		case "viewer_left":
			if pc := pcs[m.Str("peer_id")]; pc != nil {
				_ = pc.Close()
				delete(pcs, m.Str("peer_id"))
			}
		}
	}
}

// joinAndRevoke adds one viewer, times its first packet, then revokes its
// subscription and times its last packet.
func (st *benchStream) joinAndRevoke(s *sfuEnv) {
	t := s.t
	fan := signalingtest.NewWallet()
	s.chain.Subscribe(fan.Address, st.owner.Address)
	c, _ := s.signedIn(fan)
	defer c.Close()
	start := time.Now()
	c.Send(map[string]any{"type": "watch", "stream_id": st.id})
	next(t, c, "watching")
	offer := next(t, c, "offer")
	rcv, err := janus.NewReceiver(s.api)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	ans, err := rcv.Answer(context.Background(), sdpOf(t, offer))
	if err != nil {
		t.Fatal(err)
	}
	c.Send(map[string]any{"type": "answer", "to": offer.Str("from"), "sdp": map[string]string{"type": "answer", "sdp": ans}})
	waitPacket(t, rcv, st.name+" viewer")
	st.joins = append(st.joins, rcv.FirstPacketAt().Sub(start))

	s.chain.Unsubscribe(fan.Address, st.owner.Address)
	cut := time.Now()
	s.feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventUnsubscribed, Subscriber: fan.Address, Broadcaster: st.owner.Address}}
	next(t, c, "removed")
	// Quiet for a second: the media has stopped.
	for time.Since(rcv.LastPacketAt()) < time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	st.cuts = append(st.cuts, max(rcv.LastPacketAt().Sub(cut), 0))
}

// ms is the p-th percentile of ds in milliseconds.
func ms(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return float64(s[(len(s)-1)*p/100]) / float64(time.Millisecond)
}
