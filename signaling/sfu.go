package signaling

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
)

// The media server tier's configuration, its construction, and what health
// and metrics say of it (PROTOCOL.md §4.4).

// SFUConfig configures the media server tier.
type SFUConfig struct {
	// Servers are the Janus instances' API WebSocket URLs (ws://host:port).
	// Each one's host, when it is an IP address, is also where the others
	// send it cascaded media.
	Servers []string
	// APISecret is the Janus instances' api_secret.
	APISecret string
	// MaxDirectViewers bounds a stream's direct capacity: the viewers its
	// broadcaster's browser sends the stream to itself.
	MaxDirectViewers int
	// ViewersPerServer is the most viewers of one stream one media server
	// takes before the stream is cascaded to another (0: no limit).
	ViewersPerServer int
	// Timeout bounds each request to a media server.
	Timeout time.Duration
}

// Defaults of the media server tier.
const (
	// DefaultMaxDirectViewers: a 720p stream takes about 1.75 Mbit/s with
	// audio, so a 10 Mbit/s uplink carries about 5 copies; 4 leaves room
	// for the media server's copy and retransmissions.
	DefaultMaxDirectViewers = 4
	// DefaultSFUViewersPerServer: one Janus core carries a few hundred
	// subscribers of a 480p stream (BENCHMARKS.md, SFU tier).
	DefaultSFUViewersPerServer = 500
	DefaultSFUTimeout          = 5 * time.Second
)

func (c SFUConfig) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, s := range c.Servers {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			bad("media server %q must be a ws:// or wss:// URL", s)
		}
	}
	if len(c.Servers) > 0 && c.APISecret == "" {
		bad("media servers need their api_secret (never run Janus without one)")
	}
	if c.MaxDirectViewers < 0 {
		bad("max direct viewers must not be negative")
	}
	if c.ViewersPerServer < 0 {
		bad("viewers per media server must not be negative")
	}
	if len(c.Servers) > 0 && c.Timeout <= 0 {
		bad("media server timeout must be positive, got %s", c.Timeout)
	}
	return errs
}

// tier builds the media server tier of c, recording its placements in
// placements; nil without servers.
func (c SFUConfig) tier(log *slog.Logger, placements sfu.Ledger) (*sfu.Tier, error) {
	if len(c.Servers) == 0 {
		return nil, nil
	}
	cfg := sfu.Config{SubscribersPerBackend: c.ViewersPerServer, Timeout: c.Timeout, Ledger: placements}
	for _, s := range c.Servers {
		u, err := url.Parse(s)
		if err != nil {
			return nil, err
		}
		bc := sfu.BackendConfig{URL: s, APISecret: c.APISecret}
		// Media cascaded between instances goes to the address the API
		// is reached on.
		if bc.RelayIP, err = relayIP(u.Hostname()); err != nil {
			log.Warn("no stream will be cascaded to this media server", "server", s, "err", err)
		}
		cfg.Backends = append(cfg.Backends, bc)
	}
	return sfu.New(cfg, log)
}

// relayIP is where other media servers send media cascaded to the one
// whose API is on host: host itself when it is an IP address, else its
// first IPv4 address (then IPv6) as resolved when signalingd starts.
func relayIP(host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIP(ctx, "ip", host)
	if err != nil {
		return "", fmt.Errorf("resolving %q: %w", host, err)
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			return ip.String(), nil
		}
	}
	if len(ips) == 0 {
		return "", fmt.Errorf("%q has no address", host)
	}
	return ips[0].String(), nil
}

// runSFU keeps the media servers connected and their metrics current
// until ctx ends.
func runSFU(ctx context.Context, t *sfu.Tier, m *metrics.Metrics) {
	go t.Run(ctx)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var reclaimed uint64
	for {
		m.SFUServersUp.Set(float64(t.Up()))
		for _, st := range t.Status() {
			m.SFUServerRooms.WithLabelValues(st.Name).Set(float64(st.Deployment.Rooms))
			m.SFUServerViewers.WithLabelValues(st.Name).Set(float64(st.Deployment.Subscribers))
		}
		n := t.Reclaimed()
		m.SFURoomsReclaimed.Add(float64(n - reclaimed))
		reclaimed = n
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sfuHealth is "up", "degraded" (some media servers down) or "down", and
// each server's state; "" without a media tier.
func sfuHealth(t *sfu.Tier) (string, []sfu.BackendStatus) {
	if t == nil {
		return "", nil
	}
	st := t.Status()
	switch up := t.Up(); {
	case up == len(st):
		return "up", st
	case up > 0:
		return "degraded", st
	default:
		return "down", st
	}
}

// SFUPlacement is a stream's placement on the media servers, as the
// internal GET /sfu/streams/{id} shows it (in shared mode also a stream
// another instance is home of); the rooms' secrets stay out. Server is
// this instance's name for the media server (as in sfu_servers), URL its
// API URL, which names it alike on every instance.
type SFUPlacement struct {
	StreamID uint64 `json:"stream_id"`
	// Home is the instance that placed it (shared mode).
	Home        string       `json:"home,omitempty"`
	Server      string       `json:"server"`
	URL         string       `json:"url"`
	Room        uint64       `json:"room"`
	Subscribers int          `json:"subscribers"`
	Cascades    []SFUCascade `json:"cascades"`
}

// SFUCascade is one cascade of an SFUPlacement.
type SFUCascade struct {
	Server      string `json:"server"`
	URL         string `json:"url"`
	Room        uint64 `json:"room"`
	Subscribers int    `json:"subscribers"`
}

// serveSFUPlacement answers a stream's placement: 404 when it has none,
// 503 when it cannot be read now.
func (s *Server) serveSFUPlacement(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "a stream id is a decimal number", http.StatusBadRequest)
		return
	}
	if s.sfu == nil {
		http.Error(w, "no media servers configured", http.StatusNotFound)
		return
	}
	p, ok, err := s.sfu.Placement(r.Context(), id)
	switch {
	case err != nil:
		s.log.Warn("reading a media server placement", "stream_id", id, "err", err)
		http.Error(w, "placements unavailable", http.StatusServiceUnavailable)
		return
	case !ok:
		http.Error(w, "the stream has no publication on the media servers", http.StatusNotFound)
		return
	}
	out := SFUPlacement{StreamID: p.Stream, Home: p.Home, Server: s.sfu.ServerName(p.Backend), URL: p.Backend,
		Room: p.Room, Subscribers: p.Subscribers, Cascades: []SFUCascade{}}
	for _, c := range p.Cascades {
		out.Cascades = append(out.Cascades, SFUCascade{Server: s.sfu.ServerName(c.Backend), URL: c.Backend, Room: c.Room, Subscribers: c.Subscribers})
	}
	writeJSON(w, http.StatusOK, out)
}
