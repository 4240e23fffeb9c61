package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
	jt "github.com/streamchain/streamchain/testutil/janus"
)

// fakeLedger is a deployment whose other instances placed elsewhere.
type fakeLedger struct {
	*MemoryLedger
	elsewhere map[string]Load
}

func (f *fakeLedger) Elsewhere() map[string]Load { return f.elsewhere }

// connectedTier is a tier of the named instances, taken as connected
// without a Janus behind them: enough for choosing among them.
func connectedTier(t *testing.T, ledger Ledger, names ...string) *Tier {
	t.Helper()
	cfg := Config{Ledger: ledger, SubscribersPerBackend: 2}
	for _, n := range names {
		cfg.Backends = append(cfg.Backends, BackendConfig{Name: n, URL: urlOf(n)})
	}
	tier, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range tier.backends {
		b.gen = &generation{lost: make(chan struct{})}
	}
	return tier
}

// urlOf is the API URL of the media server connectedTier calls name.
func urlOf(name string) string { return "ws://" + name + ".invalid:8188" }

// A publication goes where the deployment has placed least, not where
// this instance has: another instance's room on janus1 sends it to janus2.
func TestPickWeighsOtherInstancesPlacements(t *testing.T) {
	ledger := &fakeLedger{MemoryLedger: NewMemoryLedger()}
	tier := connectedTier(t, ledger, "janus1", "janus2")
	if b, _, err := tier.pick(func(*backend) bool { return true }); err != nil || b.cfg.Name != "janus1" {
		t.Fatalf("empty deployment: picked %v (%v), want janus1 (configuration order)", b, err)
	}
	ledger.elsewhere = map[string]Load{urlOf("janus1"): {Rooms: 1}}
	b, _, err := tier.pick(func(*backend) bool { return true })
	if err != nil || b.cfg.Name != "janus2" {
		t.Fatalf("janus1 holds another instance's room: picked %v (%v), want janus2", b, err)
	}
	// This instance's own room on janus2 evens them; subscribers decide.
	tier.backends[1].add(tier.backends[1].gen, 1, 3)
	ledger.elsewhere = map[string]Load{urlOf("janus1"): {Rooms: 1, Subscribers: 4}}
	if b, _, _ := tier.pick(func(*backend) bool { return true }); b.cfg.Name != "janus2" {
		t.Fatalf("janus1 4 subscribers, janus2 3: picked %s", b.cfg.Name)
	}
	st := tier.Status()
	if st[0].Deployment != (Load{Rooms: 1, Subscribers: 4}) || st[1].Deployment != (Load{Rooms: 1, Subscribers: 3}) {
		t.Fatalf("deployment load in status: %+v", st)
	}
	if st[0].Rooms != 0 || st[1].Rooms != 1 {
		t.Fatalf("this instance's own counts in status: %+v", st)
	}
}

