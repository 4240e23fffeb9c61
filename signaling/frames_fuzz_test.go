package signaling_test

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// serverTypes are the message types the server sends (PROTOCOL.md §4).
var serverTypes = map[string]bool{
	protocol.TypeChallenge: true, protocol.TypeAuthenticated: true, protocol.TypeBroadcasting: true,
	protocol.TypeWatching: true, protocol.TypeLeft: true, protocol.TypeViewerJoined: true,
	protocol.TypeViewerLeft: true, protocol.TypeViewerCount: true, protocol.TypeBroadcasterJoined: true,
	protocol.TypeStreamEnded: true, protocol.TypeRemoved: true, protocol.TypeError: true,
	protocol.TypeDraining: true, protocol.TypeResumeToken: true, protocol.TypeICEServers: true,
	protocol.TypeOffer: true, protocol.TypeAnswer: true, protocol.TypeCandidate: true,
	protocol.TypeChat: true, protocol.TypeChatHistory: true, protocol.TypeChatDeleted: true,
	protocol.TypeChatRestricted: true, protocol.TypeSFUPublish: true, protocol.TypeSFUQuality: true,
	protocol.TypeDirectCapacity: true,
}

// documentedCodes are the error codes of PROTOCOL.md §7: what a client
// written from the document can expect.
func documentedCodes(tb testing.TB) map[string]bool {
	doc, err := os.ReadFile("PROTOCOL.md")
	if err != nil {
		tb.Fatal(err)
	}
	section := regexp.MustCompile(`(?s)\n## 7\. Error codes\n(.*?)\n## `).FindSubmatch(doc)
	if section == nil {
		tb.Fatal("PROTOCOL.md has no §7")
	}
	codes := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllSubmatch(section[1], -1) {
		codes[string(m[1])] = true
	}
	if len(codes) < 30 {
		tb.Fatalf("only %d codes read from PROTOCOL.md §7", len(codes))
	}
	return codes
}

// goInternals are what an answer must never show.
var goInternals = []string{"goroutine ", "runtime error", "panic", "strconv.", "json: ", "invalid character", ".go:"}

