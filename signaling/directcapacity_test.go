package signaling_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// The broadcaster's direct capacity during its broadcast (PROTOCOL.md
// §4.4): the message direct_capacity changes it for the viewers who join
// next, and the server answers with the value in force.

// setCapacity sends direct_capacity n for stream id and returns the
// answer's value in force, checking it says whether there is a media
// server tier.
func setCapacity(t testing.TB, b *signalingtest.Client, id uint64, n int, sfu bool) float64 {
	t.Helper()
	b.Send(map[string]any{"type": "direct_capacity", "stream_id": id, "direct_capacity": n})
	m := next(t, b, "direct_capacity")
	require.Equal(t, strconv.FormatUint(id, 10), m.Str("stream_id"))
	require.Equal(t, sfu, m["sfu"])
	return m["direct_capacity"].(float64)
}

// watchAs subscribes w to owner, signs it in, watches stream id and
// returns the connection and the tier it was given.
func watchAs(s *env, w, owner *signalingtest.Wallet, id uint64) (*signalingtest.Client, string, string) {
	s.t.Helper()
	s.chain.Subscribe(w.Address, owner.Address)
	c, peer := s.signedIn(w)
	c.Send(map[string]any{"type": "watch", "stream_id": id})
	return c, peer, next(s.t, c, "watching").Str("tier")
}

// onlyCounts fails when c was sent anything but viewer counts within d.
func onlyCounts(t testing.TB, c *signalingtest.Client, d time.Duration, who string) {
	t.Helper()
	for {
		m, ok := c.TryNext(d)
		if !ok {
			return
		}
		require.Equal(t, "viewer_count", m.Type(), "%s was sent %v", who, m)
	}
}

func TestDirectCapacityChangesDuringTheBroadcast(t *testing.T) {
	s := newSFUEnv(t, func(c *signaling.Config) { c.SFU.MaxDirectViewers = 4 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	require.Equal(t, 4.0, next(t, b, "broadcasting")["direct_capacity"], "without a report, -max-direct-viewers")

	// Two viewers join within the capacity: direct.
	var direct []*signalingtest.Client
	for range 2 {
		c, peer, tier := watchAs(s.env, signalingtest.NewWallet(), owner, id)
		require.Equal(t, "direct", tier)
		require.Equal(t, peer, next(t, b, "viewer_joined").Str("peer_id"))
		direct = append(direct, c)
	}

	// Lowered to 0 ("large audience") mid-broadcast: the broadcaster is
	// asked to publish at once; the direct viewers keep their tier.
	require.Equal(t, 0.0, setCapacity(t, b, id, 0, true))
	snd := s.sender()
	s.publish(b, snd)
	for _, c := range direct {
		onlyCounts(t, c, 300*time.Millisecond, "a direct viewer")
	}
	require.Equal(t, 0.0, s.metric("signaling_sfu_viewers"))

	// The next viewer watches through the media server and gets frames.
	third, _, tier := watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "sfu", tier)
	waitPacket(t, s.answerSFU(third), "the viewer after the capacity was lowered")
	require.Equal(t, 1.0, s.metric("signaling_sfu_viewers"))

	// Raised to 3: the next viewer is direct again (2 direct < 3), the one
	// after it is not (3 direct); the viewer on the media server stays.
	require.Equal(t, 3.0, setCapacity(t, b, id, 3, true))
	_, peer, tier := watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
	require.Equal(t, peer, next(t, b, "viewer_joined").Str("peer_id"))
	_, _, tier = watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "sfu", tier)
	onlyCounts(t, third, 300*time.Millisecond, "the viewer on the media server")
	require.Equal(t, 2.0, s.metric("signaling_sfu_viewers"))
	require.Equal(t, 5.0, s.metric("signaling_viewers"))

	// The daemon's flag bounds what the broadcaster reports.
	require.Equal(t, 4.0, setCapacity(t, b, id, 1000, true))
}

