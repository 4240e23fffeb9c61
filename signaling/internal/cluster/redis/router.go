// Package redis is the Router of several instances behind one load
// balancer, sharing their sessions through Redis. Each stream's session
// lives in the hub of one instance, its home, recorded in Redis with a lease; a connection on another
// instance joins it as a remote peer, its messages and events carried by
// Redis pub/sub (bus.go, route.go). Nonces, resume tokens, home leases and
// the per-account viewer count are Redis keys, changed by Lua scripts where
// a decision spans keys (state.go, stores.go). Each instance keeps a
// liveness key; when one is gone the others end the sessions that involved it with reason instance_lost.
// The media server tier's placements are shared too (placements.go): each
// instance weighs the whole deployment's load on every Janus instance, and
// a survivor removes the rooms a gone instance left.
//
// Nothing here runs under the hub's lock: the hub calls in only to queue
// work (RoomGone, GiveSeat) or before it takes its lock (Place, Relay).
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/streamchain/streamchain/signaling/internal/cluster"
	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/live"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Config joins an instance to the others sharing one Redis.
type Config struct {
	// Redis is the client of the shared Redis; the Router does not close it.
	Redis *goredis.Client
	// InstanceID names this instance; empty picks a random one.
	InstanceID string
	// AdvertiseURL is this instance's public base URL
	// (http://127.0.0.1:8090); its WebSocket is <url>/ws. Other instances
	// list it in /instances.json and in draining events.
	AdvertiseURL string
	// InstanceTTL is how long this instance counts as alive after its last
	// refresh (default 3 s); RefreshInterval how often it refreshes its key
	// and its home leases and looks at the others (default 1 s).
	InstanceTTL     time.Duration
	RefreshInterval time.Duration
	// OpTimeout bounds one Redis call (default 1 s).
	OpTimeout time.Duration
	// JoinTimeout bounds a join forwarded to another instance (default 5 s).
	JoinTimeout time.Duration
}

func (c *Config) defaults() error {
	if c.Redis == nil {
		return errors.New("signaling: shared mode needs a Redis client")
	}
	if c.InstanceID == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		c.InstanceID = hex.EncodeToString(b[:])
	}
	if strings.ContainsAny(c.InstanceID, "/: ") || len(c.InstanceID) > 64 {
		return fmt.Errorf("signaling: instance id %q: at most 64 characters, no '/', ':' or space", c.InstanceID)
	}
	if c.AdvertiseURL != "" {
		u, err := url.Parse(c.AdvertiseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("signaling: advertise url %q: want http(s)://host[:port]", c.AdvertiseURL)
		}
		c.AdvertiseURL = strings.TrimSuffix(c.AdvertiseURL, "/")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.InstanceTTL, 3*time.Second)
	def(&c.RefreshInterval, time.Second)
	def(&c.OpTimeout, time.Second)
	def(&c.JoinTimeout, 5*time.Second)
	if c.RefreshInterval >= c.InstanceTTL {
		return fmt.Errorf("signaling: instance refresh %s must be shorter than its TTL %s", c.RefreshInterval, c.InstanceTTL)
	}
	return nil
}

// sharedMetrics are the shared mode's own metrics.
type sharedMetrics struct {
	redisUp       prometheus.Gauge
	remotePeers   prometheus.Gauge
	publishErrors prometheus.Counter
	dropped       prometheus.Counter
}

func newSharedMetrics(reg prometheus.Registerer) *sharedMetrics {
	m := &sharedMetrics{
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "signaling", Name: "redis_up",
			Help: "1 when the shared Redis answered the last call, else 0 (shared mode)."}),
		remotePeers: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "signaling", Name: "remote_peers",
			Help: "Peers of this instance's sessions whose connection is on another instance."}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "signaling", Name: "redis_publish_errors_total",
			Help: "Messages to other instances that could not be published."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "signaling", Name: "redis_messages_dropped_total",
			Help: "Messages to other instances dropped because the queue toward that instance was full."}),
	}
	reg.MustRegister(m.redisUp, m.remotePeers, m.publishErrors, m.dropped)
	return m
}

var _ cluster.Router = (*Router)(nil)

