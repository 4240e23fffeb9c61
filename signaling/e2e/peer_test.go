package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// peer is one side of a stream written the way a web app would write it: a
// signaling connection whose reader hands offers, answers and candidates to
// pion, and everything else to the test; one RTCPeerConnection per remote
// peer. A broadcaster offers to every viewer that joins and sends payload on
// a data channel; a viewer answers and collects what arrives.
type peer struct {
	t      *testing.T
	name   string
	ws     *websocket.Conn
	api    *webrtc.API
	PeerID string

	writeMu sync.Mutex

	events chan signalingtest.Msg // every message but offer/answer/candidate
	fail   chan error             // failures of the WebRTC side
	done   chan struct{}          // the reader has stopped

	// broadcaster: sent on every data channel that opens.
	payload [][]byte
	// viewer: the concatenated payload once want bytes have arrived, and a
	// signal when the data channel closes.
	want     int
	received chan []byte
	dcClosed chan struct{}
	dcOnce   sync.Once // a viewer that re-watches has several data channels

	mu      sync.Mutex
	ice     []webrtc.ICEServer
	remotes map[string]*webrtc.PeerConnection // by remote peer id
}

// waitTimeout bounds every wait on the daemon or on the peer connection.
const waitTimeout = 20 * time.Second

// loopbackAPI is pion restricted to host candidates on 127.0.0.1 over UDP:
// no STUN or TURN (the daemon hands out an empty ICE server list), no mDNS.
func loopbackAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// dialPeer opens a signaling connection to the daemon at wsURL. payload is
// what a broadcaster sends on each data channel, and what a viewer expects.
func dialPeer(t *testing.T, name, wsURL, origin string, payload [][]byte) *peer {
	t.Helper()
	h := http.Header{}
	h.Set("Origin", origin)
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL, h)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, wsURL, err)
	}
	p := &peer{
		t: t, name: name, ws: ws, api: loopbackAPI(),
		payload:  payload,
		want:     len(bytes.Join(payload, nil)),
		events:   make(chan signalingtest.Msg, 256),
		fail:     make(chan error, 16),
		done:     make(chan struct{}),
		received: make(chan []byte, 1),
		dcClosed: make(chan struct{}),
		remotes:  make(map[string]*webrtc.PeerConnection),
	}
	go p.read()
	t.Cleanup(p.close)
	return p
}

func (p *peer) close() {
	p.mu.Lock()
	pcs := p.remotes
	p.remotes = map[string]*webrtc.PeerConnection{}
	p.mu.Unlock()
	for _, pc := range pcs {
		_ = pc.Close()
	}
	_ = p.ws.Close()
	<-p.done
}

// read is the connection's only reader.
func (p *peer) read() {
	defer close(p.done)
	defer close(p.events)
	for {
		_, data, err := p.ws.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now()
		var m signalingtest.Msg
		if err := json.Unmarshal(data, &m); err != nil {
			p.failf("daemon sent something that is not JSON: %q", data)
			continue
		}
		m.SetReceivedAt(at)
		switch m.Type() {
		case "offer":
			p.onOffer(m)
			continue
		case "answer":
			p.onAnswer(m)
			continue
		case "candidate":
			p.onCandidate(m)
			continue
		case "broadcasting", "watching":
			p.setICEServers(m)
		case "viewer_joined":
			p.offerTo(m.Str("peer_id"))
		case "viewer_left":
			// The viewer is gone for the daemon: end its peer connection,
			// as a broadcaster app does.
			p.mu.Lock()
			pc := p.remotes[m.Str("peer_id")]
			delete(p.remotes, m.Str("peer_id"))
			p.mu.Unlock()
			if pc != nil {
				_ = pc.Close()
			}
		}
		p.events <- m
	}
}

func (p *peer) failf(format string, args ...any) {
	select {
	case p.fail <- fmt.Errorf(p.name+": "+format, args...):
	default:
	}
}

func (p *peer) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	_ = p.ws.SetWriteDeadline(time.Now().Add(waitTimeout))
	return p.ws.WriteMessage(websocket.TextMessage, b)
}

// Send writes a message from the test goroutine.
func (p *peer) Send(v any) {
	p.t.Helper()
	if err := p.send(v); err != nil {
		p.t.Fatalf("%s: send: %v", p.name, err)
	}
}

// Next is the next message that is not an offer, answer or candidate.
func (p *peer) Next() signalingtest.Msg {
	p.t.Helper()
	select {
	case m, ok := <-p.events:
		if !ok {
			p.t.Fatalf("%s: signaling connection closed", p.name)
		}
		return m
	case err := <-p.fail:
		p.t.Fatal(err)
	case <-time.After(waitTimeout):
		p.t.Fatalf("%s: no message within %s", p.name, waitTimeout)
	}
	return nil
}

// Expect returns the next message of type typ, skipping those of the types
// in skip; any other message (an error above all) fails the test.
func (p *peer) Expect(typ string, skip ...string) signalingtest.Msg {
	p.t.Helper()
	for {
		m := p.Next()
		if m.Type() == typ {
			return m
		}
		if !slices.Contains(skip, m.Type()) {
			p.t.Fatalf("%s: expected %q, got %v", p.name, typ, m)
		}
	}
}

// SignIn answers the daemon's challenge with w's ADR-036 signature.
func (p *peer) SignIn(w *signalingtest.Wallet) {
	p.t.Helper()
	ch := p.Expect("challenge")
	p.Send(w.AuthMessage(ch.Str("message")))
	m := p.Expect("authenticated")
	if m.Str("address") != w.Address {
		p.t.Fatalf("%s: signed in as %q, want %q", p.name, m.Str("address"), w.Address)
	}
	p.PeerID = m.Str("peer_id")
}

