package sfu

import (
	"fmt"
	"strings"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// remoteStreams describes a publisher's media, as Janus negotiated it (its
// SDP answer), to a cascade target: per m-line its kind, index, mid,
// codec and the codec's profile, and whether its video comes as simulcast
// layers (a=simulcast).
// Rejected m-lines (port 0) are left out.
func remoteStreams(answer string) []janus.RemoteStream {
	var out []janus.RemoteStream
	var cur *janus.RemoteStream
	var firstPT string
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
		}
		cur = nil
	}
	index := -1
	for _, line := range strings.Split(answer, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			flush()
			index++
			f := strings.Fields(line[2:])
			if len(f) < 4 || f[1] == "0" {
				continue
			}
			kind := f[0]
			if kind == "application" {
				kind = "data"
			}
			cur = &janus.RemoteStream{Type: kind, MIndex: index}
			firstPT = f[3]
		case cur == nil:
		case strings.HasPrefix(line, "a=mid:"):
			cur.MID = strings.TrimPrefix(line, "a=mid:")
		case strings.HasPrefix(line, "a=rtpmap:"+firstPT+" ") && cur.Type != "data":
			name := strings.TrimPrefix(line, "a=rtpmap:"+firstPT+" ")
			if i := strings.IndexByte(name, '/'); i > 0 {
				name = name[:i]
			}
			cur.Codec = strings.ToLower(name)
		case strings.HasPrefix(line, "a=fmtp:"+firstPT+" ") && cur.Type == "video":
			for _, p := range strings.Split(strings.TrimPrefix(line, "a=fmtp:"+firstPT+" "), ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				switch strings.ToLower(k) {
				case "profile-level-id":
					cur.H264Profile = strings.ToLower(v)
				case "profile-id":
					cur.VP9Profile = v
				}
			}
		case strings.HasPrefix(line, "a=simulcast:") && cur.Type == "video":
			cur.Simulcast = true
		}
	}
	flush()
	return out
}

// videoMID is the mid of the first video m-line of sdp ("" without one):
// where a subscriber's simulcast layer is chosen.
func videoMID(sdp string) string {
	video := false
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			video = strings.HasPrefix(line, "m=video ")
		case video && strings.HasPrefix(line, "a=mid:"):
			return strings.TrimPrefix(line, "a=mid:")
		}
	}
	return ""
}

// checkPublisherOffer refuses an offer Janus 1.1.2 would take to its
// harm: H.264 whose profile-level-id it cannot read is accepted, and the
// first subscriber to such a stream crashes the instance. Janus reads the
// profile from the first ";"-separated part of the fmtp that contains
// "profile-level-id=" (case-sensitive), as all of that part past the
// name's length, so that part must be exactly the name and six hex
// digits, as browsers write it. Each H.264 payload type must have one,
// whichever codec Janus would pick.
func checkPublisherOffer(sdp string) error {
	var h264 []string             // this m-line's H.264 payload types
	profiled := map[string]bool{} // those of its payload types with a readable profile-level-id
	check := func() error {
		for _, pt := range h264 {
			if !profiled[pt] {
				return fmt.Errorf("%w: H.264 payload type %.8q has no profile-level-id of six hex digits", ErrInvalidSDP, pt)
			}
		}
		h264, profiled = nil, map[string]bool{}
		return nil
	}
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			if err := check(); err != nil {
				return err
			}
		case strings.HasPrefix(line, "a=rtpmap:"):
			// Janus takes any rtpmap holding "h264/90000" (or in capitals)
			// for H.264; any that mentions h264 counts here.
			value := strings.TrimPrefix(line, "a=rtpmap:")
			if pt, _, _ := strings.Cut(value, " "); strings.Contains(strings.ToLower(value), "h264") {
				h264 = append(h264, pt)
			}
		case strings.HasPrefix(line, "a=fmtp:"):
			pt, params, _ := strings.Cut(strings.TrimPrefix(line, "a=fmtp:"), " ")
			profiled[pt] = readableH264Profile(params)
		}
	}
	return check()
}

// readableH264Profile: the part of fmtp params Janus reads the profile
// from is "profile-level-id=" and six hex digits.
func readableH264Profile(params string) bool {
	const name = "profile-level-id="
	for _, part := range strings.Split(params, ";") {
		if !strings.Contains(part, name) {
			continue
		}
		id, ok := strings.CutPrefix(part, name)
		if !ok || len(id) != 6 {
			return false
		}
		for _, c := range id {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	}
	return false
}
