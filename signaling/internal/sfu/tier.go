package sfu

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// Config configures the tier.
type Config struct {
	Backends []BackendConfig
	// SubscribersPerBackend is the most subscribers of one stream one
	// instance takes; past it the stream is cascaded to another instance
	// (one with a RelayIP). 0: no limit, never cascade.
	SubscribersPerBackend int
	// Bitrate caps each publisher's video in bits/s (0: Janus's default).
	Bitrate int
	// Timeout bounds each request to Janus.
	Timeout time.Duration
	// Ledger records the placements and tells the other signalingd
	// instances' load (nil: a MemoryLedger, this instance alone).
	Ledger Ledger
	// ReclaimInterval is how often the rooms of instances that are gone
	// are looked for (default 1 s).
	ReclaimInterval time.Duration
}

// The failures a caller tells apart (errors.Is).
var (
	// ErrUnavailable: no instance can take the request (all down, or
	// the one holding the stream is). The direct tier is unaffected.
	ErrUnavailable = errors.New("sfu: no media server available")
	// ErrFull: every instance that could carry the stream holds as many
	// of its subscribers as it may.
	ErrFull = errors.New("sfu: the media servers are full for this stream")
	// ErrInvalidSDP: the offer or answer was refused as SDP.
	ErrInvalidSDP = errors.New("sfu: invalid SDP")
	// ErrClosed: the publication or subscription has ended.
	ErrClosed = errors.New("sfu: ended")
	// ErrHungUp: Janus hung up the peer's connection (ICE failed, a DTLS
	// alert, the peer closed it); the publication or subscription has
	// ended (errors.Is ErrClosed too).
	ErrHungUp = fmt.Errorf("%w: the peer connection ended", ErrClosed)
)

// Tier brokers publications and subscriptions across Janus instances.
type Tier struct {
	cfg      Config
	log      *slog.Logger
	backends []*backend

	mu      sync.Mutex
	running bool

	reclaimed atomic.Uint64 // rooms of gone instances removed (reclaim.go)
}

// New checks cfg and makes a tier (log nil: no logs); Run connects it.
func New(cfg Config, log *slog.Logger) (*Tier, error) {
	if len(cfg.Backends) == 0 {
		return nil, errors.New("sfu: no media server configured")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Ledger == nil {
		cfg.Ledger = NewMemoryLedger()
	}
	if cfg.ReclaimInterval <= 0 {
		cfg.ReclaimInterval = time.Second
	}
	if cfg.SubscribersPerBackend < 0 {
		return nil, errors.New("sfu: subscribers per backend must not be negative")
	}
	t := &Tier{cfg: cfg, log: log}
	names := map[string]bool{}
	for i, bc := range cfg.Backends {
		if bc.URL == "" {
			return nil, fmt.Errorf("sfu: media server %d has no URL", i)
		}
		if bc.Name == "" {
			bc.Name = fmt.Sprintf("janus%d", i+1)
		}
		if names[bc.Name] {
			return nil, fmt.Errorf("sfu: media server name %q used twice", bc.Name)
		}
		names[bc.Name] = true
		t.backends = append(t.backends, &backend{cfg: bc, log: log, lastErr: errors.New("not connected yet")})
	}
	return t, nil
}

// Run keeps every instance connected, and removes the rooms other
// signalingd instances left when they went, until ctx ends.
func (t *Tier) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, b := range t.backends {
		wg.Add(1)
		go func() { defer wg.Done(); b.run(ctx, t.cfg.Timeout) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); t.reclaim(ctx) }()
	wg.Wait()
}

// Status is every instance's state, in configuration order, with its load
// over the deployment.
func (t *Tier) Status() []BackendStatus {
	elsewhere := t.cfg.Ledger.Elsewhere()
	out := make([]BackendStatus, len(t.backends))
	for i, b := range t.backends {
		out[i] = b.status()
		out[i].Deployment = out[i].load().Add(elsewhere[b.cfg.URL])
	}
	return out
}

// Placement is a stream's placement as the deployment knows it (in shared
// mode, also one another signalingd instance made).
func (t *Tier) Placement(ctx context.Context, stream uint64) (Placement, bool, error) {
	return t.cfg.Ledger.Lookup(ctx, stream)
}

// load is b's load over the deployment: what this instance placed there
// and what elsewhere says the others did.
func (t *Tier) load(b *backend, elsewhere map[string]Load) Load {
	return b.status().load().Add(elsewhere[b.cfg.URL])
}

// byURL is the configured instance at url, or nil.
func (t *Tier) byURL(url string) *backend {
	for _, b := range t.backends {
		if b.cfg.URL == url {
			return b
		}
	}
	return nil
}

// ServerName is this instance's name for the media server at url, or url
// itself when it is not configured here.
func (t *Tier) ServerName(url string) string {
	if b := t.byURL(url); b != nil {
		return b.cfg.Name
	}
	return url
}

// Up is how many instances are connected.
func (t *Tier) Up() int {
	n := 0
	for _, b := range t.backends {
		if _, err := b.current(); err == nil {
			n++
		}
	}
	return n
}

// pick is the connected instance with the least load over the deployment
// among those ok accepts, by rooms then subscribers (configuration order
// breaks ties).
func (t *Tier) pick(ok func(*backend) bool) (*backend, *generation, error) {
	elsewhere := t.cfg.Ledger.Elsewhere()
	var best *backend
	var bestGen *generation
	var bestLoad Load
	var last error = ErrUnavailable
	for _, b := range t.backends {
		if !ok(b) {
			continue
		}
		g, err := b.current()
		if err != nil {
			last = fmt.Errorf("%w: %v", ErrUnavailable, err)
			continue
		}
		load := t.load(b, elsewhere)
		if best == nil || load.Rooms < bestLoad.Rooms || (load.Rooms == bestLoad.Rooms && load.Subscribers < bestLoad.Subscribers) {
			best, bestGen, bestLoad = b, g, load
		}
	}
	if best == nil {
		return nil, nil, last
	}
	return best, bestGen, nil
}

// ctx bounds one request to Janus by the tier's timeout as well.
func (t *Tier) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, t.cfg.Timeout)
}

// newRoom is a room with an unguessable id and secret: a viewer who
// learned one never learns the other (they never see either).
func (t *Tier) newRoom(description string) janus.Room {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return janus.Room{
		ID:          binary.BigEndian.Uint64(b[:]) >> 11, // JSON-safe (< 2^53)
		Secret:      rand.Text(),
		Publishers:  1,
		Description: description,
		Bitrate:     t.cfg.Bitrate,
		// The codecs browsers send, in Janus's order of preference: VP8
		// whenever the offer has it (simulcast everywhere), H.264 from a
		// client that sends nothing else.
		VideoCodec: "vp8,h264",
		// A new subscriber needs a keyframe: ask the publisher every 2 s.
		FIRFreq: 2,
	}
}

// mapErr turns Janus's failure classes into the tier's.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, janus.ErrInvalidSDP):
		return fmt.Errorf("%w: %v", ErrInvalidSDP, err)
	case errors.Is(err, janus.ErrUnreachable), errors.Is(err, janus.ErrSessionGone), errors.Is(err, janus.ErrClosed), errors.Is(err, errDown):
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	default:
		return err
	}
}