// A lowered capacity with the direct tier past it: the viewers there stay,
// and the next one is the first through the media server, which asks the
// broadcaster to publish.
func TestLoweredDirectCapacitySendsTheNextViewerThroughJanus(t *testing.T) {
	s := newSFUEnv(t, func(c *signaling.Config) { c.SFU.MaxDirectViewers = 4 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.broadcaster(owner, id)
	first, peer, tier := watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
	require.Equal(t, peer, next(t, b, "viewer_joined").Str("peer_id"))
	_, peer, tier = watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
	require.Equal(t, peer, next(t, b, "viewer_joined").Str("peer_id"))

	require.Equal(t, 1.0, setCapacity(t, b, id, 1, true))
	// Nothing needs the media server yet: no viewer is on it.
	onlyCounts(t, b, 300*time.Millisecond, "the broadcaster")
	// Refused reports leave the capacity as it is.
	first.Send(map[string]any{"type": "direct_capacity", "stream_id": id, "direct_capacity": 4})
	expectError(t, first, "wrong_role")
	b.SendRaw(fmt.Appendf(nil, `{"type":"direct_capacity","stream_id":%d,"direct_capacity":1001}`, id))
	expectError(t, b, "bad_message")

	late, _, tier := watchAs(s.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "sfu", tier)
	s.publish(b, s.sender())
	waitPacket(t, s.answerSFU(late), "the viewer past the lowered capacity")
	onlyCounts(t, first, 300*time.Millisecond, "the first direct viewer")
}

// Who may report a capacity, and what it must be; without media servers
// the answer is the per-stream limit and every viewer stays direct.
func TestDirectCapacityRules(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	other := e.liveStream(owner)

	b, _ := e.signedIn(owner)
	b.Send(map[string]any{"type": "direct_capacity", "stream_id": id, "direct_capacity": 2})
	require.Equal(t, "direct_capacity", b.ExpectError("not_in_session").Str("request"))
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.Expect("broadcasting")

	v, _ := e.viewer(fan, owner, id, b)
	v.Send(map[string]any{"type": "direct_capacity", "stream_id": id, "direct_capacity": 2})
	v.ExpectError("wrong_role")
	b.Send(map[string]any{"type": "direct_capacity", "stream_id": other, "direct_capacity": 2})
	b.ExpectError("not_in_session")
	for _, bad := range []string{
		`{"type":"direct_capacity","stream_id":"%d","direct_capacity":-1}`,
		`{"type":"direct_capacity","stream_id":"%d","direct_capacity":1001}`,
		`{"type":"direct_capacity","stream_id":"%d","direct_capacity":"2"}`,
		`{"type":"direct_capacity","stream_id":"%d","direct_capacity":2.5}`,
		`{"type":"direct_capacity","stream_id":"%d","direct_capacity":null}`,
		`{"type":"direct_capacity","stream_id":"%d"}`,
	} {
		b.SendRaw(fmt.Appendf(nil, bad, id))
		m := b.ExpectError("bad_message")
		require.Equal(t, "direct_capacity", m.Str("request"), bad)
	}

	// No media servers: the per-stream limit is in force, whatever is
	// reported, and the next viewer is direct.
	require.Equal(t, float64(e.cfg.MaxViewersPerStream), setCapacity(t, b, id, 0, false))
	_, peer, tier := watchAs(e, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
	require.Equal(t, peer, b.ExpectSkipping("viewer_joined", "viewer_count").Str("peer_id"))
}

// In shared mode the broadcaster may be connected to another instance than
// its stream's home: its report reaches the home, which applies it to the
// viewers who join there, and the answer comes back.
func TestSharedDirectCapacityReachesTheHome(t *testing.T) {
	a, b := sfuCluster(t, 4)
	owner := signalingtest.NewWallet()
	id := a.liveStream(owner)

	// The first viewer's join on a makes a the home.
	_, _, tier := watchAs(a.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
	bc, _ := b.signedIn(owner)
	bc.Send(map[string]any{"type": "broadcast", "stream_id": id})
	require.Equal(t, 4.0, next(t, bc, "broadcasting")["direct_capacity"])
	next(t, bc, "viewer_joined")

	require.Equal(t, 1.0, setCapacity(t, bc, id, 1, true))
	_, _, tier = watchAs(a.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "sfu", tier, "the home applied the capacity reported on b")
	next(t, bc, "sfu_publish")

	// The home's rules answer through b: a viewer connected to b.
	vc, _, tier := watchAs(b.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "sfu", tier)
	vc.Send(map[string]any{"type": "direct_capacity", "stream_id": id, "direct_capacity": 3})
	expectError(t, vc, "wrong_role")
	require.Equal(t, 3.0, setCapacity(t, bc, id, 3, true))
	_, _, tier = watchAs(b.env, signalingtest.NewWallet(), owner, id)
	require.Equal(t, "direct", tier)
}

// sfuCluster is two instances in shared mode with one Janus as their media
// server, maxDirect direct viewers per stream, once both reach it.
func sfuCluster(t *testing.T, maxDirect int) (a, b *instance) {
	t.Helper()
	jt := janus.Start(t, janus.Options{})
	c := newCluster(t, func(cfg *signaling.Config) {
		cfg.SFU.Servers = []string{jt.APIURL()}
		cfg.SFU.APISecret = jt.Config.APISecret
		cfg.SFU.MaxDirectViewers = maxDirect
	})
	a, b = c.twoInstances()
	for _, in := range []*instance{a, b} {
		(&sfuEnv{env: in.env}).waitSFU(1)
	}
	return a, b
}
