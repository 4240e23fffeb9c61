package signaling_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

func (e *env) health() (int, map[string]any) {
	e.t.Helper()
	resp, err := http.Get(e.hs.URL + "/healthz")
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// internalURL serves the server's internal handler (metrics, detailed
// health) for the rest of the test.
func (e *env) internalURL() string {
	e.t.Helper()
	if e.internal == nil {
		e.internal = httptest.NewServer(e.srv.InternalHandler())
		e.t.Cleanup(e.internal.Close)
	}
	return e.internal.URL
}

func (e *env) internalHealth() (int, map[string]any) {
	e.t.Helper()
	resp, err := http.Get(e.internalURL() + "/healthz")
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func TestChainDownFailsClosedAndRecovers(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	e.chain.Subscribe(fan.Address, owner.Address)
	code, body := e.health()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "reachable", body["chain"])

	e.chain.Stop()

	// Signing in needs no chain; everything that does fails closed.
	b, _ := e.signedIn(owner)
	v, _ := e.signedIn(fan)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.ExpectError("chain_unavailable")
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("chain_unavailable")
	waitFor(t, "healthz to report the chain down", func() bool {
		code, body := e.health()
		return code == http.StatusServiceUnavailable && body["chain"] == "unreachable"
	})
	require.Equal(t, 0.0, e.metric("signaling_chain_up"))

	// The daemon kept running; when the node is back, so is service.
	e.chain.Start(t)
	waitFor(t, "healthz to report the chain back", func() bool {
		code, _ := e.health()
		return code == http.StatusOK
	})
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.Expect("broadcasting")
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.Expect("watching")
	require.Equal(t, 1.0, e.metric("signaling_chain_up"))
}

func TestPositiveAnswersAreCachedBriefly(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.CacheTTL = time.Minute; c.RecheckInterval = time.Hour })
	owner, fan, late := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)
	require.Equal(t, 1, e.chain.Calls("Stream"))
	require.Equal(t, 1, e.chain.Calls("Subscription"))

	v.Send(map[string]any{"type": "leave"})
	v.Expect("left")
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.Expect("watching")
	require.Equal(t, 1, e.chain.Calls("Stream"))
	require.Equal(t, 1, e.chain.Calls("Subscription"))

	// A refusal is cached for as long as "no such stream": a flood of
	// watches from a key that follows nobody reaches the node once.
	l, _ := e.signedIn(late)
	for range 5 {
		l.Send(map[string]any{"type": "watch", "stream_id": id})
		l.ExpectError("not_subscribed")
	}
	require.Equal(t, 2, e.chain.Calls("Subscription"))
	e.chain.Subscribe(late.Address, owner.Address)
	time.Sleep(e.cfg.NotFoundCacheTTL)
	l.Send(map[string]any{"type": "watch", "stream_id": id})
	l.Expect("watching")
	require.Equal(t, 3, e.chain.Calls("Subscription"))
}

func recheckFast(c *signaling.Config) {
	c.RecheckInterval = 50 * time.Millisecond
	c.CacheTTL = 20 * time.Millisecond
}

func TestRecheckCutsOffAViewerWhoUnsubscribed(t *testing.T) {
	e := newEnv(t, recheckFast)
	owner, fan1, fan2 := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v1, v1p := e.viewer(fan1, owner, id, b)
	v2, _ := e.viewer(fan2, owner, id, b)
	v1.Expect("viewer_count")

	e.chain.Unsubscribe(fan1.Address, owner.Address)

	m := v1.Expect("removed")
	require.Equal(t, "not_subscribed", m.Str("reason"))
	left := b.Expect("viewer_left")
	require.Equal(t, v1p, left.Str("peer_id"))
	require.Equal(t, "not_subscribed", left.Str("reason"))
	require.Equal(t, 1.0, b.Expect("viewer_count")["count"])
	require.Equal(t, 1.0, v2.Expect("viewer_count")["count"])
	require.Equal(t, 1.0, e.metric("signaling_sessions_cut_total", "reason", "not_subscribed"))

	// The cut-off viewer is still signed in but cannot come back.
	v1.Send(map[string]any{"type": "watch", "stream_id": id})
	v1.ExpectError("not_subscribed")
	// The subscriber who stayed is untouched by later re-checks.
	time.Sleep(3 * 50 * time.Millisecond)
	quiet(v2)
}

func TestRecheckEndsADeletedStream(t *testing.T) {
	e := newEnv(t, recheckFast)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)

	e.chain.DeleteStream(id)

	require.Equal(t, "stream_deleted", b.Expect("stream_ended").Str("reason"))
	require.Equal(t, "stream_deleted", v.Expect("stream_ended").Str("reason"))
	st := e.srv.Stats()
	require.Equal(t, 0, st.Streams)
	require.Equal(t, 0, st.Viewers)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.ExpectError("stream_not_found")
}

func TestStreamEndsAtItsEndTime(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := e.chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Second))
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)

	require.Equal(t, "stream_over", b.Expect("stream_ended").Str("reason"))
	require.Equal(t, "stream_over", v.Expect("stream_ended").Str("reason"))
	require.False(t, time.Now().Before(now.Add(time.Second)), "ended before its end time")
	require.Equal(t, 0, e.srv.Stats().Streams)
}

func TestRecheckFollowsAScheduleChange(t *testing.T) {
	e := newEnv(t, recheckFast)
	owner := signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)

	// The stream is cut short on chain; the daemon follows.
	e.chain.SetSchedule(id, time.Now().Add(-time.Minute), time.Now().Add(300*time.Millisecond))
	require.Equal(t, "stream_over", b.Expect("stream_ended").Str("reason"))
}

func TestLongChainOutageCutsLiveSessions(t *testing.T) {
	e := newEnv(t, recheckFast, func(c *signaling.Config) { c.ChainOutageTolerance = 300 * time.Millisecond })
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)

	e.chain.Stop()

	m := b.ExpectSkipping("stream_ended", "viewer_left", "viewer_count")
	require.Equal(t, "chain_unavailable", m.Str("reason"))
	// The viewer's own re-check or the stream's may come first.
	for {
		m := v.Next()
		if m.Type() == "viewer_count" {
			continue
		}
		require.Contains(t, []string{"removed", "stream_ended"}, m.Type())
		require.Equal(t, "chain_unavailable", m.Str("reason"))
		break
	}
}
