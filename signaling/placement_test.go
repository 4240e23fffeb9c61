package signaling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	ijanus "github.com/streamchain/streamchain/signaling/internal/janus"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// In shared mode the signalingd instances share their media servers'
// placements through Redis: each places a new publication on the media
// server least loaded over the whole deployment, each can read where
// another's streams are, and a survivor removes from Janus the rooms of an
// instance that died.

// sharedSFUCluster is two instances sharing Redis and the media servers,
// which a lists in the order given and b in the order of bServers.
func sharedSFUCluster(t *testing.T, servers, bServers []*janus.Server) (*instance, *instance) {
	t.Helper()
	urls := func(servers []*janus.Server) []string {
		var out []string
		for _, jt := range servers {
			out = append(out, jt.APIURL())
		}
		return out
	}
	c := newCluster(t, func(cfg *signaling.Config) {
		cfg.SFU.Servers = urls(servers)
		cfg.SFU.APISecret = servers[0].Config.APISecret
		cfg.SFU.MaxDirectViewers = 1
	})
	a := c.start("a")
	c.cfg.SFU.Servers = urls(bServers)
	a, b := c.pair(a, c.start("b"))
	for _, in := range []*instance{a, b} {
		(&sfuEnv{env: in.env}).waitSFU(float64(len(servers)))
	}
	return a, b
}

// publishLarge broadcasts stream id as owner through the server at url,
// from a page of origin, with "large audience" and publishes to the media
// server.
func publishLarge(t *testing.T, url, origin string, owner *signalingtest.Wallet, id uint64) {
	t.Helper()
	s := &sfuEnv{env: &env{t: t}, api: janus.LocalAPI(janus.PassiveAnswerer)}
	c := signalingtest.Dial(t, url, origin)
	c.SignIn(owner)
	c.Send(map[string]any{"type": "broadcast", "stream_id": id, "direct_capacity": 0})
	next(t, c, "broadcasting")
	s.publish(c, s.sender())
}

// placement is a stream's placement as the instance whose internal
// listener is at internalURL reads it; ok false on 404.
func placement(t *testing.T, internalURL string, id uint64) (signaling.SFUPlacement, bool) {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/sfu/streams/%d", internalURL, id))
	require.NoError(t, err)
	defer resp.Body.Close()
	var p signaling.SFUPlacement
	if resp.StatusCode == http.StatusNotFound {
		return p, false
	}
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	return p, true
}

// placementOf is stream id's placement as the instance at internalURL
// reads it, once there is one: an instance records its placements in Redis
// just after it answers the broadcaster, so another one may read a moment
// later.
func placementOf(t *testing.T, internalURL string, id uint64) signaling.SFUPlacement {
	t.Helper()
	var p signaling.SFUPlacement
	waitFor(t, fmt.Sprintf("a placement of stream %d", id), func() bool {
		var ok bool
		p, ok = placement(t, internalURL, id)
		return ok
	})
	return p
}

// roomOn asks Janus itself whether it holds room.
func roomOn(t *testing.T, jt *janus.Server, room uint64) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := ijanus.Dial(ctx, jt.APIURL(), jt.Config.APISecret)
	require.NoError(t, err)
	defer cl.Close()
	s, err := cl.CreateSession(ctx, 0)
	require.NoError(t, err)
	h, err := s.AttachVideoRoom(ctx)
	require.NoError(t, err)
	ok, err := h.RoomExists(ctx, room)
	require.NoError(t, err)
	return ok
}

// deploymentRooms is the rooms the instance's internal health counts on
// the named media server over the deployment, and its own there.
func deploymentRooms(t *testing.T, in *instance, server string) (deployment, own float64) {
	t.Helper()
	st := (&sfuEnv{env: in.env}).sfuServers()[server]
	require.NotNil(t, st, "no media server %q in health", server)
	return st["deployment"].(map[string]any)["rooms"].(float64), st["rooms"].(float64)
}

// Two instances, two media servers: a stream homed on a is published on
// janus1 (both empty: configuration order); a stream homed on b is
// published on janus2, because b counts a's room on janus1. Janus itself
// says where each room is; each instance reads the other's placement.
func TestSharedPlacementWeighsEveryInstance(t *testing.T) {
	secret := janus.NewSecret()
	j1 := janus.Start(t, janus.Options{Name: "janus-1", APISecret: secret})
	j2 := janus.Start(t, janus.Options{Name: "janus-2", APISecret: secret})
	a, b := sharedSFUCluster(t, []*janus.Server{j1, j2}, []*janus.Server{j1, j2})

	ownerA, ownerB := signalingtest.NewWallet(), signalingtest.NewWallet()
	idA, idB := a.liveStream(ownerA), a.liveStream(ownerB)
	publishLarge(t, a.hs.URL, appOrigin, ownerA, idA)
	pa := placementOf(t, b.internalURL(), idA)
	require.Equal(t, "a", pa.Home)
	require.Equal(t, []string{"janus1", j1.APIURL()}, []string{pa.Server, pa.URL})
	require.True(t, roomOn(t, j1, pa.Room), "janus1 does not hold a's room")
	require.False(t, roomOn(t, j2, pa.Room))

	// b learns a's load (its next refresh); only then is the choice b's
	// to make with it.
	waitFor(t, "b to count a's room on janus1", func() bool {
		d, _ := deploymentRooms(t, b, "janus1")
		return d == 1
	})
	d, own := deploymentRooms(t, b, "janus1")
	require.Equal(t, []float64{1, 0}, []float64{d, own}, "b's health: janus1's rooms over the deployment, and b's own")
	waitFor(t, "b's metrics to count a's room on janus1", func() bool {
		return b.metric("signaling_sfu_server_rooms", "server", "janus1") == 1
	})

	publishLarge(t, b.hs.URL, appOrigin, ownerB, idB)
	pb := placementOf(t, a.internalURL(), idB)
	require.Equal(t, "b", pb.Home)
	require.Equal(t, []string{"janus2", j2.APIURL()}, []string{pb.Server, pb.URL}, "b placed its stream on the media server a already uses")
	require.True(t, roomOn(t, j2, pb.Room), "janus2 does not hold b's room")
	require.False(t, roomOn(t, j1, pb.Room))
}

