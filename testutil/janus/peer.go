package janus

import (
	"context"
	"crypto/rand"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// LocalAPI is a pion API whose peers gather host candidates only on
// 127.0.0.1 and on the host ends of the test namespaces' veths (TestNet):
// no mDNS, no IPv6, none of the machine's own addresses, so test media
// stays on this machine. Each option adjusts the settings further.
func LocalAPI(options ...func(*webrtc.SettingEngine)) *webrtc.API {
	return webrtc.NewAPI(webrtc.WithSettingEngine(localSettings(options)))
}

// localSettings are LocalAPI's settings.
func localSettings(options []func(*webrtc.SettingEngine)) webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.To4() != nil && (ip.IsLoopback() || TestNet.Contains(ip)) })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// pion retransmits a DTLS flight after 1 s by default; browsers after
	// ~100 ms. A viewer answering Janus's offer is the DTLS client, and its
	// first ClientHello can arrive before Janus's ICE has settled: with
	// pion's default each join would pay a second that browsers don't.
	se.SetDTLSRetransmissionInterval(100 * time.Millisecond)
	for _, o := range options {
		o(&se)
	}
	return se
}

// PassiveAnswerer makes a peer that answers an offer take DTLS's server
// role (a=setup:passive). A viewer answering Janus's offer as the DTLS
// client (what browsers choose) sends its ClientHello the moment its own
// ICE is connected, which is often before Janus's is: Janus drops it and
// the handshake waits one retransmission. As the server, the viewer lets
// Janus start the handshake when Janus is ready.
func PassiveAnswerer(se *webrtc.SettingEngine) { se.SetAnsweringDTLSRole(webrtc.DTLSRoleServer) }

// Sender is a broadcaster's side in tests: one synthesized video track
// (VP8 unless made with NewSenderWith) sent on any number of
// PeerConnections (one to an SFU, or one per viewer when sending
// directly), so its upload can be compared both ways.
type Sender struct {
	api   *webrtc.API
	Track *webrtc.TrackLocalStaticSample
	// Config is each new PeerConnection's (ICE servers, transport policy).
	Config webrtc.Configuration
	// Frames counts the frames Run has written: bytes sent per frame is the
	// upload per unit of stream, whatever rate a loaded machine gives Run.
	Frames atomic.Uint64

	mu  sync.Mutex
	pcs []*webrtc.PeerConnection
}

// NewSender makes a Sender with a VP8 track.
func NewSender(api *webrtc.API) (*Sender, error) {
	return NewSenderWith(api, webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000})
}

// H264 is the H.264 profile browsers offer first (constrained baseline).
var H264 = webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
	SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
}

// NewSenderWith makes a Sender whose track is in codec (VP8 or H.264).
// Other than VP8, its offers carry only that codec, as a client that can
// send nothing else would.
func NewSenderWith(api *webrtc.API, codec webrtc.RTPCodecCapability) (*Sender, error) {
	tr, err := webrtc.NewTrackLocalStaticSample(codec, "video", "broadcaster")
	if err != nil {
		return nil, err
	}
	return &Sender{api: api, Track: tr}, nil
}

// Offer opens a new PeerConnection carrying the track and returns it with
// its complete SDP offer (candidates included: loopback gathers at once).
func (s *Sender) Offer(ctx context.Context) (*webrtc.PeerConnection, string, error) {
	pc, err := s.api.NewPeerConnection(s.Config)
	if err != nil {
		return nil, "", err
	}
	tx, err := pc.AddTransceiverFromTrack(s.Track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	if codec := s.Track.Codec(); codec.MimeType != webrtc.MimeTypeVP8 {
		if err := tx.SetCodecPreferences([]webrtc.RTPCodecParameters{{RTPCodecCapability: codec}}); err != nil {
			pc.Close()
			return nil, "", err
		}
	}
	// Read RTCP (receiver reports, PLI) so the interceptors work.
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := tx.Sender().Read(buf); err != nil {
				return
			}
		}
	}()
	sdp, err := localDescription(ctx, pc, func() (webrtc.SessionDescription, error) { return pc.CreateOffer(nil) })
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	s.mu.Lock()
	s.pcs = append(s.pcs, pc)
	s.mu.Unlock()
	return pc, sdp, nil
}

