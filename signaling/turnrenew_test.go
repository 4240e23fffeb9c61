package signaling_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// turnExpiry is the expiry a TURN REST API username carries.
func turnExpiry(t *testing.T, m signalingtest.Msg) time.Time {
	t.Helper()
	servers, _ := m["ice_servers"].([]any)
	for _, s := range servers {
		if user, _ := s.(map[string]any)["username"].(string); user != "" {
			sec, err := strconv.ParseInt(strings.SplitN(user, ":", 2)[0], 10, 64)
			require.NoError(t, err)
			return time.Unix(sec, 0)
		}
	}
	t.Fatalf("no TURN credentials in %v", m)
	return time.Time{}
}

// TURN credentials live about as long as their TTL, are renewed while the
// session lasts, and stop being renewed when it ends.
func TestTURNCredentialsAreShortAndRenewed(t *testing.T) {
	require.LessOrEqual(t, signaling.DefaultTURNTTL, 15*time.Minute, "credentials outlive a session by at most minutes")
	const ttl = 2 * time.Second
	e := newEnv(t, func(c *signaling.Config) {
		c.TURN = signaling.TURNConfig{URLs: []string{"turn:turn.example:3478"}, Secret: "s3cret", TTL: ttl}
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	first := turnExpiry(t, b.Expect("broadcasting"))
	require.WithinDuration(t, time.Now().Add(ttl), first, 1500*time.Millisecond)
	v, _ := e.viewer(fan, owner, id, b)

	for _, c := range []*signalingtest.Client{b, v} {
		renewed := c.ExpectSkipping("ice_servers", "viewer_count", "viewer_joined")
		require.Equal(t, strconv.FormatUint(id, 10), renewed.Str("stream_id"))
		require.WithinDuration(t, time.Now().Add(ttl), turnExpiry(t, renewed), 1500*time.Millisecond)
	}

	v.Send(map[string]any{"type": "leave"})
	v.ExpectSkipping("left", "ice_servers", "viewer_count")
	time.Sleep(ttl)
	for {
		m, ok := v.Poll()
		if !ok {
			break
		}
		require.NotEqual(t, "ice_servers", m.Type(), "renewed after the session ended")
	}
}
