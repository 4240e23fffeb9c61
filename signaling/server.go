package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/auth"
	"github.com/streamchain/streamchain/signaling/internal/chat"
	"github.com/streamchain/streamchain/signaling/internal/cluster"
	"github.com/streamchain/streamchain/signaling/internal/cluster/redis"
	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/live"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Server is the signaling daemon as an http.Handler: GET /ws (the WebSocket)
// and GET /healthz (minimal). Metrics and the detailed health are on
// InternalHandler, meant for a loopback-only listener.
type Server struct {
	cfg     Config
	chain   *chain.Cache
	hub     *hub.Hub
	auth    *auth.Authenticator
	metrics *metrics.Metrics
	reg     *prometheus.Registry
	log     *slog.Logger
	feed    EventFeed
	conns   *transport.ConnLimiter // WebSocket connections, by client IP
	tcp     *transport.ConnLimiter // TCP connections, by peer IP (see Listener)
	trusted transport.Proxies
	origins map[string]bool
	anyOrig bool
	up      websocket.Upgrader
	mux     *http.ServeMux
	t       transport.Timing

	draining        atomic.Bool
	unauthenticated atomic.Int64

	// The web app, its chain description and the public live view
	// (webapp.go, chaininfo.go, internal/live).
	live         *live.Status
	devnetWallet []DevnetAccount

	// sharedCfg is set by WithShared: New then builds the Redis router.
	sharedCfg *SharedConfig
	// router says where sessions live.
	router  cluster.Router
	resumes *auth.ResumeTokens

	// Per address range (transport.AddrKey): connections waiting to sign in,
	// held-open /live streams, /live.json requests and joins.
	unauthByAddr  *transport.ConnLimiter
	liveByAddr    *transport.ConnLimiter
	liveJSONRates *transport.AddrRates
	joinRates     *transport.AddrRates

	// fdLimit reads the descriptor limit (transport.DescriptorLimit); tests
	// replace it.
	fdLimit func() uint64

	healthMu  sync.Mutex
	healthAt  time.Time
	healthErr error

	// sfu is the media server tier (nil: none), kept connected until
	// stopSFU (sfu.go).
	sfu     *sfu.Tier
	stopSFU context.CancelFunc
}

// SharedConfig joins this instance to others that share their sessions
// through Redis (WithShared).
type SharedConfig = redis.Config

// WithShared puts the Server in shared mode.
func WithShared(c SharedConfig) Option { return func(s *Server) { s.sharedCfg = &c } }

// Option customises a Server.
type Option func(*Server)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithRegistry registers the metrics on reg and serves reg on the internal
// /metrics (default: a fresh registry of the server's own metrics only).
func WithRegistry(reg *prometheus.Registry) Option { return func(s *Server) { s.reg = reg } }

