package signaling_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// sseReader reads the `live` events of GET /live.
type sseReader struct {
	t      *testing.T
	events chan string
	resp   *http.Response
}

func openLive(t *testing.T, url string) *sseReader {
	t.Helper()
	resp, err := http.Get(url + "/live")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	r := &sseReader{t: t, events: make(chan string, 64), resp: resp}
	go func() {
		defer close(r.events)
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "live":
				r.events <- strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return r
}

// next returns the next snapshot, raw and decoded.
func (r *sseReader) next() (string, signaling.LiveSnapshot) {
	r.t.Helper()
	select {
	case raw, ok := <-r.events:
		require.True(r.t, ok, "the live stream ended")
		var snap signaling.LiveSnapshot
		require.NoError(r.t, json.Unmarshal([]byte(raw), &snap), raw)
		return raw, snap
	case <-time.After(5 * time.Second):
		r.t.Fatal("no live event in 5s")
		return "", signaling.LiveSnapshot{}
	}
}

// until skips snapshots until one satisfies cond (changes may be coalesced).
func (r *sseReader) until(what string, cond func(signaling.LiveSnapshot) bool) string {
	r.t.Helper()
	for i := 0; i < 20; i++ {
		raw, snap := r.next()
		if cond(snap) {
			return raw
		}
	}
	r.t.Fatalf("no live snapshot with %s", what)
	return ""
}

func TestLiveViewFollowsBroadcastsWithoutAddressesOrPeerIDs(t *testing.T) {
	e := newEnv(t)
	live := openLive(t, e.hs.URL)
	raw, snap := live.next()
	require.Empty(t, snap.Streams, raw)
	require.JSONEq(t, `{"streams":[]}`, raw)

	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	// A viewer waiting for the broadcaster is not on air yet.
	fanConn, fanPeer := e.viewer(fan, owner, id, nil)
	b, bPeer := e.broadcaster(owner, id)
	fanConn.Expect("broadcaster_joined")
	raw = live.until("the stream on air with its viewer", func(s signaling.LiveSnapshot) bool {
		return len(s.Streams) == 1 && uint64(s.Streams[0].StreamID) == id && s.Streams[0].Viewers == 1
	})
	require.JSONEq(t, `{"streams":[{"stream_id":"`+itoa(id)+`","viewers":1}]}`, raw)
	for _, secret := range []string{owner.Address, fan.Address, fanPeer, bPeer} {
		require.NotContains(t, raw, secret)
	}

	// /live.json is the same snapshot.
	resp, err := http.Get(e.hs.URL + "/live.json")
	require.NoError(t, err)
	var once signaling.LiveSnapshot
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&once))
	resp.Body.Close()
	require.Equal(t, []signaling.LiveStream{{StreamID: protocol.StreamID(id), Viewers: 1}}, once.Streams)

	// The viewer leaves: the count follows; the broadcaster leaves: off air.
	fanConn.Send(map[string]any{"type": "leave"})
	fanConn.Expect("left")
	live.until("no viewers", func(s signaling.LiveSnapshot) bool { return len(s.Streams) == 1 && s.Streams[0].Viewers == 0 })
	b.Close()
	live.until("nothing on air", func(s signaling.LiveSnapshot) bool { return len(s.Streams) == 0 })
}

// The live stream lasts as long as the page is open: the HTTP server's read
// and write timeouts, meant for requests that end, must not cut it.
func TestLiveViewOutlivesTheHTTPTimeouts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	e := newEnvWith(t, []signaling.Option{
		signaling.WithHTTPTimeoutsForTest(timeout, timeout),
		signaling.WithWriteTimeoutForTest(timeout),
	})
	live := openLive(t, e.hs.URL)
	live.next()
	time.Sleep(4 * timeout)

	owner := signalingtest.NewWallet()
	id := e.liveStream(owner)
	e.broadcaster(owner, id)
	live.until("the stream on air", func(s signaling.LiveSnapshot) bool {
		return len(s.Streams) == 1 && uint64(s.Streams[0].StreamID) == id
	})
}

func TestLiveViewEndsAtShutdown(t *testing.T) {
	e := newEnv(t)
	live := openLive(t, e.hs.URL)
	live.next()
	e.srv.Close()
	select {
	case _, ok := <-live.events:
		require.False(t, ok, "an event after shutdown")
	case <-time.After(5 * time.Second):
		t.Fatal("the live stream outlived the shutdown")
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(protocol.StreamID(n))
	return strings.Trim(string(b), `"`)
}

// A page whose own instance died reads the live view from another instance
// (PROTOCOL.md §12): both endpoints are readable from any origin.
func TestLiveViewIsReadableCrossOrigin(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/live.json", "/live"} {
		req, err := http.NewRequest(http.MethodGet, e.hs.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "http://another-instance.example")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), path)
	}
}
