package janus

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// SimulcastAPI is LocalAPI that can send simulcast: its peers negotiate
// the RTP header extensions that name a layer (mid, rid, repaired rid).
func SimulcastAPI(options ...func(*webrtc.SettingEngine)) (*webrtc.API, error) {
	var m webrtc.MediaEngine
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(&m); err != nil {
		return nil, err
	}
	var reg interceptor.Registry
	if err := webrtc.RegisterDefaultInterceptors(&m, &reg); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(localSettings(options)), webrtc.WithMediaEngine(&m), webrtc.WithInterceptorRegistry(&reg)), nil
}

// SimulcastSender is a broadcaster that offers one VP8 video as simulcast
// layers, as a browser does, and may send fewer layers than it offered: a
// browser drops the layers its camera's resolution cannot fill.
type SimulcastSender struct {
	api *webrtc.API
	// Layers are the offered layers' tracks, highest first, named by
	// their rid; Sent says which of them Run writes.
	Layers []*webrtc.TrackLocalStaticRTP
	Sent   map[string]bool
	pc     *webrtc.PeerConnection
	tx     *webrtc.RTPTransceiver
}

// NewSimulcastSender offers the layers rids (highest first, e.g. "h",
// "m", "l") and sends those in sent.
func NewSimulcastSender(api *webrtc.API, rids []string, sent ...string) (*SimulcastSender, error) {
	s := &SimulcastSender{api: api, Sent: map[string]bool{}}
	for _, rid := range rids {
		tr, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
			"video", "broadcaster", webrtc.WithRTPStreamID(rid))
		if err != nil {
			return nil, err
		}
		s.Layers = append(s.Layers, tr)
	}
	for _, rid := range sent {
		s.Sent[rid] = true
	}
	return s, nil
}

// Offer opens the PeerConnection carrying the layers and returns it with
// its complete SDP offer.
func (s *SimulcastSender) Offer(ctx context.Context) (*webrtc.PeerConnection, string, error) {
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", err
	}
	tx, err := pc.AddTransceiverFromTrack(s.Layers[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err == nil {
		for _, l := range s.Layers[1:] {
			if err = tx.Sender().AddEncoding(l); err != nil {
				break
			}
		}
	}
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	// Read each layer's RTCP (receiver reports, PLI) so the interceptors
	// work.
	for _, l := range s.Layers {
		go func() {
			buf := make([]byte, 1500)
			for {
				if _, _, err := tx.Sender().ReadSimulcast(buf, l.RID()); err != nil {
					return
				}
			}
		}()
	}
	sdp, err := localDescription(ctx, pc, func() (webrtc.SessionDescription, error) { return pc.CreateOffer(nil) })
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	s.pc, s.tx = pc, tx
	return pc, sdp, nil
}

// Run writes fps frames a second on each sent layer until ctx ends, once
// the answer is applied; a layer's frames are frameBytes divided by 4 for
// each layer above it, as a browser scales each layer down by 2 in both
// dimensions. Every packet names its mid and rid in header extensions, as
// a browser's do: that is how the receiver tells the layers apart.
func (s *SimulcastSender) Run(ctx context.Context, fps, frameBytes int) {
	var midID, ridID uint8
	for _, e := range s.tx.Sender().GetParameters().HeaderExtensions {
		switch e.URI {
		case sdp.SDESMidURI:
			midID = uint8(e.ID)
		case sdp.SDESRTPStreamIDURI:
			ridID = uint8(e.ID)
		}
	}
	frames := make([][]byte, len(s.Layers))
	packetizers := make([]rtp.Packetizer, len(s.Layers))
	for i := range s.Layers {
		f := make([]byte, max(frameBytes>>(2*i), 10))
		_, _ = rand.Read(f)
		copy(f, []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00})
		frames[i] = f
		packetizers[i] = rtp.NewPacketizer(1200, 0, 0, &codecs.VP8Payloader{}, rtp.NewRandomSequencer(), 90000)
	}
	period := time.Second / time.Duration(fps)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for i, l := range s.Layers {
				if !s.Sent[l.RID()] {
					continue
				}
				for _, p := range packetizers[i].Packetize(frames[i], uint32(90000/fps)) {
					if midID != 0 {
						_ = p.Header.SetExtension(midID, []byte(s.tx.Mid()))
					}
					if ridID != 0 {
						_ = p.Header.SetExtension(ridID, []byte(l.RID()))
					}
					_ = l.WriteRTP(p)
				}
			}
		}
	}
}

// Close closes the PeerConnection.
func (s *SimulcastSender) Close() {
	if s.pc != nil {
		_ = s.pc.Close()
	}
}