// New builds a Server. node is queried for every join and re-check; the
// Server adds the caches and the timeouts itself.
func New(cfg Config, node Chain, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if node == nil {
		return nil, errors.New("signaling: no chain to check against")
	}
	s := &Server{
		cfg:     cfg,
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		origins: make(map[string]bool),
		t:       transport.DefaultTiming,
	}
	for _, o := range opts {
		o(s)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	for _, o := range cfg.AllowedOrigins {
		if o == "*" {
			s.anyOrig = true
		}
		s.origins[strings.ToLower(o)] = true
	}
	if s.anyOrig {
		s.log.Warn("any browser origin may connect (allowed origins: *); use for development only")
	}
	if cfg.PublicOrigin == "" {
		s.log.Warn("no public origin configured: challenges name the Host each client asked for; set one in production")
	}
	s.trusted, _ = transport.ParseProxies(cfg.TrustedProxies) // checked by Validate
	s.live = live.NewStatus(live.DefaultMaxSubscribers)
	if cfg.Web.DevnetWalletFile != "" {
		accs, err := LoadDevnetWallet(cfg.Web.DevnetWalletFile)
		if err != nil {
			return nil, fmt.Errorf("signaling: devnet wallet: %w", err)
		}
		s.devnetWallet = accs
		s.log.Warn("serving the devnet's public demo keys at /devnet-wallet.json; never do this outside a local devnet")
	}
	s.metrics = metrics.NewMetrics(s.reg)
	s.chain = chain.NewCache(node, cfg.CacheTTL, cfg.NotFoundCacheTTL, cfg.ChainTimeout, time.Now, s.metrics)
	deps := hub.Deps{Chain: s.chain, Metrics: s.metrics, Log: s.log, Now: time.Now, Observer: s.live, Feed: s.feed}
	// The one place that knows whether this instance is alone or one of
	// several sharing their sessions, and their media servers'
	// placements, through Redis.
	var shared *redis.Router
	var placements sfu.Ledger
	if s.sharedCfg != nil {
		var err error
		if shared, err = redis.New(*s.sharedCfg, s.log, s.reg, s.live); err != nil {
			return nil, err
		}
		s.router, deps.Router, placements = shared, shared, shared.Placements()
		s.auth = auth.NewAuthenticator(cfg.ChainID, cfg.Bech32Prefix, cfg.ChallengeTTL, time.Now,
			auth.WithNonceStore(shared.Nonces()), auth.WithOtherOrigins(shared.KnownOrigin))
		s.resumes = auth.NewResumeTokens(cfg.ResumeTTL, cfg.ResumeMaxLifetime, shared.Resumes())
		deps.Chat = chat.New(shared.ChatStore(), chat.Limits{}, time.Now)
	} else {
		local := cluster.NewLocal()
		s.router, deps.Router, placements = local, local, sfu.NewMemoryLedger()
		s.auth = auth.NewAuthenticator(cfg.ChainID, cfg.Bech32Prefix, cfg.ChallengeTTL, time.Now)
		s.resumes = auth.NewResumeTokens(cfg.ResumeTTL, cfg.ResumeMaxLifetime, auth.NewMemoryResumes())
		deps.Chat = chat.New(chat.NewMemoryStore(hub.ChatTTL, time.Now), chat.Limits{}, time.Now)
	}
	tier, err := cfg.SFU.tier(s.log, placements)
	if err != nil {
		return nil, fmt.Errorf("signaling: media servers: %w", err)
	}
	s.sfu, deps.SFU = tier, tier
	s.hub = hub.New(cfg.hub(), deps)
	if shared != nil {
		shared.Start(s.hub)
	}
	s.conns = transport.NewConnLimiter(cfg.MaxConnsPerIP, cfg.MaxConns)
	s.unauthByAddr = transport.NewConnLimiter(cfg.MaxUnauthenticatedConnsPerIP, cfg.MaxUnauthenticatedConns)
	s.liveByAddr = transport.NewConnLimiter(cfg.MaxLivePerIP, live.DefaultMaxSubscribers)
	s.liveJSONRates = transport.NewAddrRates(cfg.LiveJSONPerSecond, cfg.LiveJSONBurst)
	s.joinRates = transport.NewAddrRates(cfg.JoinsPerSecondPerIP, cfg.JoinBurstPerIP)
	// The TCP limits sit above the WebSocket ones, so a WebSocket over its
	// limit still gets a real status code; they stop what the WebSocket
	// limits cannot see (requests that never finish).
	if s.fdLimit == nil {
		s.fdLimit = transport.DescriptorLimit
	}
	s.tcp = transport.NewConnLimiter(2*cfg.MaxConnsPerIP, transport.TCPCapacity(cfg.MaxConns+cfg.MaxConnsPerIP, cfg.MaxConns, s.fdLimit(), s.log))
	s.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// A sign-in or a candidate fits; larger messages (an SDP) grow
		// the read through gorilla's own reassembly.
		ReadBufferSize: 1024,
		// Idle connections hold no write buffer.
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		// The Origin allow-list has already been applied, before the
		// upgrade, with a real status code; see serveWS.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.mux = http.NewServeMux()
	s.routes()
	if s.sfu != nil {
		var ctx context.Context
		ctx, s.stopSFU = context.WithCancel(context.Background())
		go runSFU(ctx, s.sfu, s.metrics)
	}
	return s, nil
}

// routes registers the public endpoints: every route is added here.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /healthz", s.servePublicHealth)
	s.mux.HandleFunc("GET /instances.json", s.serveInstances)
	s.registerWebRoutes(s.mux)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// InternalHandler serves GET /metrics (Prometheus), GET /healthz with
// the counts of connections, streams, viewers and nonces, and GET
// /sfu/streams/{id} with a stream's media server placement. It is for
// operators: serve it on a loopback or private listener only.
func (s *Server) InternalHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	mux.HandleFunc("GET /healthz", s.serveInternalHealth)
	mux.HandleFunc("GET /sfu/streams/{id}", s.serveSFUPlacement)
	return mux
}