// The instances name a media server by its URL, not by its place in their
// lists: b lists the two the other way round (its janus1 is a's janus2).
// Once b has placed two streams on j2, a places its second on j1: j2 holds
// two rooms over the deployment. Had b's load been read by name, a would
// count it on j1 (and without b's load, j2 would be a's emptier one).
func TestSharedPlacementNamesMediaServersByURL(t *testing.T) {
	secret := janus.NewSecret()
	j1 := janus.Start(t, janus.Options{Name: "janus-1", APISecret: secret})
	j2 := janus.Start(t, janus.Options{Name: "janus-2", APISecret: secret})
	a, b := sharedSFUCluster(t, []*janus.Server{j1, j2}, []*janus.Server{j2, j1})
	on := func(reader *instance, id uint64, jt *janus.Server) {
		t.Helper()
		p := placementOf(t, reader.internalURL(), id)
		require.Equal(t, jt.APIURL(), p.URL, "stream %d", id)
		require.True(t, roomOn(t, jt, p.Room), "Janus does not hold stream %d's room", id)
	}
	roomsOn := func(in *instance, name string, want float64) {
		t.Helper()
		waitFor(t, fmt.Sprintf("%s to count %v rooms on its %s", in.id, want, name), func() bool {
			d, _ := deploymentRooms(t, in, name)
			return d == want
		})
	}

	publish := func(in *instance) uint64 {
		owner := signalingtest.NewWallet()
		id := in.liveStream(owner)
		publishLarge(t, in.hs.URL, appOrigin, owner, id)
		return id
	}
	on(b, publish(a), j1)
	roomsOn(b, "janus2", 1) // b's janus2 is j1
	on(a, publish(b), j2)
	on(a, publish(b), j2) // j1 and j2 each hold one room: b's own order decides
	roomsOn(a, "janus2", 2)
	on(b, publish(a), j1)
}

// An instance killed without a drain (SIGKILL: its liveness key lapses,
// its Janus session is abandoned) leaves its room on Janus; the survivor
// removes it. So it does when the instance is restarted under the same id
// at once, before anyone saw it gone. The times from the kill to the
// room's removal, as Janus reports it, are logged.
func TestSharedDeadInstancesRoomsAreRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("runs signalingd processes, a redis-server and Janus")
	}
	jt := janus.Start(t, janus.Options{})
	c := newCluster(t, func(cfg *signaling.Config) {
		cfg.SFU.Servers = []string{jt.APIURL()}
		cfg.SFU.APISecret = jt.Config.APISecret
	})
	secretFile := filepath.Join(t.TempDir(), "janus-secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(jt.Config.APISecret), 0o600))
	bin := signalingtest.BuildSignalingd(t)
	startA := func(ttl, refresh string) *signalingtest.Process {
		return signalingtest.StartSignalingd(t, bin, c.chain.Addr(),
			"-redis", c.redis.URL(), "-instance-id", "a", "-instance-ttl", ttl, "-instance-refresh", refresh,
			"-sfu", jt.APIURL(), "-sfu-secret-file", secretFile)
	}
	b := c.start("b")
	// publishOnA publishes a new stream through a, as b reads it.
	publishOnA := func(a *signalingtest.Process) signaling.SFUPlacement {
		owner := signalingtest.NewWallet()
		id := b.liveStream(owner)
		publishLarge(t, a.URL(), a.URL(), owner, id)
		p := placementOf(t, b.internalURL(), id)
		require.Equal(t, "a", p.Home)
		require.True(t, roomOn(t, jt, p.Room), "Janus does not hold a's room")
		return p
	}
	// removed waits until Janus no longer holds room and says how long
	// after since that was.
	removed := func(room uint64, since time.Time) time.Duration {
		deadline := since.Add(30 * time.Second)
		for roomOn(t, jt, room) {
			if time.Now().After(deadline) {
				t.Fatalf("a's room is still on Janus 30 s after a was killed")
			}
			time.Sleep(50 * time.Millisecond)
		}
		return time.Since(since).Round(time.Millisecond)
	}

	a := startA("1s", "250ms")
	waitFor(t, "b to see a", func() bool { return len(b.instances(t)) == 2 })
	p := publishOnA(a)
	killed := time.Now()
	a.Kill()
	t.Logf("instance SIGKILLed → its room removed from Janus by the survivor: %v (instance TTL 1 s)", removed(p.Room, killed))
	waitFor(t, "b to count the room it removed", func() bool { return b.metric("signaling_sfu_rooms_reclaimed_total") == 1 })
	n, err := c.redis.Client(t).Exists(context.Background(), "signaling:placements:a").Result()
	require.NoError(t, err)
	require.Zero(t, n, "a's placements are still recorded after its rooms were removed")

	// With a TTL far longer than a restart, a is never seen gone.
	a = startA("5s", "1s")
	p = publishOnA(a)
	killed = time.Now()
	a.Kill()
	a = startA("5s", "1s")
	restarted := time.Since(killed)
	t.Logf("instance SIGKILLed and restarted under its id (in %v) → its previous room removed from Janus: %v (instance TTL 5 s)",
		restarted.Round(time.Millisecond), removed(p.Room, killed))
}

