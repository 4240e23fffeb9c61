package signaling

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the signaling daemon as an http.Handler: GET /ws (the WebSocket),
// GET /healthz and, unless Config.MetricsListen moves it, GET /metrics.
type Server struct {
	cfg     Config
	chain   *cachedChain
	hub     *Hub
	auth    *Authenticator
	metrics *Metrics
	reg     *prometheus.Registry
	log     *slog.Logger
	conns   *connLimiter
	origins map[string]bool
	anyOrig bool
	up      websocket.Upgrader
	mux     *http.ServeMux
	t       timing

	nextID   atomic.Uint64
	draining atomic.Bool

	// The web app, its chain description and the public live view
	// (webapp.go, chaininfo.go, live.go).
	live         *LiveStatus
	devnetWallet []DevnetAccount

	healthMu  sync.Mutex
	healthAt  time.Time
	healthErr error
}

// Option customises a Server.
type Option func(*Server)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithRegistry registers the metrics on reg and serves reg on /metrics
// (default: a fresh registry of the server's own metrics only).
func WithRegistry(reg *prometheus.Registry) Option { return func(s *Server) { s.reg = reg } }

// New builds a Server. chain is queried for every join and re-check; the
// Server adds the positive-answer cache and the timeouts itself.
func New(cfg Config, chain Chain, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if chain == nil {
		return nil, errors.New("signaling: no chain to check against")
	}
	s := &Server{
		cfg:     cfg,
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		origins: make(map[string]bool),
		t:       defaultTiming,
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
	s.live = NewLiveStatus(DefaultMaxLiveSubscribers)
	if cfg.Web.DevnetWalletFile != "" {
		accs, err := LoadDevnetWallet(cfg.Web.DevnetWalletFile)
		if err != nil {
			return nil, fmt.Errorf("signaling: devnet wallet: %w", err)
		}
		s.devnetWallet = accs
		s.log.Warn("serving the devnet's public demo keys at /devnet-wallet.json; never do this outside a local devnet")
	}
	s.metrics = NewMetrics(s.reg)
	s.chain = newCachedChain(chain, cfg.CacheTTL, cfg.ChainTimeout, time.Now, s.metrics)
	s.auth = NewAuthenticator(cfg.ChainID, cfg.Bech32Prefix, cfg.ChallengeTTL, time.Now)
	s.hub = newHub(cfg, s.chain, s.metrics, s.log, time.Now)
	s.hub.mu.Lock() // the hub's goroutine reads it under the lock
	s.hub.live = liveHook{s.live}
	s.hub.mu.Unlock()
	s.conns = newConnLimiter(cfg.MaxConnsPerIP, cfg.MaxConns)
	s.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  4096,
		// Idle connections hold no write buffer.
		WriteBufferPool: &sync.Pool{},
		// The Origin allow-list has already been applied, before the
		// upgrade, with a real status code; see serveWS.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /healthz", s.serveHealth)
	if cfg.MetricsListen == "" {
		s.mux.Handle("GET /metrics", s.MetricsHandler())
	}
	s.registerWebRoutes(s.mux)
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// MetricsHandler serves the registry in the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})
}

// Shutdown stops accepting connections, closes every open one with close
// code 1001 and a reason, and waits for them until ctx ends, when it drops
// the rest. It stops the re-check loop; the Chain passed to New is the
// caller's to close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.live.Close()
	return s.hub.drain(ctx, "server shutting down")
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
	return s.chain.ping(ctx)
}

// Stats is a snapshot of connections, streams and held state.
func (s *Server) Stats() Stats {
	st := s.hub.stats()
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
	if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(o) && !strings.EqualFold(o, s.serverOrigin(r)) {
		s.refuse(w, http.StatusForbidden, "origin", "origin not allowed")
		return
	}
	ip := clientIP(r, s.cfg.RealIPHeader)
	if ok, reason := s.conns.acquire(ip); !ok {
		w.Header().Set("Retry-After", "10")
		status := http.StatusTooManyRequests
		if reason == "capacity" {
			status = http.StatusServiceUnavailable
		}
		s.refuse(w, status, reason, "too many connections")
		return
	}
	defer s.conns.release(ip)

	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has answered with an HTTP error already.
		s.metrics.ConnectionsRejected.WithLabelValues("handshake").Inc()
		return
	}
	c := s.newConn(ws, ip, s.serverOrigin(r))
	if !s.hub.register(c) {
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(CloseServerDrained, "server shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	c.log.Debug("connection opened")
	c.serve()
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
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

func (s *Server) newConn(ws *websocket.Conn, ip, origin string) *Conn {
	id := s.nextID.Add(1)
	return &Conn{
		id:         id,
		peerID:     newPeerID(),
		ip:         ip,
		origin:     origin,
		srv:        s,
		ws:         ws,
		log:        s.log.With("conn", id, "ip", ip),
		t:          s.t,
		send:       make(chan outbound, s.cfg.SendQueueSize),
		closeReq:   make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
		limiter:    newMessageLimiter(s.cfg.MessagesPerSecond, s.cfg.MessageBurst),
	}
}

// newPeerID is a random per-connection id (128 bits): it names a peer to the
// other side without revealing or depending on its address.
func newPeerID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("signaling: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
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
	s.healthErr = s.chain.ping(ctx)
	s.healthAt = time.Now()
	return s.healthErr
}

type healthBody struct {
	Status     string `json:"status"`
	Chain      string `json:"chain"`
	ChainError string `json:"chain_error,omitempty"`
	Stats
}

// serveHealth answers 200 when the daemon can serve joins (the node
// answers), else 503 with the reason.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	body := healthBody{Status: "ok", Chain: "reachable", Stats: s.Stats()}
	status := http.StatusOK
	if err := s.chainHealth(r.Context()); err != nil {
		body.Status, body.Chain, body.ChainError = "degraded", "unreachable", err.Error()
		status = http.StatusServiceUnavailable
	}
	if s.draining.Load() {
		body.Status = "draining"
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