// Router is the Router of one instance in a deployment sharing Redis.
type Router struct {
	cfg  Config
	rdb  *goredis.Client
	id   string
	hub  *hub.Hub // set by Start
	live *live.Status
	log  *slog.Logger
	m    *sharedMetrics

	ctx    context.Context
	cancel context.CancelFunc
	loops  sync.WaitGroup
	jobs   chan func(context.Context) // best-effort Redis writes, off the hub's lock

	up atomic.Bool
	// stable: Redis has answered for a full TTL since it last failed, so
	// an instance whose key is missing is gone (set by the liveness loop).
	stable atomic.Bool
	// placed is the media server tier's shared ledger (placements.go).
	placed *placements
	// stableSince is when Redis last came back (or first answered): other
	// instances are declared dead only after a full TTL of answers, so a
	// Redis restart (which forgets every key) is not read as every
	// instance dying.
	stableSince time.Time // only the liveness loop touches it
	// lastRefresh is this instance's last successful refresh (liveness
	// loop only): a gap longer than the TTL means the others have taken
	// this instance for gone.
	lastRefresh time.Time

	mu       sync.Mutex
	url      string                       // this instance's advertised URL
	alive    map[string]protocol.Instance // the other live instances, by id
	pubs     map[string]*publisher
	bindings map[uint64]*binding // origin side: this instance's connections in sessions elsewhere
	proxies  map[proxyKey]*proxy // home side: remote connections in this instance's sessions
	homes    map[uint64]string   // origin side: the home last seen of other instances' streams
	// origins are the origins of every instance seen alive since start: a
	// page served by an instance that has since died must still reach the
	// survivors (that is when it needs them). Bounded by maxKnownOrigins.
	origins map[string]struct{}
	stopped bool
	// urlLearned wakes the liveness loop when the advertised URL becomes
	// known, so the other instances learn it now rather than a refresh later
	// (until then they list this instance without a URL a client can use).
	urlLearned chan struct{}
}

// maxKnownOrigins bounds the remembered origins; a deployment has a handful
// of instances, and the origins come from the operator's private Redis.
const maxKnownOrigins = 1024

// New checks cfg and fills in its defaults, registers the shared mode's
// metrics on reg, and returns a Router that shares view, the live view, with
// the other instances. Start it with the hub it routes for.
func New(cfg Config, log *slog.Logger, reg prometheus.Registerer, view *live.Status) (*Router, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	sh := &Router{
		cfg: cfg, rdb: cfg.Redis, id: cfg.InstanceID, live: view,
		log: log.With("instance", cfg.InstanceID), m: newSharedMetrics(reg),
		ctx: ctx, cancel: cancel, jobs: make(chan func(context.Context), 4096),
		url: cfg.AdvertiseURL, alive: make(map[string]protocol.Instance), pubs: make(map[string]*publisher),
		bindings: make(map[uint64]*binding), proxies: make(map[proxyKey]*proxy), homes: make(map[uint64]string),
		origins: make(map[string]struct{}), urlLearned: make(chan struct{}, 1),
	}
	sh.placed = newPlacements(sh)
	return sh, nil
}

// Start routes for h: it subscribes to this instance's channel and starts
// the loops. A Redis that does not answer yet is not fatal: the instance
// serves what it can and the loops keep trying.
func (sh *Router) Start(h *hub.Hub) {
	sh.hub = h
	ps := sh.rdb.Subscribe(sh.ctx, instanceChannel(sh.id))
	ctx, cancel := sh.opCtx()
	if _, err := ps.Receive(ctx); err != nil {
		sh.log.Warn("redis not reachable at start; shared state unavailable until it is", "err", err)
	}
	cancel()
	sh.loops.Add(4)
	go sh.receive(ps)
	go sh.liveness()
	go sh.runJobs()
	go sh.placed.run()
}

func (sh *Router) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(sh.ctx, sh.cfg.OpTimeout)
}

// setURL fills in the advertised URL once it is known (derived from the
// listener when none is configured).
func (sh *Router) setURL(u string) {
	sh.mu.Lock()
	learned := sh.url == "" && u != ""
	if learned {
		sh.url = strings.TrimSuffix(u, "/")
	}
	sh.mu.Unlock()
	if learned {
		select {
		case sh.urlLearned <- struct{}{}:
		default:
		}
	}
}

