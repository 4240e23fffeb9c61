package sfu

import (
	"context"
	"errors"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// Janus keeps a VideoRoom room until it is destroyed. The handles of a
// signalingd instance that died go with its Janus session's timeout, but
// its rooms stay: a surviving instance takes the dead one's placements
// from the ledger (each once, to one instance) and destroys their rooms.

// reclaimBatch bounds the placements one pass takes, so a pass's work is
// bounded however many streams the dead instance held.
const reclaimBatch = 16

// reclaim removes, every ReclaimInterval, the rooms of placements whose
// instance is gone, until ctx ends.
func (t *Tier) reclaim(ctx context.Context) {
	tick := time.NewTicker(t.cfg.ReclaimInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ps, err := t.cfg.Ledger.Abandoned(ctx, reclaimBatch)
		if err != nil {
			t.log.Debug("reading abandoned placements", "err", err)
			continue
		}
		for _, p := range ps {
			for _, r := range p.Rooms() {
				t.reclaimRoom(ctx, p, r)
			}
		}
	}
}

// Reclaimed is how many rooms of gone instances this tier has removed.
func (t *Tier) Reclaimed() uint64 { return t.reclaimed.Load() }

// reclaimRoom destroys one room a gone instance left; an instance down now
// destroys it when it is back (its orphans).
func (t *Tier) reclaimRoom(ctx context.Context, p Placement, r PlacedRoom) {
	b := t.byURL(r.Backend)
	if b == nil {
		t.log.Warn("a gone instance left a room on a media server this one does not know", "home", p.Home, "stream_id", p.Stream, "backend", r.Backend)
		return
	}
	g, err := b.current()
	if err != nil {
		b.orphan(r.Room)
		return
	}
	cctx, cancel := t.ctx(ctx)
	defer cancel()
	switch err := g.admin.DestroyRoom(cctx, r.Room.ID, r.Room.Secret); {
	case err == nil:
		t.reclaimed.Add(1)
		t.log.Info("removed a room a gone instance left", "home", p.Home, "stream_id", p.Stream, "backend", r.Backend, "room", r.Room.ID)
	case errors.Is(err, janus.ErrNoSuchRoom):
	default:
		b.orphan(r.Room)
	}
}
