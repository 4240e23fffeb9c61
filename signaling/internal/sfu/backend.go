package sfu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// BackendConfig is one Janus instance.
type BackendConfig struct {
	Name      string // for logs, health and metrics
	URL       string // the Janus API's WebSocket URL (ws://host:port)
	APISecret string
	// RelayIP is the address this instance receives cascaded RTP on, as
	// the other instances reach it; empty: nothing is cascaded into it.
	RelayIP string
}

// backend keeps one Janus instance connected: a client, a session (kept
// alive by its keepalive loop) and a handle for room administration.
// Each connection is a generation; when it is lost, everything placed on
// it ends (its lost channel closes) and the rooms it held are destroyed
// once the instance is back, if it was only the connection that failed.
type backend struct {
	cfg BackendConfig
	log *slog.Logger

	mu          sync.Mutex
	gen         *generation // nil while down
	lastErr     error
	rooms       int // publications and cascades placed here
	subscribers int
	orphans     []janus.Room // rooms of a lost generation, destroyed on reconnect
}

// generation is one connection to the instance.
type generation struct {
	client  *janus.Client
	session *janus.Session
	admin   *janus.VideoRoom
	lost    chan struct{} // closed when this connection has ended
}

// errDown is why a backend cannot take work right now.
var errDown = errors.New("sfu: media server down")

// current is the live generation, or errDown.
func (b *backend) current() (*generation, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen == nil {
		return nil, fmt.Errorf("%w: %s: %v", errDown, b.cfg.Name, b.lastErr)
	}
	return b.gen, nil
}

// run keeps the backend connected until ctx ends, retrying with backoff.
func (b *backend) run(ctx context.Context, timeout time.Duration) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		g, err := b.connect(ctx, timeout)
		if err != nil {
			b.setDown(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 250 * time.Millisecond
		b.log.Info("media server up", "backend", b.cfg.Name)
		b.destroyOrphans(ctx, g, timeout)
		var why error
		select {
		case <-ctx.Done():
			why = ctx.Err()
		case <-g.session.Done():
			why = g.session.Err()
		case <-g.client.Done():
			why = g.client.Err()
		}
		b.lose(g, why)
		_ = g.client.Close()
		if ctx.Err() == nil {
			b.log.Warn("media server lost", "backend", b.cfg.Name, "err", why)
		}
	}
}

func (b *backend) connect(ctx context.Context, timeout time.Duration) (*generation, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl, err := janus.Dial(cctx, b.cfg.URL, b.cfg.APISecret)
	if err != nil {
		return nil, err
	}
	s, err := cl.CreateSession(cctx, 0)
	if err == nil {
		var admin *janus.VideoRoom
		if admin, err = s.AttachVideoRoom(cctx); err == nil {
			g := &generation{client: cl, session: s, admin: admin, lost: make(chan struct{})}
			b.mu.Lock()
			b.gen, b.lastErr = g, nil
			b.mu.Unlock()
			return g, nil
		}
	}
	_ = cl.Close()
	return nil, err
}

func (b *backend) setDown(err error) {
	b.mu.Lock()
	b.lastErr = err
	b.mu.Unlock()
}

// lose ends generation g: whatever was placed on it learns through
// g.lost; the counts start again from zero.
func (b *backend) lose(g *generation, why error) {
	b.mu.Lock()
	if b.gen == g {
		b.gen, b.lastErr = nil, why
		b.rooms, b.subscribers = 0, 0
	}
	b.mu.Unlock()
	close(g.lost)
}

// orphan records a room to destroy once the instance is reachable again:
// Janus keeps rooms (not sessions) when only our connection failed.
func (b *backend) orphan(r janus.Room) {
	b.mu.Lock()
	defer b.mu.Unlock()
	const most = 1024 // bounded: an instance that really died took them along
	if len(b.orphans) < most {
		b.orphans = append(b.orphans, r)
	}
}

func (b *backend) destroyOrphans(ctx context.Context, g *generation, timeout time.Duration) {
	b.mu.Lock()
	rooms := b.orphans
	b.orphans = nil
	b.mu.Unlock()
	for _, r := range rooms {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		err := g.admin.DestroyRoom(cctx, r.ID, r.Secret)
		cancel()
		if err != nil && !errors.Is(err, janus.ErrNoSuchRoom) {
			b.log.Debug("destroying a lost room", "backend", b.cfg.Name, "room", r.ID, "err", err)
		}
	}
}

// add changes the placement counts of generation g (no-op if g was lost).
func (b *backend) add(g *generation, rooms, subscribers int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen == g {
		b.rooms += rooms
		b.subscribers += subscribers
	}
}

// BackendStatus is one instance as health and metrics report it: Rooms
// and Subscribers are what this signalingd instance placed there,
// Deployment what every signalingd instance sharing it did.
type BackendStatus struct {
	Name        string `json:"name"`
	Up          bool   `json:"up"`
	Rooms       int    `json:"rooms"`
	Subscribers int    `json:"subscribers"`
	Deployment  Load   `json:"deployment"`
	Error       string `json:"error,omitempty"`
}

func (st BackendStatus) load() Load { return Load{Rooms: st.Rooms, Subscribers: st.Subscribers} }

func (b *backend) status() BackendStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := BackendStatus{Name: b.cfg.Name, Up: b.gen != nil, Rooms: b.rooms, Subscribers: b.subscribers}
	if b.gen == nil && b.lastErr != nil {
		st.Error = b.lastErr.Error()
	}
	return st
}