// HTTPServer is an http.Server for the public handler with the timeouts
// every endpoint needs: a request whose headers or body never arrive, or a
// client that never reads the answer, is cut off instead of holding a
// goroutine and a descriptor. (An upgraded WebSocket sets its own
// deadlines.)
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.t.ReadHeader,
		ReadTimeout:       s.t.Read,
		WriteTimeout:      s.t.Write,
		IdleTimeout:       s.t.Idle,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// Listener wraps ln with the per-IP and total connection limits, applied
// at accept, before any HTTP is read. Serve the public handler on it.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return transport.Listener(ln, s.tcp, s.trusted, s.cfg.IPv6PrefixLen, func(reason string) {
		s.metrics.ConnectionsRejected.WithLabelValues("tcp_" + reason).Inc()
	})
}

// Shutdown stops accepting connections, closes every open one with close
// code 1001 and a reason, and waits for them until ctx ends, when it drops
// the rest. In-flight chain queries are cancelled at once and no re-check
// starts after it; the Chain passed to New is the caller's to close.
//
// Before closing, every connection is sent a draining event naming the
// other live instances (shared mode) so clients move at once; in shared
// mode this instance first withdraws from Redis, so their reconnects land
// elsewhere, and sessions it carries for other instances' connections end
// with instance_lost instead of closing those connections.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.draining.Swap(true) {
		return s.hub.Drain(ctx, "server shutting down")
	}
	s.live.Close()
	s.router.Withdraw()
	s.hub.Announce(drainingFrame(ctx, s.router.Others()))
	err := s.hub.Drain(ctx, "server shutting down")
	s.router.Stop()
	if s.stopSFU != nil {
		s.stopSFU()
	}
	return err
}

// Close drops every connection at once.
func (s *Server) Close() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.Shutdown(ctx)
}

// CheckChain asks the node for an answer now (and records the outcome in
// the chain_up metric); for start-up diagnostics.
func (s *Server) CheckChain(ctx context.Context) error {
	return s.chain.Ping(ctx)
}

// Stats is a snapshot of the hub and the sign-in state.
type Stats = hub.Stats