// Received waits for the viewer's whole payload.
func (p *peer) Received() []byte {
	p.t.Helper()
	select {
	case b := <-p.received:
		return b
	case err := <-p.fail:
		p.t.Fatal(err)
	case <-time.After(waitTimeout):
		p.t.Fatalf("%s: payload not received over WebRTC within %s", p.name, waitTimeout)
	}
	return nil
}

// Remote is the peer connection to remote peer id, or nil.
func (p *peer) Remote(id string) *webrtc.PeerConnection {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remotes[id]
}

// setICEServers keeps the daemon's ICE server list (browser JSON shape).
func (p *peer) setICEServers(m signalingtest.Msg) {
	var list []struct {
		URLs       []string `json:"urls"`
		Username   string   `json:"username"`
		Credential string   `json:"credential"`
	}
	if err := json.Unmarshal([]byte(m.Raw("ice_servers")), &list); err != nil {
		p.failf("ice_servers: %v", err)
		return
	}
	servers := make([]webrtc.ICEServer, 0, len(list))
	for _, s := range list {
		servers = append(servers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	p.mu.Lock()
	p.ice = servers
	p.mu.Unlock()
}

// newPC makes a peer connection to remote peer id that trickles its
// candidates to it through the daemon.
func (p *peer) newPC(id string) (*webrtc.PeerConnection, error) {
	p.mu.Lock()
	cfg := webrtc.Configuration{ICEServers: p.ice}
	p.mu.Unlock()
	pc, err := p.api.NewPeerConnection(cfg)
	if err != nil {
		return nil, err
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		if err := p.send(map[string]any{"type": "candidate", "to": id, "candidate": c.ToJSON()}); err != nil {
			p.failf("sending candidate: %v", err)
		}
	})
	p.mu.Lock()
	p.remotes[id] = pc
	p.mu.Unlock()
	return pc, nil
}

// offerTo is the broadcaster's answer to viewer_joined.
func (p *peer) offerTo(viewer string) {
	pc, err := p.newPC(viewer)
	if err != nil {
		p.failf("peer connection: %v", err)
		return
	}
	dc, err := pc.CreateDataChannel("stream", nil)
	if err != nil {
		p.failf("data channel: %v", err)
		return
	}
	dc.OnOpen(func() {
		for _, chunk := range p.payload {
			if err := dc.Send(chunk); err != nil {
				p.failf("data channel send: %v", err)
				return
			}
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err == nil {
		err = pc.SetLocalDescription(offer)
	}
	if err != nil {
		p.failf("offer: %v", err)
		return
	}
	if err := p.send(map[string]any{"type": "offer", "to": viewer, "sdp": pc.LocalDescription()}); err != nil {
		p.failf("sending offer: %v", err)
	}
}

// onOffer is the viewer's side: answer, and collect the data channel.
func (p *peer) onOffer(m signalingtest.Msg) {
	from := m.Str("from")
	var sdp webrtc.SessionDescription
	if err := json.Unmarshal([]byte(m.Raw("sdp")), &sdp); err != nil {
		p.failf("offer sdp: %v", err)
		return
	}
	pc, err := p.newPC(from)
	if err != nil {
		p.failf("peer connection: %v", err)
		return
	}
	var got []byte
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(msg webrtc.DataChannelMessage) {
			got = append(got, msg.Data...)
			switch {
			case len(got) == p.want:
				p.received <- got
			case len(got) > p.want:
				p.failf("received %d bytes, more than the %d sent", len(got), p.want)
			}
		})
		dc.OnClose(func() { p.dcOnce.Do(func() { close(p.dcClosed) }) })
	})
	if err := pc.SetRemoteDescription(sdp); err != nil {
		p.failf("set offer: %v", err)
		return
	}
	answer, err := pc.CreateAnswer(nil)
	if err == nil {
		err = pc.SetLocalDescription(answer)
	}
	if err != nil {
		p.failf("answer: %v", err)
		return
	}
	if err := p.send(map[string]any{"type": "answer", "to": from, "sdp": pc.LocalDescription()}); err != nil {
		p.failf("sending answer: %v", err)
	}
}

// onAnswer is the broadcaster's side of a viewer's answer.
func (p *peer) onAnswer(m signalingtest.Msg) {
	pc := p.Remote(m.Str("from"))
	if pc == nil {
		p.failf("answer from %q, to whom no offer was made", m.Str("from"))
		return
	}
	var sdp webrtc.SessionDescription
	if err := json.Unmarshal([]byte(m.Raw("sdp")), &sdp); err != nil {
		p.failf("answer sdp: %v", err)
		return
	}
	if err := pc.SetRemoteDescription(sdp); err != nil {
		p.failf("set answer: %v", err)
	}
}

// onCandidate adds a trickled candidate. The daemon holds candidates until
// the session description they belong to has been relayed, so one that
// arrives before it is a daemon bug, not something to buffer here.
func (p *peer) onCandidate(m signalingtest.Msg) {
	pc := p.Remote(m.Str("from"))
	if pc == nil || pc.RemoteDescription() == nil {
		p.failf("candidate from %q before its session description", m.Str("from"))
		return
	}
	var c webrtc.ICECandidateInit
	if err := json.Unmarshal([]byte(m.Raw("candidate")), &c); err != nil {
		p.failf("candidate: %v", err)
		return
	}
	if err := pc.AddICECandidate(c); err != nil && !errors.Is(err, webrtc.ErrConnectionClosed) {
		p.failf("add candidate: %v", err)
	}
}
