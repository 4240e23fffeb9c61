package signaling_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// What a broken or hostile client sends the media server through
// signalingd (descriptions and candidates no browser writes) is answered
// or refused with a code of PROTOCOL.md §7, never sfu_unavailable while
// Janus is up, and Janus lives through all of it: the same instance then
// carries a good publication to a viewer.
func TestHostileDescriptionsLeaveJanusStanding(t *testing.T) {
	s := newSFUEnv(t, func(c *signaling.Config) { c.MessagesPerSecond, c.MessageBurst = 1000, 1000 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b := s.largeAudience(owner, id)
	next(t, b, "sfu_publish")
	pid := s.jt.PID()

	standing := func(what string) {
		t.Helper()
		if exited, log := s.jt.Exited(); exited {
			t.Fatalf("Janus exited after %s:\n%s", what, log)
		}
		require.Equal(t, pid, s.jt.PID(), what)
		require.Equal(t, 1.0, s.metric("signaling_sfu_servers_up"), what)
	}
	// reply is the next answer or error to c; an error must carry one of
	// codes.
	reply := func(c *signalingtest.Client, what string, codes ...string) {
		t.Helper()
		for {
			m, ok := c.TryNext(signalingtest.Timeout)
			if !ok {
				t.Fatalf("%s: no answer or error within %s", what, signalingtest.Timeout)
			}
			switch m.Type() {
			case "viewer_count", "sfu_publish":
				continue
			case "answer":
				t.Logf("%s: answered", what)
				return
			case "error":
				require.Contains(t, codes, m.Str("code"), "%s: %v", what, m)
				t.Logf("%s: %s", what, m.Str("code"))
				return
			default:
				t.Fatalf("%s: %v", what, m)
			}
		}
	}

	_, good, err := s.sender().Offer(t.Context())
	require.NoError(t, err)
	video := regexp.MustCompile(`(?s)m=video.*`).FindString(good)
	sub := func(sdp, re, with string) string { return regexp.MustCompile(re).ReplaceAllString(sdp, with) }
	offers := map[string]string{
		"no fingerprint":         sub(good, `a=fingerprint:[^\r]*\r\n`, ""),
		"no ICE credentials":     sub(good, `a=ice-(ufrag|pwd):[^\r]*\r\n`, ""),
		"rejected video only":    sub(good, `m=video [0-9]+`, "m=video 0"),
		"7 video m-lines":        good + strings.Repeat(sub(video, `a=mid:[^\r]*`, "a=mid:x"), 6),
		"an unknown codec only":  sub(good, `VP8/90000`, "FOO/90000"),
		"no codec":               sub(sub(good, `a=rtpmap:[^\r]*\r\n`, ""), `(m=video [0-9]+ UDP/TLS/RTP/SAVPF)[0-9 ]*`, "$1"),
		"payload type 300":       sub(good, `(m=video [0-9]+ UDP/TLS/RTP/SAVPF) ([0-9]+)`, "$1 300"),
		"setup holdconn":         sub(good, `a=setup:[a-z]+`, "a=setup:holdconn"),
		"a duplicate mid":        good + sub(video, `a=mid:[^\r]*`, "a=mid:0"),
		"eight simulcast rids":   sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\na=rid:e send\r\na=rid:f send\r\na=rid:g send\r\na=rid:h send\r\na=simulcast:send a;b;c;d;e;f;g;h\r\n"),
		"simulcast, unknown rid": sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=simulcast:send x;y\r\n"),
		"extmap id 300":          sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=extmap:300 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"),
		"a bundle of nothing":    sub(good, `a=group:BUNDLE[^\r]*`, "a=group:BUNDLE 7 8 9"),
		"an IPv6 connection":     sub(good, `c=IN IP4 [^\r]*`, "c=IN IP6 ::1"),
		"garbage candidates":     sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=candidate:x y z\r\na=candidate:1 1 udp 1 999.1.1.1 99999 typ host\r\n"),
		"an ssrc group of none":  sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=ssrc-group:FID 1 2 3 4 5\r\n"),
		"only v=0":               "v=0\r\n",
		"no line breaks":         strings.ReplaceAll(good, "\r\n", " "),
		"LF line ends":           strings.ReplaceAll(good, "\r\n", "\n"),
		"lines without =":        sub(good, `(a=mid:[^\r]*\r\n)`, "${1}nonsense\r\n\r\n=\r\n"),
		"a NUL":                  sub(good, `(a=mid:[^\r]*\r\n)`, "${1}a=x\x00y\r\n"),
		"VP9 alone":              sub(good, `VP8/90000`, "VP9/90000"),
		"rtx without apt":        sub(good, `a=fmtp:[0-9]+ apt=[0-9]+\r\n`, ""),
	}
	offerCodes := []string{"sfu_invalid_sdp", "bad_message", "payload_too_large"}
	for name, sdp := range offers {
		b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": sdp}})
		reply(b, "offer with "+name, offerCodes...)
		standing("an offer with " + name)
	}

	// Candidates to a standing publication.
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": good}})
	reply(b, "a good offer")
	for _, c := range []map[string]any{
		{"candidate": "garbage", "sdpMid": "0"},
		{"candidate": "candidate:1 1 udp 1 127.0.0.1 70000 typ host", "sdpMid": "0"},
		{"candidate": "candidate:1 1 udp 1 ::1 5000 typ host", "sdpMLineIndex": 9},
		{"candidate": "candidate:1 1 tcp 1 127.0.0.1 9 typ host tcptype active", "sdpMid": "nope"},
		{"candidate": "candidate:1 1 udp 1 f81d4fae-7dec-11d0-a765-00a0c91e6bf6.local 5000 typ host", "sdpMid": "0"},
		{"candidate": "candidate:" + strings.Repeat("9", 1500) + " 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"},
		{"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ relay raddr 1.2.3.4 rport -1", "sdpMLineIndex": 0},
	} {
		b.Send(map[string]any{"type": "candidate", "to": "sfu", "candidate": c})
		if m, ok := b.TryNext(300 * time.Millisecond); ok {
			require.Equal(t, "error", m.Type(), "%v", c)
			require.Contains(t, []string{"bad_message", "payload_too_large", "sfu_invalid_sdp"}, m.Str("code"), "%v: %v", c, m)
		}
		standing(fmt.Sprintf("a candidate %v", c))
	}

	// H.264 publications, each connected and watched when Janus takes it:
	// the first subscriber is where Janus 1.1.2 crashed on a profile it
	// could not read, so those offers are refused before Janus sees them.
	for name, c := range map[string]struct {
		from, to string
		refused  bool
	}{
		"packetization mode 0": {`packetization-mode=1`, "packetization-mode=0", false},
		"profile 640032":       {`profile-level-id=[0-9a-f]+`, "profile-level-id=640032", false},
		"profile ffffff":       {`profile-level-id=[0-9a-f]+`, "profile-level-id=ffffff", false},
		"profile zz":           {`profile-level-id=[0-9a-f]+`, "profile-level-id=zz", true},
		"an empty profile":     {`profile-level-id=[0-9a-f]+`, "profile-level-id=", true},
		"a space before it":    {`;profile-level-id=`, "; profile-level-id=", true},
		"Profile-Level-Id":     {`profile-level-id=`, "Profile-Level-Id=", true},
		"no fmtp":              {`a=fmtp:[0-9]+ [^\r]*profile-level-id[^\r]*\r\n`, "", true},
	} {
		pc, offer, err := s.senderIn(janus.H264).Offer(t.Context())
		require.NoError(t, err)
		changed := sub(offer, c.from, c.to)
		require.NotEqual(t, offer, changed, name)
		b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": changed}})
		m := next(t, b, map[bool]string{false: "answer", true: "error"}[c.refused])
		if c.refused {
			require.Equal(t, "sfu_invalid_sdp", m.Str("code"), name)
			// The publication before it stands; offer again on a new one.
			continue
		}
		require.NoError(t, janus.Accept(pc, sdpOf(t, m)), name)
		v, rcv := s.sfuViewer(signalingtest.NewWallet(), owner, id)
		waitPacket(t, rcv, "a viewer of H.264 with "+name)
		v.Close()
		standing("a viewer of H.264 with " + name)
	}

	// A good publication, and viewers answering its offer badly.
	snd := s.sender()
	s.offerSFU(b, snd)
	answers := map[string]func(string) string{
		"no fingerprint":      func(a string) string { return sub(a, `a=fingerprint:[^\r]*\r\n`, "") },
		"no ICE credentials":  func(a string) string { return sub(a, `a=ice-(ufrag|pwd):[^\r]*\r\n`, "") },
		"a codec not offered": func(a string) string { return sub(a, `VP8/90000`, "H264/90000") },
		"a rejected m-line":   func(a string) string { return sub(a, `m=video [0-9]+`, "m=video 0") },
		"two m-lines":         func(a string) string { return a + regexp.MustCompile(`(?s)m=video.*`).FindString(a) },
		"setup actpass":       func(a string) string { return sub(a, `a=setup:[a-z]+`, "a=setup:actpass") },
		"only v=0":            func(string) string { return "v=0\r\n" },
		"sendonly":            func(a string) string { return sub(a, `a=recvonly`, "a=sendonly") },
	}
	for name, mutate := range answers {
		fan := signalingtest.NewWallet()
		s.chain.Subscribe(fan.Address, owner.Address)
		c, _ := s.signedIn(fan)
		c.Send(map[string]any{"type": "watch", "stream_id": id})
		next(t, c, "watching")
		offer := next(t, c, "offer")
		rcv, err := janus.NewReceiver(s.api)
		require.NoError(t, err)
		ans, err := rcv.Answer(t.Context(), sdpOf(t, offer))
		require.NoError(t, err)
		c.Send(map[string]any{"type": "answer", "to": "sfu", "sdp": map[string]string{"type": "answer", "sdp": mutate(ans)}})
		if m, ok := c.TryNext(500 * time.Millisecond); ok && m.Type() == "error" {
			require.Contains(t, []string{"sfu_invalid_sdp", "bad_message"}, m.Str("code"), "an answer with %s: %v", name, m)
		}
		rcv.Close()
		c.Close()
		standing("an answer with " + name)
	}

	_, rcv := s.sfuViewer(signalingtest.NewWallet(), owner, id)
	waitPacket(t, rcv, "a viewer after all that")
	standing("the good viewer")
}