// Stats is a snapshot of connections, streams and held state.
func (s *Server) Stats() Stats {
	st := s.hub.Stats()
	st.Nonces = s.auth.Outstanding()
	return st
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.refuse(w, http.StatusServiceUnavailable, "draining", "server shutting down")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		s.refuse(w, http.StatusUpgradeRequired, "not_websocket", "this endpoint speaks WebSocket only")
		return
	}
	// Browsers always send Origin; a request without one is not from a
	// browser page, so no page can abuse a user's session through it.
	// The web app this server embeds is on its own origin: always allowed.
	s.router.ReachedAt(r)
	if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(o) && !strings.EqualFold(o, s.serverOrigin(r)) &&
		!s.router.KnownOrigin(o) {
		s.refuse(w, http.StatusForbidden, "origin", "origin not allowed")
		return
	}
	ip := s.clientKey(r)
	if ok, reason := s.conns.Acquire(ip); !ok {
		w.Header().Set("Retry-After", "10")
		status := http.StatusTooManyRequests
		if reason == "capacity" {
			status = http.StatusServiceUnavailable
		}
		s.refuse(w, status, reason, "too many connections")
		return
	}
	released := false
	defer func() {
		if !released {
			s.conns.Release(ip)
		}
	}()
	// Connections that have not signed in cost the daemon without proving
	// anything: they have their own, smaller cap.
	if s.unauthenticated.Add(1) > int64(s.cfg.MaxUnauthenticatedConns) {
		s.unauthenticated.Add(-1)
		w.Header().Set("Retry-After", "10")
		s.refuse(w, http.StatusServiceUnavailable, "unauthenticated", "too many connections waiting to sign in")
		return
	}
	// Nor may one address range hold more than its share of them.
	if ok, _ := s.unauthByAddr.Acquire(ip); !ok {
		s.unauthenticated.Add(-1)
		w.Header().Set("Retry-After", "10")
		s.refuse(w, http.StatusTooManyRequests, "unauthenticated_per_ip", "too many connections from your address waiting to sign in")
		return
	}

	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has answered with an HTTP error already.
		s.unauthenticated.Add(-1)
		s.unauthByAddr.Release(ip)
		s.metrics.ConnectionsRejected.WithLabelValues("handshake").Inc()
		return
	}
	conn := transport.NewConn(ws, s.t, s.cfg.SendQueueSize, s.metrics)
	m := s.hub.NewMember(hub.NewPeerID(), "", conn)
	sess := &session{
		srv: s, conn: conn, member: m, ip: ip, origin: s.serverOrigin(r),
		log:        s.log.With("conn", m.ID(), "ip", ip),
		limiter:    transport.NewMessageLimiter(s.cfg.MessagesPerSecond, s.cfg.MessageBurst),
		relayBytes: transport.NewByteBudget(s.cfg.RelayBytesPerSecond, s.cfg.RelayByteBurst),
	}
	sess.pending.Store(true)
	if !s.hub.Register(m) {
		sess.releasePending()
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(protocol.CloseServerDrained, "server shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	s.metrics.Connections.Inc()
	sess.log.Debug("connection opened")
	// The session runs on a goroutine of its own and the HTTP handler's
	// goroutine ends: an idle connection then keeps only a shallow stack
	// (the handler's has grown through net/http and the upgrade).
	released = true
	go func() {
		defer s.conns.Release(ip)
		sess.serve()
	}()
}

func (s *Server) refuse(w http.ResponseWriter, status int, reason, msg string) {
	s.metrics.ConnectionsRejected.WithLabelValues(reason).Inc()
	http.Error(w, msg, status)
}

func (s *Server) originAllowed(o string) bool {
	return s.anyOrig || s.origins[strings.ToLower(o)]
}

// serverOrigin is the origin written into this connection's challenges.
func (s *Server) serverOrigin(r *http.Request) string {
	if s.cfg.PublicOrigin != "" {
		return s.cfg.PublicOrigin
	}
	return cluster.RequestOrigin(r)
}

// healthTTL limits how often /healthz reaches the node, however often it is
// polled.
const healthTTL = time.Second

func (s *Server) chainHealth(ctx context.Context) error {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	if time.Since(s.healthAt) < healthTTL {
		return s.healthErr
	}
	s.healthErr = s.chain.Ping(ctx)
	s.healthAt = time.Now()
	return s.healthErr
}

// LiveSnapshot is the body of GET /live.json and of each /live event;
// LiveStream one of its streams.
type (
	LiveSnapshot = live.Snapshot
	LiveStream   = live.Stream
)

// PublicHealth is the body of the public GET /healthz: no counts.
type PublicHealth struct {
	// Status is ok, degraded (the node does not answer) or draining.
	Status string `json:"status"`
	// Chain is reachable or unreachable.
	Chain string `json:"chain"`
	// Events is following (revocations act within a block), lost (only
	// the periodic re-check acts) or off (no event feed configured).
	Events string `json:"events"`
	// SFU is up, degraded (some media servers down) or down; absent
	// without a media server tier. The direct tier serves whatever it
	// says, so it does not change Status.
	SFU string `json:"sfu,omitempty"`
}

// InternalHealth is the body of the internal GET /healthz.
type InternalHealth struct {
	PublicHealth
	ChainError string `json:"chain_error,omitempty"`
	// Redis is reachable or unreachable in shared mode, absent otherwise.
	Redis string `json:"redis,omitempty"`
	// SFUServers is each media server's state.
	SFUServers []sfu.BackendStatus `json:"sfu_servers,omitempty"`
	Stats
}

func (s *Server) health(ctx context.Context) (int, InternalHealth) {
	body := InternalHealth{PublicHealth: PublicHealth{Status: "ok", Chain: "reachable", Events: s.hub.FeedStatus()}}
	body.SFU, body.SFUServers = sfuHealth(s.sfu)
	status := http.StatusOK
	if err := s.chainHealth(ctx); err != nil {
		body.Status, body.Chain, body.ChainError = "degraded", "unreachable", err.Error()
		status = http.StatusServiceUnavailable
	}
	if body.Redis = s.router.Health(); body.Redis == "unreachable" {
		body.Status = "degraded"
		status = http.StatusServiceUnavailable
	}
	if s.draining.Load() {
		body.Status = "draining"
		status = http.StatusServiceUnavailable
	}
	return status, body
}

// servePublicHealth answers 200 when the daemon can serve joins (the node
// answers), else 503, with the status words only.
func (s *Server) servePublicHealth(w http.ResponseWriter, r *http.Request) {
	status, body := s.health(r.Context())
	writeJSON(w, status, body.PublicHealth)
}

func (s *Server) serveInternalHealth(w http.ResponseWriter, r *http.Request) {
	status, body := s.health(r.Context())
	body.Stats = s.Stats()
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WithEventFeed makes the hub act on chain events as they are committed.
// Without one, revocation waits for the periodic re-check.
func WithEventFeed(f EventFeed) Option { return func(s *Server) { s.feed = f } }