// Run sends fps frames a second of frameBytes each until ctx ends. The
// bytes are random behind a keyframe's header (VP8's, or an H.264 IDR
// slice's): SFUs forward them without decoding; every frame looks like a
// keyframe, so a new subscriber needs no keyframe request.
func (s *Sender) Run(ctx context.Context, fps, frameBytes int) {
	frame := make([]byte, max(frameBytes, 10))
	_, _ = rand.Read(frame)
	if s.Track.Codec().MimeType == webrtc.MimeTypeH264 {
		// One NAL unit after an Annex B start code: an IDR slice. The
		// random rest has no zero bytes, so no start code hides in it.
		for i := range frame {
			frame[i] |= 0x01
		}
		copy(frame, []byte{0x00, 0x00, 0x00, 0x01, 0x65})
	} else {
		// VP8 frame tag: key frame, version 0, show_frame; then the start
		// code and a 320x240 size.
		copy(frame, []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00})
	}
	period := time.Second / time.Duration(fps)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.Track.WriteSample(media.Sample{Data: frame, Duration: period})
			s.Frames.Add(1)
		}
	}
}

// BytesSent is what the Sender's PeerConnections have sent so far, counted
// at the ICE transport (media, RTCP, DTLS and STUN): the broadcaster's
// upload.
func (s *Sender) BytesSent() uint64 {
	s.mu.Lock()
	pcs := append([]*webrtc.PeerConnection(nil), s.pcs...)
	s.mu.Unlock()
	var n uint64
	for _, pc := range pcs {
		n += transportStats(pc).BytesSent
	}
	return n
}

// Close closes every PeerConnection of the Sender.
func (s *Sender) Close() {
	s.mu.Lock()
	pcs := s.pcs
	s.pcs = nil
	s.mu.Unlock()
	for _, pc := range pcs {
		_ = pc.Close()
	}
}

// Receiver is a viewer in tests: it answers an offer and counts the RTP
// packets and payload bytes of every track it receives.
type Receiver struct {
	PC      *webrtc.PeerConnection
	Packets atomic.Uint64
	Bytes   atomic.Uint64

	first     chan struct{}
	firstOnce sync.Once
	firstAt   atomic.Int64
	lastAt    atomic.Int64
}

// NewReceiver opens a viewer's PeerConnection.
func NewReceiver(api *webrtc.API) (*Receiver, error) {
	return NewReceiverWith(api, webrtc.Configuration{})
}

// NewReceiverWith opens a viewer's PeerConnection with cfg (its ICE servers).
func NewReceiverWith(api *webrtc.API, cfg webrtc.Configuration) (*Receiver, error) {
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		return nil, err
	}
	r := &Receiver{PC: pc, first: make(chan struct{})}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			now := time.Now().UnixNano()
			r.firstOnce.Do(func() { r.firstAt.Store(now); close(r.first) })
			r.lastAt.Store(now)
			r.Packets.Add(1)
			r.Bytes.Add(uint64(len(p.Payload)))
		}
	})
	return r, nil
}

// Answer sets the remote offer and returns the complete SDP answer.
func (r *Receiver) Answer(ctx context.Context, offer string) (string, error) {
	if err := r.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	return localDescription(ctx, r.PC, func() (webrtc.SessionDescription, error) { return r.PC.CreateAnswer(nil) })
}

// FirstPacket is closed when the first RTP packet has arrived.
func (r *Receiver) FirstPacket() <-chan struct{} { return r.first }

// FirstPacketAt is when the first RTP packet arrived (zero before).
func (r *Receiver) FirstPacketAt() time.Time {
	if ns := r.firstAt.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// LastPacketAt is when the latest RTP packet arrived (zero before any).
func (r *Receiver) LastPacketAt() time.Time {
	if ns := r.lastAt.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Close closes the PeerConnection.
func (r *Receiver) Close() { _ = r.PC.Close() }

// Accept applies a remote answer to pc.
func Accept(pc *webrtc.PeerConnection, answer string) error {
	return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
}

// localDescription creates an offer or answer, sets it, and waits until
// ICE gathering is complete, returning the SDP with its candidates.
func localDescription(ctx context.Context, pc *webrtc.PeerConnection, create func() (webrtc.SessionDescription, error)) (string, error) {
	d, err := create()
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return pc.LocalDescription().SDP, nil
}

func transportStats(pc *webrtc.PeerConnection) webrtc.TransportStats {
	for _, st := range pc.GetStats() {
		if ts, ok := st.(webrtc.TransportStats); ok {
			return ts
		}
	}
	return webrtc.TransportStats{}
}

// Candidates lists the a=candidate lines of an SDP.
func Candidates(sdp string) []string {
	var out []string
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "a=candidate:") {
			out = append(out, strings.TrimPrefix(line, "a="))
		}
	}
	return out
}

// CandidateAddress is the connection address of an ICE candidate line
// ("candidate:foundation component transport priority address port typ ...").
func CandidateAddress(candidate string) string {
	f := strings.Fields(strings.TrimPrefix(candidate, "a="))
	if len(f) < 8 {
		return ""
	}
	return f[4]
}