// FuzzSessionFrames: whatever text frame a signed-in broadcaster with one
// viewer sends, the daemon answers only with messages of the protocol's
// types, refuses with an error code PROTOCOL.md §7 lists and a message
// without Go internals, or closes with a documented close code; the viewer
// sees only protocol messages too; and unless it closed, the connection
// still answers the next message. In a frame, $VIEWER stands for the
// viewer's peer id and $STREAM for the stream's id, so mutations reach
// the paths past the peer and stream checks.
func FuzzSessionFrames(f *testing.F) {
	for _, seed := range []string{
		`{"type":"offer","to":"$VIEWER","sdp":{"type":"offer","sdp":"v=0\r\n"}}`,
		`{"type":"answer","to":"$VIEWER","sdp":"v=0"}`,
		`{"type":"candidate","to":"$VIEWER","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}}`,
		`{"type":"candidate","to":"$VIEWER","candidate":null}`,
		`{"type":"offer","to":"sfu","sdp":{"type":"offer","sdp":"v=0"}}`,
		`{"type":"candidate","to":"sfu","candidate":{"candidate":""}}`,
		`{"type":"direct_capacity","stream_id":"$STREAM","direct_capacity":0}`,
		`{"type":"direct_capacity","stream_id":$STREAM,"direct_capacity":1001}`,
		`{"type":"broadcast","stream_id":"$STREAM","direct_capacity":3}`,
		`{"type":"watch","stream_id":"$STREAM"}`,
		`{"type":"sfu_quality","quality":"low"}`,
		`{"type":"chat","text":"hello"}`, `{"type":"chat","text":""}`,
		`{"type":"chat_mute","address":"stream1xyz"}`, `{"type":"chat_remove","address":"x"}`,
		`{"type":"chat_delete","id":"1"}`,
		`{"type":"leave"}`, `{"type":"challenge"}`, `{"type":"resume","token":"x"}`,
		`{"type":"auth","address":"a","message":"m","signature":{"pub_key":{"type":"t","value":"v"},"signature":"s"}}`,
		`{"type":"offer","to":"$VIEWER","sdp":{"type":"offer","sdp":"v=0"},"sdp":1}`,
		`{"type":"watch","stream_id":1e400}`, `{"type":"watch","stream_id":-1}`, `{"type":"\u0000"}`,
		`{}`, `[]`, `null`, `"x"`, `{"type":"offer"`, "\xff\xfe", ``,
	} {
		f.Add([]byte(seed))
	}
	codes := documentedCodes(f)
	e := newEnv(f, func(c *signaling.Config) {
		// Every input signs in twice; the limits meant for one client's
		// burst are not what this target probes.
		c.MessagesPerSecond, c.MessageBurst = 1e6, 1<<20
		c.JoinsPerSecondPerIP, c.JoinBurstPerIP = 1e6, 1<<20
		c.MaxConnsPerIP = 1000
		c.MaxUnauthenticatedConnsPerIP = 1000
	})
	check := func(t *testing.T, who string, m signalingtest.Msg, frame []byte) {
		t.Helper()
		if !serverTypes[m.Type()] {
			t.Fatalf("after %q the %s got a message of no protocol type: %v", frame, who, m)
		}
		if m.Type() != protocol.TypeError {
			return
		}
		if !codes[m.Str("code")] {
			t.Fatalf("after %q the %s got an error code PROTOCOL.md §7 does not list: %v", frame, who, m)
		}
		for _, leak := range goInternals {
			if strings.Contains(m.Str("message"), leak) {
				t.Fatalf("after %q the %s's error shows %q: %v", frame, who, leak, m)
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
		id := e.liveStream(owner)
		e.chain.Subscribe(fan.Address, owner.Address)
		b := signalingtest.Dial(t, e.hs.URL, appOrigin)
		defer b.Close()
		b.SignIn(owner)
		b.Send(map[string]any{"type": "broadcast", "stream_id": id})
		b.Expect("broadcasting")
		v := signalingtest.Dial(t, e.hs.URL, appOrigin)
		defer v.Close()
		viewer := v.SignIn(fan).Str("peer_id")
		v.Send(map[string]any{"type": "watch", "stream_id": id})
		v.Expect("watching")
		b.ExpectSkipping("viewer_count", "viewer_joined")

		frame := bytes.ReplaceAll(raw, []byte("$VIEWER"), []byte(viewer))
		frame = bytes.ReplaceAll(frame, []byte("$STREAM"), []byte(strconv.FormatUint(id, 10)))
		if b.TrySendRaw(frame) != nil {
			return // a frame the client library refuses to write
		}
		closed := func() {
			switch code, _ := b.ExpectClosed(); code {
			case websocket.CloseInvalidFramePayloadData, websocket.CloseMessageTooBig, protocol.CloseRateLimited:
			default:
				t.Fatalf("after %q the server closed with %d", frame, code)
			}
		}
		const sentinel = "fuzz_sentinel"
		// A write that fails here found the server's close frame.
		sentinelSent := b.TrySendRaw([]byte(`{"type":"`+sentinel+`"}`)) == nil
		deadline := time.Now().Add(signalingtest.Timeout)
		for {
			m, ok := b.TryNext(time.Until(deadline))
			if !ok {
				if time.Now().After(deadline) {
					t.Fatalf("after %q no answer to the next message within %s", frame, signalingtest.Timeout)
				}
				closed()
				break
			}
			check(t, "broadcaster", m, frame)
			if sentinelSent && m.Type() == protocol.TypeError && m.Str("request") == sentinel {
				if m.Str("code") != string(protocol.CodeUnknownType) {
					t.Fatalf("after %q the next message was refused with %v", frame, m)
				}
				break
			}
		}
		for {
			m, ok := v.Poll()
			if !ok {
				break
			}
			check(t, "viewer", m, frame)
		}
	})
}