func TestLeastLoadedAmongHomeAndCascades(t *testing.T) {
	for _, tc := range []struct {
		name   string
		places []place
		limit  int
		want   int
	}{
		{"home alone with room", []place{{streamSubs: 1, load: Load{Subscribers: 9}}}, 2, 0},
		{"home alone full", []place{{streamSubs: 2}}, 2, -1},
		{"no limit", []place{{streamSubs: 1000}}, 0, 0},
		{"cascade less loaded over the deployment", []place{
			{streamSubs: 0, load: Load{Subscribers: 10}}, {streamSubs: 1, load: Load{Subscribers: 3}}}, 5, 1},
		{"the less loaded is full for this stream", []place{
			{streamSubs: 1, load: Load{Subscribers: 10}}, {streamSubs: 5, load: Load{Subscribers: 5}}}, 5, 0},
		{"subscribers tie: fewer rooms", []place{
			{load: Load{Rooms: 3, Subscribers: 4}}, {load: Load{Rooms: 2, Subscribers: 4}}, {load: Load{Rooms: 2, Subscribers: 4}}}, 5, 1},
		{"all full: cascade", []place{{streamSubs: 5}, {streamSubs: 5}}, 5, -1},
	} {
		if got := leastLoaded(tc.places, tc.limit); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}

// A new subscriber goes to the least loaded instance carrying the stream,
// counting other instances' subscribers; the ledger follows every change
// and forgets the stream when it ends.
func TestSubscriberPlacementFollowsDeploymentLoad(t *testing.T) {
	ledger := &fakeLedger{MemoryLedger: NewMemoryLedger()}
	tier := connectedTier(t, ledger, "janus1", "janus2")
	home, far := tier.backends[0], tier.backends[1]
	p := &Publication{t: tier, stream: 7, home: home, gen: home.gen, subs: map[*Subscription]struct{}{}, done: make(chan struct{})}
	p.cascades = []*cascade{{b: far, gen: far.gen}}
	ledger.elsewhere = map[string]Load{urlOf("janus1"): {Subscribers: 50}}

	p.mu.Lock()
	b, _, c, ok := p.takeLocked()
	p.mu.Unlock()
	if !ok || b != far || c == nil {
		t.Fatalf("janus1 carries 50 of another instance's subscribers: placed on %v", b)
	}
	ledger.elsewhere = nil
	p.mu.Lock()
	b, _, c, _ = p.takeLocked()
	p.mu.Unlock()
	if b != home || c != nil {
		t.Fatalf("janus2 now holds one, janus1 none: placed on %s", b.cfg.Name)
	}
	got, ok, _ := ledger.Lookup(context.Background(), 7)
	want := Placement{Stream: 7, Backend: urlOf("janus1"), Subscribers: 1, Cascades: []CascadePlacement{{Backend: urlOf("janus2"), Subscribers: 1}}}
	if !ok || got.Backend != want.Backend || got.Subscribers != 1 || len(got.Cascades) != 1 || got.Cascades[0] != want.Cascades[0] {
		t.Fatalf("ledger: %+v (%v), want %+v", got, ok, want)
	}
	// Both full (limit 2): the next one needs a new cascade.
	p.mu.Lock()
	p.takeLocked()
	p.takeLocked()
	_, _, _, ok = p.takeLocked()
	if ok {
		t.Fatal("a place was taken past the per-instance limit")
	}
	p.cascades = nil // no Janus behind it to remove a cascade from
	p.mu.Unlock()
	p.end(ErrClosed, false)
	if _, ok, _ := ledger.Lookup(context.Background(), 7); ok {
		t.Fatal("an ended publication is still in the ledger")
	}
}

// roomOn asks Janus srv itself whether it holds room.
func roomOn(t *testing.T, srv *jt.Server, room uint64) bool {
	t.Helper()
	ctx := testContext(t)
	cl, err := janus.Dial(ctx, srv.APIURL(), srv.Config.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	s, err := cl.CreateSession(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := h.RoomExists(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// With real Janus instances: the publication goes to the instance the
// rest of the deployment loaded least, and a new viewer to the least
// loaded instance carrying the stream with room for it, which the other
// instances' subscribers decide when this instance's own counts tie.
func TestDeploymentLoadPlacesPublicationAndViewers(t *testing.T) {
	ns := jt.NewNetNS(t)
	a := jt.Start(t, jt.Options{NS: ns, Name: "janus-a"})
	b := jt.Start(t, jt.Options{NS: ns, Name: "janus-b"})
	ledger := &fakeLedger{MemoryLedger: NewMemoryLedger(), elsewhere: map[string]Load{a.APIURL(): {Rooms: 3}}}
	tier := startTier(t, Config{
		Backends:              []BackendConfig{backendOf("a", a, ns.NSIP), backendOf("b", b, ns.NSIP)},
		SubscribersPerBackend: 2,
		Ledger:                ledger,
	}, 2)
	api := jt.LocalAPI()
	p, _ := publish(t, tier, api)
	if p.Backend() != "b" || !roomOn(t, b, p.room.ID) || roomOn(t, a, p.room.ID) {
		t.Fatalf("publication on %s; want b, as Janus b says", p.Backend())
	}

	ledger.elsewhere = nil
	s1, _ := subscribe(t, p, api)
	subscribe(t, p, api)
	s3, _ := subscribe(t, p, api)
	if s1.Cascaded() || !s3.Cascaded() || s3.Backend() != "a" {
		t.Fatalf("the home takes two, the third goes to a cascade on a: got %s, %s", s1.Backend(), s3.Backend())
	}
	s1.Close()
	// One of the stream's viewers on each now; the other instances
	// hold ten subscribers on b.
	ledger.elsewhere = map[string]Load{b.APIURL(): {Subscribers: 10}}
	s4, r4 := subscribe(t, p, api)
	if s4.Backend() != "a" {
		t.Fatalf("the fourth viewer went to %s; a carries the stream and is less loaded over the deployment", s4.Backend())
	}
	waitPackets(t, r4, 30, 20*time.Second)
	got, ok, _ := ledger.Lookup(testContext(t), p.stream)
	if !ok || got.Backend != b.APIURL() || got.Subscribers != 1 || len(got.Cascades) != 1 || got.Cascades[0].Backend != a.APIURL() || got.Cascades[0].Subscribers != 2 {
		t.Fatalf("recorded placement %+v", got)
	}
	if !roomOn(t, a, got.Cascades[0].Room) {
		t.Fatal("Janus a does not hold the recorded cascade room")
	}
}