// An instance alone reads its own placements: where a stream is published,
// without the room's secret; none once the broadcast ends. A malformed or
// unknown stream id is refused.
func TestPlacementOfAStreamAlone(t *testing.T) {
	s := newSFUEnv(t)
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b := s.largeAudience(owner, id)
	s.publish(b, s.sender())

	p, ok := placement(t, s.internalURL(), id)
	require.True(t, ok)
	require.Equal(t, signaling.SFUPlacement{StreamID: id, Server: "janus1", URL: s.jt.APIURL(), Room: p.Room, Cascades: []signaling.SFUCascade{}}, p)
	require.True(t, roomOn(t, s.jt, p.Room), "Janus does not hold the room the placement names")
	resp, raw := get(t, fmt.Sprintf("%s/sfu/streams/%d", s.internalURL(), id))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, raw, "secret")

	_, ok = placement(t, s.internalURL(), id+1)
	require.False(t, ok, "a stream never published has a placement")
	resp, _ = get(t, s.internalURL()+"/sfu/streams/x")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	b.Close()
	waitFor(t, "the room to go with the broadcast", func() bool { return !roomOn(t, s.jt, p.Room) })
	_, ok = placement(t, s.internalURL(), id)
	require.False(t, ok, "the placement outlived its room")
}

// The placements a gone instance left are handed out once, to one of the
// instances asking, a bounded number per pass; a live instance's are not.
func TestSharedAbandonedPlacementsAreHandedOutOnce(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	rdb := c.redis.Client(t)
	ctx := context.Background()
	const n, perPass = 40, 16
	fields := map[string]any{}
	for i := range n {
		p := sfu.Placement{Stream: uint64(1000 + i), Home: "gone", Backend: "janus1", Room: uint64(i + 1), Secret: "s"}
		v, err := json.Marshal(p)
		require.NoError(t, err)
		fields[fmt.Sprint(p.Stream)] = v
	}
	require.NoError(t, rdb.HSet(ctx, "signaling:placements:gone", fields).Err())
	require.NoError(t, rdb.SAdd(ctx, "signaling:placements", "gone").Err())
	la, lb := signaling.PlacementsForTest(a.srv), signaling.PlacementsForTest(b.srv)
	live := sfu.Placement{Stream: 7, Backend: "janus1", Room: 99, Secret: "s"}
	la.Place(live)
	waitFor(t, "a's own placement to be written", func() bool {
		return rdb.HExists(ctx, "signaling:placements:a", "7").Val()
	})

	seen := map[uint64]int{}
	type pass struct {
		got []sfu.Placement
		err error
	}
	deadline := time.Now().Add(4 * signalingtest.Timeout)
	for len(seen) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d placements handed out", len(seen), n)
		}
		passes := make(chan pass, 2)
		for _, l := range []sfu.Ledger{la, lb} {
			go func() {
				got, err := l.Abandoned(ctx, perPass)
				passes <- pass{got, err}
			}()
		}
		for range 2 {
			p := <-passes
			require.NoError(t, p.err)
			require.LessOrEqual(t, len(p.got), perPass, "one pass took more than it may")
			for _, pl := range p.got {
				require.Equal(t, "gone", pl.Home, "a live instance's placement was handed out")
				seen[pl.Stream]++
			}
		}
		time.Sleep(20 * time.Millisecond) // until both see the deployment stable
	}
	for stream, k := range seen {
		require.Equal(t, 1, k, "stream %d handed out %d times", stream, k)
	}
	require.Len(t, seen, n)
	require.Zero(t, rdb.Exists(ctx, "signaling:placements:gone").Val())
	require.False(t, rdb.SIsMember(ctx, "signaling:placements", "gone").Val(), "the gone instance is still listed")
	require.True(t, rdb.SIsMember(ctx, "signaling:placements", "a").Val())
}
