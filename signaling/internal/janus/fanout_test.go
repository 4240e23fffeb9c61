package janus

import (
	"testing"
	"time"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestFanOutThroughVideoRoom: a pion publisher sends one VP8 track into a
// room; one subscriber, then five, receive it through Janus. Every
// subscriber gets RTP packets, and the publisher's upload does not grow
// with the audience: its bytes per frame written with 5 subscribers stay
// within 1.25x of those with 1 (measured in the same run; the direct path
// would be 5x).
func TestFanOutThroughVideoRoom(t *testing.T) {
	f := newFixture(t, jt.Options{})
	api := jt.LocalAPI()
	room := f.newRoom(t)
	snd, _, joined, _ := f.publish(t, api, room)

	first, _, _ := f.subscribe(t, api, room, joined.ID)
	waitPackets(t, first, 30, 20*time.Second)
	rate1 := uploadPerFrame(snd, 3*time.Second)

	receivers := []*jt.Receiver{first}
	for range 4 {
		r, _, _ := f.subscribe(t, api, room, joined.ID)
		receivers = append(receivers, r)
	}
	for _, r := range receivers {
		waitPackets(t, r, 30, 20*time.Second)
	}
	before := make([]uint64, len(receivers))
	for i, r := range receivers {
		before[i] = r.Bytes.Load()
	}
	rate5 := uploadPerFrame(snd, 3*time.Second)
	for i, r := range receivers {
		if got := r.Bytes.Load() - before[i]; got < 10_000 {
			t.Errorf("subscriber %d received %d payload bytes in 3 s, want a steady stream (~30 kB/s)", i, got)
		}
	}
	ratio := rate5 / rate1
	t.Logf("publisher upload: %.0f B/frame with 1 subscriber, %.0f B/frame with 5: ratio %.2f", rate1, rate5, ratio)
	if rate1 < 1000 {
		t.Fatalf("publisher sent only %.0f B/frame of 1000-byte frames with 1 subscriber: nothing to compare", rate1)
	}
	if ratio > 1.25 {
		t.Errorf("publisher upload grew %.2fx from 1 to 5 subscribers; an SFU keeps it flat", ratio)
	}
}

// uploadPerFrame is snd's upload per frame it wrote over d: unlike bytes
// per second, it does not move with how often a loaded machine runs the
// sender (BENCHMARKS.md's upload figures are per frame too).
func uploadPerFrame(snd *jt.Sender, d time.Duration) float64 {
	b0, f0 := snd.BytesSent(), snd.Frames.Load()
	time.Sleep(d)
	return float64(snd.BytesSent()-b0) / float64(max(snd.Frames.Load()-f0, 1))
}
