package sfu

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// Publication is one stream published into the tier: a room and its
// publisher on the home instance, and the cascades that carry it to
// further instances when the home holds as many subscribers as it may.
// It ends when closed, when the publisher's connection to Janus hangs up,
// or when the home instance is lost; its subscriptions end with it.
type Publication struct {
	t      *Tier
	stream uint64
	name   string
	home   *backend
	gen    *generation
	room   janus.Room
	handle *janus.VideoRoom
	feed   uint64
	// streams describe the publisher's media to cascade targets.
	streams []janus.RemoteStream

	cascadeMu sync.Mutex // one cascade created at a time

	mu       sync.Mutex
	homeSubs int
	cascades []*cascade
	subs     map[*Subscription]struct{}
	err      error
	done     chan struct{}
	// up is closed when Janus reports the publisher's PeerConnection up:
	// only then does the room list its feed for subscribers.
	up     chan struct{}
	upOnce sync.Once
}

// cascade is the stream's room on a further instance, fed by the home's
// relay to a remote publisher there.
type cascade struct {
	b        *backend
	gen      *generation
	room     janus.Room
	feed     uint64 // the remote publisher, which subscribers there watch
	remoteID string // the home's name for the relay
	subs     int
}

// Publish places a new publication of stream's offer on the least loaded
// instance and returns it with Janus's SDP answer.
func (t *Tier) Publish(ctx context.Context, stream uint64, offer janus.JSEP) (*Publication, *janus.JSEP, error) {
	if err := checkPublisherOffer(offer.SDP); err != nil {
		return nil, nil, err
	}
	b, g, err := t.pick(func(*backend) bool { return true })
	if err != nil {
		return nil, nil, err
	}
	name := fmt.Sprintf("stream %d", stream)
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	room := t.newRoom(name)
	if err := g.admin.CreateRoom(ctx, room); err != nil {
		return nil, nil, mapErr(err)
	}
	h, err := g.session.AttachVideoRoom(ctx)
	if err != nil {
		t.destroyRoom(b, g, room)
		return nil, nil, mapErr(err)
	}
	joined, answer, err := h.Publish(ctx, room.ID, name, offer)
	if err != nil {
		_ = h.Detach(context.WithoutCancel(ctx))
		t.destroyRoom(b, g, room)
		return nil, nil, mapErr(err)
	}
	p := &Publication{
		t: t, stream: stream, name: name, home: b, gen: g, room: room, handle: h, feed: joined.ID,
		streams: remoteStreams(answer.SDP), subs: make(map[*Subscription]struct{}), done: make(chan struct{}), up: make(chan struct{}),
	}
	b.add(g, 1, 0)
	p.mu.Lock()
	p.shareLocked()
	p.mu.Unlock()
	go p.watch()
	return p, answer, nil
}

// shareLocked records the publication's placement in the ledger, unless
// it has ended (Unplace was its last word). p.mu is held, so the records
// reach the ledger in the order of the changes.
func (p *Publication) shareLocked() {
	if p.err != nil {
		return
	}
	pl := Placement{Stream: p.stream, Backend: p.home.cfg.URL, Room: p.room.ID, Secret: p.room.Secret, Subscribers: p.homeSubs}
	for _, c := range p.cascades {
		pl.Cascades = append(pl.Cascades, CascadePlacement{Backend: c.b.cfg.URL, Room: c.room.ID, Secret: c.room.Secret, Subscribers: c.subs})
	}
	p.t.cfg.Ledger.Place(pl)
}

// watch ends the publication when its home is lost or Janus hangs the
// publisher up (its PeerConnection failed or closed).
func (p *Publication) watch() {
	for {
		select {
		case <-p.done:
			return
		case <-p.gen.lost:
			p.end(fmt.Errorf("%w: media server %s lost", ErrUnavailable, p.home.cfg.Name), false)
			return
		case ev := <-p.handle.Events():
			if ev.Type == "webrtcup" {
				p.upOnce.Do(func() { close(p.up) })
			}
			if ev.Type == "hangup" {
				p.end(fmt.Errorf("%w (the publisher's: %s)", ErrHungUp, ev.Reason), true)
				return
			}
		}
	}
}

// Backend is the name of the instance holding the publication.
func (p *Publication) Backend() string { return p.home.cfg.Name }

// Done is closed when the publication has ended; Err says why.
func (p *Publication) Done() <-chan struct{} { return p.done }

// Err is why the publication ended (nil while it lasts).
func (p *Publication) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Trickle passes one of the publisher's ICE candidates to Janus.
func (p *Publication) Trickle(ctx context.Context, c janus.Candidate) error {
	if err := p.Err(); err != nil {
		return err
	}
	ctx, cancel := p.t.ctx(ctx)
	defer cancel()
	return mapErr(p.handle.Trickle(ctx, c))
}

// Close ends the publication and its subscriptions and removes its rooms.
func (p *Publication) Close() { p.end(fmt.Errorf("%w: publication closed", ErrClosed), true) }

// end ends the publication once. cleanup: the home is reachable, so its
// handle and room are removed now; otherwise they are left to the home's
// reconnection (orphans) or died with it.
func (p *Publication) end(why error, cleanup bool) {
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		return
	}
	p.err = why
	close(p.done)
	p.t.cfg.Ledger.Unplace(p.stream)
	subs := p.subs
	p.subs = nil
	cascades := p.cascades
	p.cascades = nil
	p.mu.Unlock()

	for s := range subs {
		s.end(why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.t.cfg.Timeout)
	defer cancel()
	for _, c := range cascades { // their subscribers have given their places back
		p.t.destroyRoom(c.b, c.gen, c.room)
		c.b.add(c.gen, -1, 0)
	}
	p.home.add(p.gen, -1, 0)
	if cleanup {
		_ = p.handle.Hangup(ctx)
		_ = p.handle.Detach(ctx)
		p.t.destroyRoom(p.home, p.gen, p.room)
	} else {
		p.home.orphan(p.room)
	}
}

// destroyRoom removes room from instance b's generation g; a room that
// cannot be removed now is removed when b is reachable again.
func (t *Tier) destroyRoom(b *backend, g *generation, room janus.Room) {
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.Timeout)
	defer cancel()
	if err := g.admin.DestroyRoom(ctx, room.ID, room.Secret); err != nil && !errors.Is(err, janus.ErrNoSuchRoom) {
		b.orphan(room)
	}
}
