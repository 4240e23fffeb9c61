package coturn_test

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/coturn"
	"github.com/streamchain/streamchain/testutil/janus"
	"github.com/streamchain/streamchain/testutil/netns"
)

const origin = "https://app.example"

// The broadcaster and the viewer each live in a network namespace of their
// own with no route to the other. The relay listens and allocates on the
// broadcaster's side (its namespace's host end) and the viewer's namespace
// is given a route to that one address: the viewer can reach the relay,
// nothing else. Through signalingd with a TURN secret (the credentials it
// mints, coturn's use-auth-secret) the viewer gets frames over a relayed
// candidate pair; through the same daemon without TURN the same two peers
// never connect, which is what makes the first result mean something.
func TestViewerWithoutDirectPathGetsFramesThroughTURN(t *testing.T) {
	coturn.Require(t)
	pub := netns.New(t, "scturnpub")
	view := netns.New(t, "scturnview")
	view.Route(t, pub.HostIP+"/32")
	relay := coturn.Start(t, coturn.Config{
		ListenIP: pub.HostIP, Port: 3478, RelayIP: pub.HostIP,
		MinPort: 50000, MaxPort: 50999, Secret: coturn.NewSecret(),
	})

	t.Run("through the relay", func(t *testing.T) {
		recv := broadcastAndWatch(t, pub, view, func(c *signaling.Config) {
			c.TURN = signaling.TURNConfig{Secret: relay.Config.Secret, URLs: []string{relay.URL()}, TTL: 10 * time.Minute}
		})
		select {
		case <-recv.FirstPacket():
		case <-time.After(20 * time.Second):
			t.Fatalf("no frame through the relay; ICE %s", recv.PC.ICEConnectionState())
		}
		require.Eventually(t, func() bool { return recv.Packets.Load() >= 30 }, 10*time.Second, 50*time.Millisecond, "frames keep arriving")
		pair, err := recv.PC.GetReceivers()[0].Transport().ICETransport().GetSelectedCandidatePair()
		require.NoError(t, err)
		require.NotNil(t, pair)
		t.Logf("viewer's selected pair: %s", pair)
		// Either side may be the relayed one (both get credentials; the
		// viewer reaches the relay's address, where the broadcaster's own
		// allocation also sits): what matters is that the media goes
		// through the relay, on its address.
		relayed := pair.Local
		if relayed.Typ != webrtc.ICECandidateTypeRelay {
			relayed = pair.Remote
		}
		require.Equal(t, webrtc.ICECandidateTypeRelay, relayed.Typ, "one end of the pair is a relayed address")
		require.Equal(t, relay.Config.RelayIP, relayed.Address, "allocated by the relay")
	})

	t.Run("no relay, no path", func(t *testing.T) {
		recv := broadcastAndWatch(t, pub, view, func(c *signaling.Config) { c.TURN = signaling.TURNConfig{TTL: 10 * time.Minute} })
		require.Eventually(t, func() bool { return recv.PC.ICEConnectionState() == webrtc.ICEConnectionStateFailed },
			20*time.Second, 50*time.Millisecond, "ICE fails without the relay")
		require.Zero(t, recv.Packets.Load(), "no frame arrived")
	})
}

// broadcastAndWatch runs a signaling daemon (configured by mutate) over a
// fixture chain, has a broadcaster in pub and a subscribed viewer in view
// sign in and find each other through it, and returns the viewer's
// receiver once the broadcaster is sending.
func broadcastAndWatch(t *testing.T, pub, view *netns.NS, mutate func(*signaling.Config)) *janus.Receiver {
	t.Helper()
	cfg := signaling.DefaultConfig()
	cfg.AllowedOrigins = []string{origin}
	cfg.ChainTimeout = time.Second
	mutate(&cfg)
	chain := signalingtest.NewChain(t)
	srv, err := signaling.New(cfg, signalingtest.DialChain(t, chain.Addr()), signaling.WithLogger(signalingtest.Logger()))
	require.NoError(t, err)
	hs := signalingtest.Serve(t, srv, nil)

	alice, bob := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(alice.Address, now.Add(-time.Minute), now.Add(time.Hour))
	chain.Subscribe(bob.Address, alice.Address)

	b := signalingtest.Dial(t, hs.URL, origin)
	b.SignIn(alice)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	bICE := iceServers(t, b.Expect("broadcasting"))
	v := signalingtest.Dial(t, hs.URL, origin)
	v.SignIn(bob)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	w := v.Expect("watching")
	vICE := iceServers(t, w)
	require.Equal(t, len(bICE), len(vICE), "both sides get the same servers")
	viewer := b.Expect("viewer_joined").Str("peer_id")

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	sender, err := janus.NewSender(api(t, pub))
	require.NoError(t, err)
	sender.Config = webrtc.Configuration{ICEServers: bICE}
	t.Cleanup(sender.Close)
	pc, offer, err := sender.Offer(ctx)
	require.NoError(t, err)
	b.Send(map[string]any{"type": "offer", "to": viewer, "sdp": webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}})

	m := skipTo(v, "offer")
	require.Equal(t, w.Str("broadcaster_peer_id"), m.Str("from"))
	var sdp webrtc.SessionDescription
	require.NoError(t, json.Unmarshal([]byte(m.Raw("sdp")), &sdp))
	recv, err := janus.NewReceiverWith(api(t, view), webrtc.Configuration{ICEServers: vICE})
	require.NoError(t, err)
	t.Cleanup(recv.Close)
	answer, err := recv.Answer(ctx, sdp.SDP)
	require.NoError(t, err)
	v.Send(map[string]any{"type": "answer", "to": m.Str("from"), "sdp": webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}})

	m = skipTo(b, "answer")
	require.NoError(t, json.Unmarshal([]byte(m.Raw("sdp")), &sdp))
	require.NoError(t, janus.Accept(pc, sdp.SDP))
	run, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go sender.Run(run, 30, 1000)
	return recv
}

// api is a pion API living in ns: its sockets are opened there and it
// gathers on the namespace's veth only (IPv4 UDP, no mDNS). ICE gives up
// after a few seconds, so that a pair with no path fails quickly.
func api(t *testing.T, ns *netns.NS) *webrtc.API {
	t.Helper()
	n, err := ns.Net()
	require.NoError(t, err)
	var se webrtc.SettingEngine
	se.SetNet(n)
	se.SetIPFilter(func(ip net.IP) bool { return ip.To4() != nil && netns.TestNet.Contains(ip) })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetICETimeouts(2*time.Second, 5*time.Second, 500*time.Millisecond)
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// iceServers reads a message's ice_servers into pion's shape (the
// browser's RTCIceServer, which both follow).
func iceServers(t *testing.T, m signalingtest.Msg) []webrtc.ICEServer {
	t.Helper()
	var list []webrtc.ICEServer
	require.NoError(t, json.Unmarshal([]byte(m.Raw("ice_servers")), &list))
	return list
}

// skipTo is the next message of type typ, passing over counts and other
// notices that may come first.
func skipTo(c *signalingtest.Client, typ string) signalingtest.Msg {
	for {
		if m := c.Next(); m.Type() == typ {
			return m
		}
	}
}
