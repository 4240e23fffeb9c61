package signaling_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// dialFrom opens a WebSocket as a client whose address a trusted proxy
// (the test's loopback) reports in X-Forwarded-For.
func (e *env) dialFrom(addr string) (*websocket.Conn, int) {
	e.t.Helper()
	h := http.Header{"Origin": {appOrigin}, "X-Forwarded-For": {addr}}
	ws, resp, err := websocket.DefaultDialer.Dial(signalingtest.WSURL(e.hs.URL), h)
	if err != nil {
		require.NotNil(e.t, resp, "%v", err)
		_ = resp.Body.Close()
		return nil, resp.StatusCode
	}
	e.t.Cleanup(func() { _ = ws.Close() })
	return ws, http.StatusSwitchingProtocols
}

func behindProxy(c *signaling.Config) {
	c.RealIPHeader, c.TrustedProxies = "X-Forwarded-For", []string{"127.0.0.1", "::1"}
}

// One address range holds at most its share of the connections waiting to
// sign in; an IPv6 /64 is one range however many addresses it uses.
func TestUnauthenticatedPoolSharePerRange(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *signaling.Config) { c.MaxUnauthenticatedConnsPerIP = 3 })
	for i := range 3 {
		_, status := e.dialFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1))
		require.Equal(t, http.StatusSwitchingProtocols, status)
	}
	_, status := e.dialFrom("2001:db8:1:2:ffff::9")
	require.Equal(t, http.StatusTooManyRequests, status, "a fourth address of the same /64")
	_, status = e.dialFrom("2001:db8:1:3::1")
	require.Equal(t, http.StatusSwitchingProtocols, status, "another /64 has its own share")
	_, status = e.dialFrom("192.0.2.1")
	require.Equal(t, http.StatusSwitchingProtocols, status)

	// Signing in gives the slot back.
	ws, status := e.dialFrom("198.51.100.7")
	require.Equal(t, http.StatusSwitchingProtocols, status)
	c := signalingtest.NewClient(t, ws)
	c.SignIn(signalingtest.NewWallet())
	for range 3 {
		_, status := e.dialFrom("198.51.100.7")
		require.Equal(t, http.StatusSwitchingProtocols, status)
	}
}

// Held-open /live streams are bounded per range, and /live.json is
// rate-limited per range.
func TestLiveViewLimitsPerRange(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *signaling.Config) {
		c.MaxLivePerIP, c.LiveJSONPerSecond, c.LiveJSONBurst = 2, 1, 5
	})
	get := func(path, from string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, e.hs.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("X-Forwarded-For", from)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	var open []*http.Response
	t.Cleanup(func() {
		for _, r := range open {
			_ = r.Body.Close()
		}
	})
	for i := range 2 {
		r := get("/live", fmt.Sprintf("2001:db8::%d", i+1))
		require.Equal(t, http.StatusOK, r.StatusCode)
		open = append(open, r)
	}
	r := get("/live", "2001:db8::ffff")
	_ = r.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	r = get("/live", "2001:db9::1")
	open = append(open, r)
	require.Equal(t, http.StatusOK, r.StatusCode)

	refused := 0
	for range 20 {
		r := get("/live.json", "203.0.113.5")
		_ = r.Body.Close()
		if r.StatusCode == http.StatusTooManyRequests {
			refused++
		} else {
			require.Equal(t, http.StatusOK, r.StatusCode)
		}
	}
	require.GreaterOrEqual(t, refused, 20-5-2, "a burst of 5 at 1/s")
	r = get("/live.json", "203.0.113.6")
	_ = r.Body.Close()
	require.Equal(t, http.StatusOK, r.StatusCode, "another address is not affected")
}

// Joins from one range are rate-limited, so throwaway keys and unknown ids
// cannot make the node answer a query per message.
func TestJoinsBoundNodeQueriesPerRange(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.JoinsPerSecondPerIP, c.JoinBurstPerIP = 1, 5 })
	before := e.chain.Calls("Stream")
	refused := 0
	for k := range 4 {
		c, _ := e.signedIn(signalingtest.NewWallet())
		for i := range 5 {
			c.Send(map[string]any{"type": "watch", "stream_id": 1000 + k*10 + i})
			if c.Expect("error").Str("code") == "rate_limited" {
				refused++
			}
		}
	}
	require.GreaterOrEqual(t, refused, 20-5-2)
	require.LessOrEqual(t, e.chain.Calls("Stream")-before, 5+2, "node queries bounded by the join rate")
}