func (sh *Router) self() protocol.Instance {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return protocol.Instance{ID: sh.id, URL: sh.url}
}

// ReachedAt learns this instance's URL from a request when none is
// configured.
func (sh *Router) ReachedAt(r *http.Request) { sh.setURL(cluster.RequestOrigin(r)) }

// Instances is this instance first, then the other live ones by id.
func (sh *Router) Instances(r *http.Request) []protocol.Instance {
	sh.setURL(cluster.RequestOrigin(r))
	out := []protocol.Instance{sh.self()}
	return append(out, sh.Others()...)
}

// Others are the other live instances, by id.
func (sh *Router) Others() []protocol.Instance {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	out := make([]protocol.Instance, 0, len(sh.alive))
	for _, in := range sh.alive {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b protocol.Instance) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// KnownOrigin says whether o is the origin of this instance's advertised
// URL or of another instance seen alive since start: a page one instance
// served may connect to another, also after the one that served it died.
func (sh *Router) KnownOrigin(o string) bool {
	o = strings.ToLower(o)
	if self := sh.self(); self.URL != "" && cluster.OriginOf(self.URL) == o {
		return true
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.origins[o]
	return ok
}

// reachable records the outcome of a Redis call.
func (sh *Router) reachable(err error) {
	up := err == nil || errors.Is(err, goredis.Nil)
	if sh.up.Swap(up) != up {
		if up {
			sh.log.Info("redis reachable again")
		} else {
			sh.log.Warn("redis unreachable: new joins fail with shared_state_unavailable", "err", err)
		}
	}
	if up {
		sh.m.redisUp.Set(1)
	} else {
		sh.m.redisUp.Set(0)
	}
}

// Health says whether Redis answered the last call.
func (sh *Router) Health() string {
	if sh.up.Load() {
		return "reachable"
	}
	return "unreachable"
}

// async queues a best-effort Redis write (a release, a forget) so the caller
// never waits on Redis; if the queue is full the write is dropped and the
// key's TTL (or the pruning of dead instances' entries) cleans up.
func (sh *Router) async(f func(ctx context.Context)) {
	select {
	case sh.jobs <- f:
	default:
		sh.log.Warn("shared-state job queue full; a release is left to its TTL")
	}
}

func (sh *Router) runJobs() {
	defer sh.loops.Done()
	for {
		select {
		case <-sh.ctx.Done():
			return
		case f := <-sh.jobs:
			ctx, cancel := sh.opCtx()
			f(ctx)
			cancel()
		}
	}
}

// liveness refreshes this instance's key and home leases, and reads which
// other instances are alive, every RefreshInterval.
func (sh *Router) liveness() {
	defer sh.loops.Done()
	t := time.NewTicker(sh.cfg.RefreshInterval)
	defer t.Stop()
	sh.tick()
	for {
		select {
		case <-sh.ctx.Done():
			return
		case <-t.C:
			sh.tick()
		case <-sh.urlLearned:
			sh.tick()
		}
	}
}

func (sh *Router) tick() {
	ctx, cancel := sh.opCtx()
	defer cancel()
	self := sh.self()
	ids := sh.hub.RoomIDs()
	alive, err := sh.refresh(ctx, self, ids)
	sh.reachable(err)
	if err != nil {
		sh.stableSince = time.Time{}
		sh.stable.Store(false)
		return
	}
	now := time.Now()
	if sh.stableSince.IsZero() {
		sh.stableSince = now
	}
	stable := now.Sub(sh.stableSince) >= sh.cfg.InstanceTTL
	sh.stable.Store(stable)
	if !sh.lastRefresh.IsZero() && now.Sub(sh.lastRefresh) >= sh.cfg.InstanceTTL {
		sh.severAll()
	}
	sh.lastRefresh = now

	sh.mu.Lock()
	if stable {
		sh.alive = alive
	} else {
		// Not sure yet who is gone: only learn of new instances.
		for id, in := range alive {
			sh.alive[id] = in
		}
	}
	for _, in := range alive {
		if o := cluster.OriginOf(in.URL); o != "" && len(sh.origins) < maxKnownOrigins {
			sh.origins[o] = struct{}{}
		}
	}
	known := sh.alive
	var lostHomes []*binding
	for _, b := range sh.bindings {
		if _, ok := known[b.home]; !ok && stable {
			lostHomes = append(lostHomes, b)
		}
	}
	var lostPeers []*proxy
	for k, p := range sh.proxies {
		if _, ok := known[k.inst]; !ok && stable {
			lostPeers = append(lostPeers, p)
		}
	}
	for id, p := range sh.pubs {
		if _, ok := known[id]; !ok && stable {
			p.stop()
			delete(sh.pubs, id)
		}
	}
	sh.mu.Unlock()

	// An instance declared gone may only have been slow to refresh: it is
	// told too (if it is really gone, nobody reads it), so both sides end
	// the session and none is left half-open.
	for _, b := range lostHomes {
		sh.log.Info("instance lost: ending the sessions it was home of", "lost", b.home, "stream_id", b.stream)
		sh.homeLost(b)
		sh.publish(b.home, envelope{Kind: kindGone, Conn: b.m.ID(), Text: protocol.ReasonInstanceLost})
	}
	for _, p := range lostPeers {
		sh.log.Info("instance lost: ending its peers' sessions", "lost", p.key.inst, "peer", p.m.PeerID())
		sh.dropProxy(p, protocol.ReasonInstanceLost)
		sh.publish(p.key.inst, envelope{Kind: kindLost, Conn: p.key.conn})
	}
}

// severAll ends every session that crosses instances, on both sides. After
// Redis was out of reach for longer than the TTL the other instances have
// taken this one for gone (and ended their side), and what was sent
// meanwhile is lost: the peers join again rather than wait on a session
// that is half there.
func (sh *Router) severAll() {
	sh.mu.Lock()
	var bs []*binding
	for _, b := range sh.bindings {
		bs = append(bs, b)
	}
	var ps []*proxy
	for _, p := range sh.proxies {
		ps = append(ps, p)
	}
	sh.mu.Unlock()
	if len(bs)+len(ps) > 0 {
		sh.log.Warn("redis was unreachable for longer than the instance TTL: ending the sessions across instances", "local_peers", len(bs), "remote_peers", len(ps))
	}
	for _, b := range bs {
		sh.homeLost(b)
		sh.publish(b.home, envelope{Kind: kindGone, Conn: b.m.ID(), Text: protocol.ReasonInstanceLost})
	}
	for _, p := range ps {
		sh.dropProxy(p, protocol.ReasonInstanceLost)
		sh.publish(p.key.inst, envelope{Kind: kindLost, Conn: p.key.conn})
	}
}

// Withdraw makes this instance disappear from the shared view before its
// connections are closed: its liveness key and its home leases go, so the
// clients' reconnects land on the other instances and claim the sessions.
//
// The sessions it is home of end for the peers on other instances
// (instance_lost) before any local connection closes, so those peers are
// told the instance went, not that their broadcaster left.
func (sh *Router) Withdraw() {
	ctx, cancel := sh.opCtx()
	defer cancel()
	if err := sh.forget(ctx, sh.hub.RoomIDs()); err != nil {
		sh.log.Warn("could not withdraw from redis on drain; the others notice when the key expires", "err", err)
	}
	sh.mu.Lock()
	ps := make([]*proxy, 0, len(sh.proxies))
	for _, p := range sh.proxies {
		ps = append(ps, p)
	}
	sh.mu.Unlock()
	for _, p := range ps {
		sh.publish(p.key.inst, envelope{Kind: kindLost, Conn: p.key.conn})
		sh.dropProxy(p, protocol.ReasonInstanceLost)
	}
}

// Stop ends the loops and the subscriptions; the hub has been drained.
func (sh *Router) Stop() {
	sh.mu.Lock()
	sh.stopped = true
	pubs := sh.pubs
	sh.pubs = map[string]*publisher{}
	sh.mu.Unlock()
	for _, p := range pubs {
		p.stop()
	}
	sh.cancel()
	sh.loops.Wait()
	for _, p := range pubs {
		<-p.done
	}
}
