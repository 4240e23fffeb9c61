package sfu

import (
	"context"
	"sync"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// Where the tier's placements are recorded. Each signalingd instance
// brokers the streams whose sessions it holds; when several share their
// media servers, each must weigh what the others placed there, and the
// rooms an instance made must not outlive it on Janus. A Ledger records
// this instance's placements and tells it the rest of the deployment's.
// The server picks one: a MemoryLedger when it is alone, the shared one
// (package cluster/redis) when it is one of several.

// Placement is one stream's publication on the tier: its room on a media
// server and the cascades carrying it to further ones, with the
// subscribers on each. Media servers are named by their API URL, which
// every signalingd instance sharing them configures alike (their short
// names follow each one's configuration order). It carries the rooms'
// secrets, which is what an instance needs to remove the rooms another one
// left; a ledger keeps it where only signalingd instances read.
type Placement struct {
	Stream uint64 `json:"stream"`
	// Home is the signalingd instance that placed it (set by the ledger).
	Home        string             `json:"home,omitempty"`
	Backend     string             `json:"backend"`
	Room        uint64             `json:"room"`
	Secret      string             `json:"secret"`
	Subscribers int                `json:"subscribers"`
	Cascades    []CascadePlacement `json:"cascades,omitempty"`
}

// CascadePlacement is a stream's room on a further media server; at most
// one per media server.
type CascadePlacement struct {
	Backend     string `json:"backend"`
	Room        uint64 `json:"room"`
	Secret      string `json:"secret"`
	Subscribers int    `json:"subscribers"`
}

// PlacedRoom is one room of a placement and the media server (API URL)
// holding it.
type PlacedRoom struct {
	Backend string
	Room    janus.Room
}

// Rooms are the placement's rooms, its publication's first.
func (p Placement) Rooms() []PlacedRoom {
	out := []PlacedRoom{{Backend: p.Backend, Room: janus.Room{ID: p.Room, Secret: p.Secret}}}
	for _, c := range p.Cascades {
		out = append(out, PlacedRoom{Backend: c.Backend, Room: janus.Room{ID: c.Room, Secret: c.Secret}})
	}
	return out
}

// Load is what is placed on one media server: rooms (publications and
// cascades) and subscribers.
type Load struct {
	Rooms       int `json:"rooms"`
	Subscribers int `json:"subscribers"`
}

// Add is the sum of two loads.
func (l Load) Add(o Load) Load {
	return Load{Rooms: l.Rooms + o.Rooms, Subscribers: l.Subscribers + o.Subscribers}
}

// LoadOf sums placements by media server (API URL).
func LoadOf(ps []Placement) map[string]Load {
	out := map[string]Load{}
	for _, p := range ps {
		out[p.Backend] = out[p.Backend].Add(Load{Rooms: 1, Subscribers: p.Subscribers})
		for _, c := range p.Cascades {
			out[c.Backend] = out[c.Backend].Add(Load{Rooms: 1, Subscribers: c.Subscribers})
		}
	}
	return out
}

// Ledger records this instance's placements and reads the deployment's.
// Place, Unplace and Elsewhere never wait on the network: the tier calls
// them under its own locks, while placing a subscriber.
type Ledger interface {
	// Place records p as its stream's placement, replacing the one
	// before; Unplace removes it when the publication has ended.
	Place(p Placement)
	Unplace(stream uint64)
	// Elsewhere is the load the other signalingd instances have placed
	// on each media server, by API URL, as last read.
	Elsewhere() map[string]Load
	// Abandoned takes up to max placements that instances now gone left
	// behind and removes their records: the caller removes their rooms.
	// Each is handed out once, to one instance.
	Abandoned(ctx context.Context, max int) ([]Placement, error)
	// Lookup is a stream's placement as the deployment knows it.
	Lookup(ctx context.Context, stream uint64) (Placement, bool, error)
}

// MemoryLedger is the Ledger of an instance alone: its own placements are
// all there are.
type MemoryLedger struct {
	mu     sync.Mutex
	placed map[uint64]Placement
}

// NewMemoryLedger returns an empty ledger.
func NewMemoryLedger() *MemoryLedger { return &MemoryLedger{placed: map[uint64]Placement{}} }

func (m *MemoryLedger) Place(p Placement) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.placed[p.Stream] = p
}

func (m *MemoryLedger) Unplace(stream uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.placed, stream)
}

func (*MemoryLedger) Elsewhere() map[string]Load { return nil }

func (*MemoryLedger) Abandoned(context.Context, int) ([]Placement, error) { return nil, nil }

func (m *MemoryLedger) Lookup(_ context.Context, stream uint64) (Placement, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.placed[stream]
	return p, ok, nil
}
