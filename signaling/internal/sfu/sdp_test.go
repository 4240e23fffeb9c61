package sfu

import (
	"errors"
	"reflect"
	"testing"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

func TestRemoteStreams(t *testing.T) {
	answer := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n" +
		"m=video 0 UDP/TLS/RTP/SAVPF 98\r\na=mid:2\r\na=rtpmap:98 H264/90000\r\n" +
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:3\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 100\r\na=mid:4\r\na=rtpmap:100 VP8/90000\r\n" +
		"a=rid:h recv\r\na=rid:m recv\r\na=rid:l recv\r\na=simulcast:recv h;m;l\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 107 108\r\na=mid:5\r\na=rtpmap:107 H264/90000\r\n" +
		"a=fmtp:107 packetization-mode=1; profile-level-id=42E01F\r\na=fmtp:108 apt=107\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:6\r\na=fmtp:98 profile-id=2\r\na=rtpmap:98 VP9/90000\r\n"
	want := []janus.RemoteStream{
		{Type: "audio", MIndex: 0, MID: "0", Codec: "opus"},
		{Type: "video", MIndex: 1, MID: "1", Codec: "vp8"},
		{Type: "data", MIndex: 3, MID: "3"},
		{Type: "video", MIndex: 4, MID: "4", Codec: "vp8", Simulcast: true},
		{Type: "video", MIndex: 5, MID: "5", Codec: "h264", H264Profile: "42e01f"},
		{Type: "video", MIndex: 6, MID: "6", Codec: "vp9", VP9Profile: "2"},
	}
	if got := remoteStreams(answer); !reflect.DeepEqual(got, want) {
		t.Fatalf("remoteStreams:\n got %+v\nwant %+v", got, want)
	}
	if got := remoteStreams("garbage"); len(got) != 0 {
		t.Errorf("remoteStreams(garbage) = %+v", got)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Backends: []BackendConfig{{Name: "a"}}},
		{Backends: []BackendConfig{{Name: "a", URL: "ws://x"}, {Name: "a", URL: "ws://y"}}},
		{Backends: []BackendConfig{{URL: "ws://x"}}, SubscribersPerBackend: -1},
	} {
		if _, err := New(cfg, nil); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestPublisherOfferNeedsH264Profiles(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
	for offer, ok := range map[string]bool{
		head + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n":                                                               true,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n": true,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=fmtp:102 profile-level-id=42E01F\r\na=rtpmap:102 h264/90000\r\n":                      true,
		// What Janus cannot read: another case, a space, not six hex digits.
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 Profile-Level-Id=42e01f\r\n":                       false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1; profile-level-id=42e01f\r\n": false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=zz\r\n":                           false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=\r\n":                             false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42e01f0\r\n":                      false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 x-profile-level-id=42e01f\r\n":                     false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n":                                                             false,
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1\r\n":                          false,
		// Even beside VP8, which Janus would pick.
		head + "m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\n": false,
		// A profile on another m-line's payload type does not count.
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=fmtp:102 profile-level-id=42e01f\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n": false,
		"garbage": true,
	} {
		err := checkPublisherOffer(offer)
		if ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidSDP)) {
			t.Errorf("%q: %v", offer, err)
		}
	}
}
