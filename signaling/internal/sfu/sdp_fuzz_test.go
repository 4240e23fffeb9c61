package sfu

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// FuzzPublisherOffer: whatever a broadcaster offers, the check refuses it
// with ErrInvalidSDP or takes it, never panics; and in an offer it takes,
// each payload type Janus could take for H.264 has, in its m-section, an
// fmtp with the part "profile-level-id=" and six hex digits.
func FuzzPublisherOffer(f *testing.F) {
	const head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
	for _, seed := range []string{
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n",
		head + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 x-profile-level-id=zz;profile-level-id=42e01f\r\n",
		head + "m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:102 xH264/90000\r\n",
		head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n", "m=0 1 0 102\na=rtpmap:102 H264", "a=rtpmap:H264/900000", "garbage", "",
	} {
		f.Add(seed)
	}
	readable := regexp.MustCompile(`(^|;)profile-level-id=[0-9a-fA-F]{6}(;|$)`)
	f.Fuzz(func(t *testing.T, sdp string) {
		if err := checkPublisherOffer(sdp); err != nil {
			if !errors.Is(err, ErrInvalidSDP) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		for _, section := range strings.Split(strings.ReplaceAll(sdp, "\r", ""), "\nm=") {
			var h264 []string
			profiled := map[string]bool{}
			for _, line := range strings.Split(section, "\n") {
				if rest, ok := strings.CutPrefix(line, "a=rtpmap:"); ok && strings.Contains(strings.ToLower(rest), "h264/90000") {
					pt, _, _ := strings.Cut(rest, " ")
					h264 = append(h264, pt)
				}
				if rest, ok := strings.CutPrefix(line, "a=fmtp:"); ok {
					pt, params, _ := strings.Cut(rest, " ")
					profiled[pt] = profiled[pt] || readable.MatchString(params)
				}
			}
			for _, pt := range h264 {
				if !profiled[pt] {
					t.Fatalf("taken, with H.264 payload type %q and no profile Janus can read", pt)
				}
			}
		}
	})
}
