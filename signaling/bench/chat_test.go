package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// BenchmarkChatDelivery: a chat line from one viewer until another viewer
// of the stream has it, p50/p95, for both viewers on one single-mode
// daemon (the baseline) and for two instances sharing a real redis-server
// with the stream's home on A and both viewers on B (the line goes B → A
// → B through Redis). Samples alternate between the cases. Each line
// comes from the next of `senders` viewers, to stay within the per-account
// chat rate (1 a second, bursts of 5). Run it once: -benchtime=1x.
func BenchmarkChatDelivery(b *testing.B) {
	const senders, rounds = 20, 5 // 100 samples per case, 5 lines per sender
	for range b.N {
		single := startDaemon(b, 2*senders)
		chain := signalingtest.NewChain(b)
		rd := signalingtest.StartRedis(b)
		a, bb := startShared(b, chain, rd, "a"), startShared(b, chain, rd, "b")
		waitTwo(b, httpURL(a))
		cases := []*chatRoom{
			newChatRoom(b, "single", single.chain, single.URL(), single.URL(), senders),
			newChatRoom(b, "shared-cross", chain, a, bb, senders),
		}
		for r := range rounds {
			for s := range senders {
				for _, c := range cases {
					c.samples = append(c.samples, c.line(b, s, fmt.Sprintf("line %d/%d", r, s)))
				}
			}
		}
		base := percentile(cases[0].samples, 50)
		for _, c := range cases {
			b.ReportMetric(micros(percentile(c.samples, 50)), c.name+"-chat-p50-µs")
			b.ReportMetric(micros(percentile(c.samples, 95)), c.name+"-chat-p95-µs")
		}
		b.ReportMetric(float64(percentile(cases[1].samples, 50))/float64(base), "cross/single-chat-p50")
	}
}

// chatRoom is a live stream with senders and one reader, all viewers.
type chatRoom struct {
	name    string
	senders []*websocket.Conn
	reader  *websocket.Conn
	samples []time.Duration
}

// newChatRoom puts the broadcaster on homeURL and the viewers on viewURL.
func newChatRoom(b *testing.B, name string, chain *signalingtest.Chain, homeURL, viewURL string, senders int) *chatRoom {
	b.Helper()
	owner := signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
	bc := mustSignIn(b, homeURL, owner)
	send(b, bc, fmt.Appendf(nil, `{"type":"broadcast","stream_id":"%d"}`, id))
	must(b, "broadcasting", bc, "broadcasting")
	watch := fmt.Appendf(nil, `{"type":"watch","stream_id":"%d"}`, id)
	viewer := func() *websocket.Conn {
		w := signalingtest.NewWallet()
		chain.Subscribe(w.Address, owner.Address)
		vc := mustSignIn(b, viewURL, w)
		send(b, vc, watch)
		must(b, "watching", vc, "watching")
		return vc
	}
	c := &chatRoom{name: name, reader: viewer()}
	for range senders {
		c.senders = append(c.senders, viewer())
	}
	// The broadcaster's queue fills with counts and chat it never reads.
	go func() {
		for {
			if _, _, err := bc.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return c
}

// line sends text from sender s and returns how long the reader took to
// have it.
func (c *chatRoom) line(b *testing.B, s int, text string) time.Duration {
	b.Helper()
	t0 := time.Now()
	send(b, c.senders[s], fmt.Appendf(nil, `{"type":"chat","text":%q}`, text))
	_ = c.reader.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := c.reader.ReadMessage()
		if err != nil {
			b.Fatalf("%s: reading chat: %v", c.name, err)
		}
		var m struct {
			Type    string
			Message struct{ Text string }
		}
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
		switch {
		case m.Type == "chat" && m.Message.Text == text:
			return time.Since(t0)
		case m.Type == "error":
			b.Fatalf("%s: %s", c.name, data)
		}
	}
}

// httpURL is the http:// base of a ws://…/ws URL.
func httpURL(ws string) string {
	return "http://" + strings.TrimSuffix(strings.TrimPrefix(ws, "ws://"), "/ws")
}
