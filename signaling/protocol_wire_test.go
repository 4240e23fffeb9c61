package signaling_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// PROTOCOL.md §2: stream_id is a decimal string or a JSON number with an
// integer value in any spelling; 1.5 and a string in another spelling are
// bad_message, naming the request.
func TestStreamIDSpellingsOnTheWire(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	e.chain.Subscribe(fan.Address, owner.Address)
	v, _ := e.signedIn(fan)
	for _, spelling := range []string{fmt.Sprintf(`"%d"`, id), fmt.Sprint(id), fmt.Sprintf("%d.0", id), fmt.Sprintf("%de0", id), fmt.Sprintf("%d0e-1", id)} {
		v.SendRaw(fmt.Appendf(nil, `{"type":"watch","stream_id":%s}`, spelling))
		require.Equal(t, fmt.Sprint(id), v.Expect("watching").Str("stream_id"), spelling)
		v.Expect("viewer_count")
		v.SendRaw([]byte(`{"type":"leave"}`))
		v.Expect("left")
	}
	for _, spelling := range []string{fmt.Sprintf("%d.5", id), fmt.Sprintf(`"%de0"`, id), "-1", "18446744073709551616"} {
		v.SendRaw(fmt.Appendf(nil, `{"type":"watch","stream_id":%s}`, spelling))
		require.Equal(t, "watch", v.ExpectError("bad_message").Str("request"), spelling)
	}
}

// PROTOCOL.md §4.2: a server with no ICE servers configured sends an empty
// list, never null.
func TestUnconfiguredICEServersAreAnEmptyList(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.ICEServers = nil })
	owner := signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	require.Equal(t, "[]", b.Expect("broadcasting").Raw("ice_servers"))
	fan := signalingtest.NewWallet()
	e.chain.Subscribe(fan.Address, owner.Address)
	v, _ := e.signedIn(fan)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "[]", v.Expect("watching").Raw("ice_servers"))
}

// PROTOCOL.md §4.2: after stream_ended broadcaster_left a viewer is in no
// session; a returning broadcaster does not reach it until it watches again.
func TestViewerMustWatchAgainAfterTheBroadcasterLeft(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)
	b.Send(map[string]any{"type": "leave"})
	b.Expect("left")
	require.Equal(t, "broadcaster_left", v.Expect("stream_ended").Str("reason"))

	b2, b2peer := e.broadcaster(owner, id)
	v.Send(map[string]any{"type": "candidate", "to": b2peer, "candidate": map[string]any{"candidate": "c"}})
	require.Equal(t, "candidate", v.ExpectError("not_in_session").Str("request"))
	if m, ok := b2.Poll(); ok {
		t.Fatalf("the returning broadcaster was told about a viewer that did not watch again: %v", m)
	}
}

// PROTOCOL.md §3.1 and §9: the challenge lives 1 minute, the connection's
// sign-in deadline is 2 minutes, so auth_expired leaves time to ask again.
func TestChallengeExpiresBeforeTheSignInDeadline(t *testing.T) {
	cfg := signaling.DefaultConfig()
	require.Equal(t, time.Minute, cfg.ChallengeTTL)
	require.Equal(t, 2*time.Minute, cfg.AuthTimeout)
	cfg.ChallengeTTL = cfg.AuthTimeout
	require.Error(t, cfg.Validate(), "a challenge that lives as long as the sign-in deadline is refused")
}

// PROTOCOL.md §4.2: a broadcaster that connects to waiting viewers gets
// one viewer_joined each, in the order their connections were opened
// (whatever order they sent watch in).
func TestWaitingViewersAreAnnouncedInConnectionOrder(t *testing.T) {
	e := newEnv(t)
	owner, first, second := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	e.chain.Subscribe(first.Address, owner.Address)
	e.chain.Subscribe(second.Address, owner.Address)
	early, earlyPeer := e.signedIn(first)
	late, latePeer := e.signedIn(second)
	for _, v := range []*signalingtest.Client{late, early} { // the later connection watches first
		v.Send(map[string]any{"type": "watch", "stream_id": id})
		v.Expect("watching")
	}
	b, _ := e.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.Expect("broadcasting")
	require.Equal(t, earlyPeer, b.Expect("viewer_joined").Str("peer_id"))
	require.Equal(t, latePeer, b.Expect("viewer_joined").Str("peer_id"))
}
