// Package live is the public live view: which streams are on air and how
// many watch each, told by the hub and served as /live.json and /live
// (Server-Sent Events). It never names an address or a peer.
package live

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// Stream is one entry of the public live view: a stream on air and how
// many viewers it has. It never names an address or a peer.
type Stream struct {
	StreamID protocol.StreamID `json:"stream_id"`
	Viewers  int               `json:"viewers"`
}

// Snapshot is the whole public live view.
type Snapshot struct {
	Streams []Stream `json:"streams"`
}

// liveEntry is what Status keeps per stream with a room.
type liveEntry struct {
	onAir   bool
	viewers int
}

// Status is the public, read-only live view: the observer the hub reports
// to, and the /live.json and /live (Server-Sent Events) endpoints.
// Every change wakes the SSE streams, which each send the full snapshot;
// changes that come faster than a stream writes are coalesced into one.
type Status struct {
	mu      sync.Mutex
	streams map[uint64]liveEntry
	// others is the other instances' on-air streams (shared mode), read
	// from Redis every refresh.
	others  []Stream
	subs    map[chan struct{}]struct{}
	maxSubs int
	closed  chan struct{}
	once    sync.Once
	// keepalive is how often an idle SSE stream gets a comment line, so
	// proxies do not time it out.
	keepalive time.Duration
}

// DefaultMaxSubscribers bounds the open /live streams.
const DefaultMaxSubscribers = 5000

// NewStatus returns an empty live view accepting up to maxSubs SSE
// streams at once.
func NewStatus(maxSubs int) *Status {
	return &Status{
		streams: make(map[uint64]liveEntry), subs: make(map[chan struct{}]struct{}),
		maxSubs: maxSubs, closed: make(chan struct{}), keepalive: 25 * time.Second,
	}
}

func (l *Status) update(id uint64, f func(e *liveEntry)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.streams[id]
	before := e
	f(&e)
	if e == before {
		return
	}
	if !e.onAir && e.viewers == 0 {
		delete(l.streams, id)
	} else {
		l.streams[id] = e
	}
	// Only on-air streams are published: viewers waiting for a broadcaster
	// change nothing a reader sees.
	if !before.onAir && !e.onAir {
		return
	}
	l.wakeLocked()
}

func (l *Status) wakeLocked() {
	for ch := range l.subs {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// SetRemote replaces the other instances' streams, waking the SSE streams
// when they changed.
func (l *Status) SetRemote(streams []Stream) {
	slices.SortFunc(streams, func(a, b Stream) int { return cmp.Compare(a.StreamID, b.StreamID) })
	l.mu.Lock()
	defer l.mu.Unlock()
	if slices.Equal(l.others, streams) {
		return
	}
	l.others = streams
	l.wakeLocked()
}

// OnAir records that stream id has a broadcaster.
func (l *Status) OnAir(id uint64) { l.update(id, func(e *liveEntry) { e.onAir = true }) }

// OffAir records that stream id lost its broadcaster; its viewers are gone
// with it (the hub ends their sessions).
func (l *Status) OffAir(id uint64) {
	l.update(id, func(e *liveEntry) { *e = liveEntry{} })
}

// ViewerCount records the number of viewers of stream id.
func (l *Status) ViewerCount(id uint64, n int) {
	l.update(id, func(e *liveEntry) { e.viewers = n })
}

// Snapshot lists the streams on air, by id: in shared mode, every
// instance's.
func (l *Status) Snapshot() Snapshot {
	l.mu.Lock()
	out := l.localLocked()
	for _, r := range l.others {
		// A stream has one home; during a move both may list it for a
		// moment: it is listed once.
		if !l.streams[uint64(r.StreamID)].onAir {
			out.Streams = append(out.Streams, r)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(out.Streams, func(a, b Stream) int { return cmp.Compare(a.StreamID, b.StreamID) })
	return out
}

// LocalSnapshot is this instance's own streams on air.
func (l *Status) LocalSnapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.localLocked()
}

func (l *Status) localLocked() Snapshot {
	out := Snapshot{Streams: []Stream{}}
	for id, e := range l.streams {
		if e.onAir {
			out.Streams = append(out.Streams, Stream{StreamID: protocol.StreamID(id), Viewers: e.viewers})
		}
	}
	return out
}

// Close ends every SSE stream (at shutdown).
func (l *Status) Close() { l.once.Do(func() { close(l.closed) }) }

func (l *Status) subscribe() (chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.subs) >= l.maxSubs {
		return nil, false
	}
	ch := make(chan struct{}, 1)
	l.subs[ch] = struct{}{}
	return ch, true
}

func (l *Status) unsubscribe(ch chan struct{}) {
	l.mu.Lock()
	delete(l.subs, ch)
	l.mu.Unlock()
}

// sseWriteWait bounds one write of the live stream to a client.
const sseWriteWait = 10 * time.Second

// ServeSSE streams the snapshot as Server-Sent Events: one `live` event at
// once and one after every change.
func (l *Status) ServeSSE(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	select {
	case <-l.closed:
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	wake, ok := l.subscribe()
	if !ok {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many live-status streams", http.StatusServiceUnavailable)
		return
	}
	defer l.unsubscribe(wake)
	// The server's read and write timeouts are for requests that end; this
	// one lasts as long as the page is open. Each write gets its own
	// deadline instead, so a client that stops reading is still dropped.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteWait))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	// Tell EventSource to reconnect after 2 s when the stream drops.
	if !write("retry: 2000\n\n") {
		return
	}
	ping := time.NewTicker(l.keepalive)
	defer ping.Stop()
	for {
		b, _ := json.Marshal(l.Snapshot())
		if !write("event: live\ndata: %s\n\n", b) {
			return
		}
	wait:
		for {
			select {
			case <-r.Context().Done():
				return
			case <-l.closed:
				return
			case <-ping.C:
				if !write(": keepalive\n\n") {
					return
				}
			case <-wake:
				break wait
			}
		}
	}
}
