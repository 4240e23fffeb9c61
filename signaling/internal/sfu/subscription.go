package sfu

import (
	"context"
	"fmt"
	"sync"

	"github.com/streamchain/streamchain/signaling/internal/janus"
)

// Subscription is one viewer's feed of a publication, on the home instance
// or on a cascade. It ends when closed (a revocation, the viewer leaving),
// when its publication ends, when its instance is lost, or when Janus
// hangs it up.
type Subscription struct {
	p      *Publication
	b      *backend
	gen    *generation
	c      *cascade // nil on the home instance
	handle *janus.VideoRoom

	once sync.Once
	err  error
	done chan struct{}

	// The simulcast layer the viewer asked for (quality.go).
	layer layerChoice
}

// Subscribe places a new subscriber of p (on the home instance while it
// has room for one more, else on a cascade, made when needed) and returns
// it with Janus's SDP offer, which the viewer answers through Start.
func (p *Publication) Subscribe(ctx context.Context) (*Subscription, *janus.JSEP, error) {
	// Janus lists the feed once the publisher's PeerConnection is up.
	select {
	case <-p.up:
	case <-p.done:
		return nil, nil, p.Err()
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("%w: the publisher's media has not reached the media server", ErrUnavailable)
	}
	ctx, cancel := p.t.ctx(ctx)
	defer cancel()
	b, g, c, err := p.reserve(ctx)
	if err != nil {
		return nil, nil, err
	}
	room, feed := p.room.ID, p.feed
	if c != nil {
		room, feed = c.room.ID, c.feed
	}
	h, err := g.session.AttachVideoRoom(ctx)
	var offer *janus.JSEP
	if err == nil {
		if offer, err = h.Subscribe(ctx, room, feed); err != nil {
			_ = h.Detach(context.WithoutCancel(ctx))
		}
	}
	s := &Subscription{p: p, b: b, gen: g, c: c, handle: h, done: make(chan struct{})}
	if offer != nil {
		s.layer.mid = videoMID(offer.SDP)
	}
	if err != nil {
		s.release()
		return nil, nil, mapErr(err)
	}
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		s.release()
		_ = h.Detach(context.WithoutCancel(ctx))
		return nil, nil, p.Err()
	}
	p.subs[s] = struct{}{}
	p.mu.Unlock()
	go s.watch()
	return s, offer, nil
}

// reserve takes a subscriber's place: on the least loaded instance
// carrying the stream that holds fewer of its subscribers than it may, else
// on a new cascade.
func (p *Publication) reserve(ctx context.Context) (*backend, *generation, *cascade, error) {
	p.mu.Lock()
	if p.err != nil {
		defer p.mu.Unlock()
		return nil, nil, nil, p.err
	}
	if b, g, c, ok := p.takeLocked(); ok {
		p.mu.Unlock()
		return b, g, c, nil
	}
	p.mu.Unlock()

	p.cascadeMu.Lock()
	defer p.cascadeMu.Unlock()
	p.mu.Lock()
	if b, g, c, ok := p.takeLocked(); ok { // another subscriber's cascade, or a place freed
		p.mu.Unlock()
		return b, g, c, nil
	}
	p.mu.Unlock()
	c, err := p.addCascade(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, nil, nil, p.err
	}
	p.cascades = append(p.cascades, c)
	c.subs++
	c.b.add(c.gen, 0, 1)
	p.shareLocked()
	go p.watchCascade(c)
	return c.b, c.gen, c, nil
}

// takeLocked takes a place on the home or an existing cascade, the one
// whose instance is least loaded over the deployment among those with
// room; false when none has.
func (p *Publication) takeLocked() (*backend, *generation, *cascade, bool) {
	elsewhere := p.t.cfg.Ledger.Elsewhere()
	places := make([]place, 0, 1+len(p.cascades))
	places = append(places, place{streamSubs: p.homeSubs, load: p.t.load(p.home, elsewhere)})
	for _, c := range p.cascades {
		places = append(places, place{streamSubs: c.subs, load: p.t.load(c.b, elsewhere)})
	}
	i := leastLoaded(places, p.t.cfg.SubscribersPerBackend)
	if i < 0 {
		return nil, nil, nil, false
	}
	defer p.shareLocked()
	if i == 0 {
		p.homeSubs++
		p.home.add(p.gen, 0, 1)
		return p.home, p.gen, nil, true
	}
	c := p.cascades[i-1]
	c.subs++
	c.b.add(c.gen, 0, 1)
	return c.b, c.gen, c, true
}

// place is an instance carrying a stream, as a new subscriber's choice
// sees it: the stream's subscribers there and the instance's load over the
// deployment.
type place struct {
	streamSubs int
	load       Load
}

// leastLoaded is the index of the place with the fewest subscribers over
// the deployment (then the fewest rooms; the earlier on a tie) among those
// holding fewer than limit of the stream's subscribers (0: no limit); -1
// when none has room.
func leastLoaded(places []place, limit int) int {
	best := -1
	for i, pl := range places {
		if limit > 0 && pl.streamSubs >= limit {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := places[best].load
		if pl.load.Subscribers < b.Subscribers || (pl.load.Subscribers == b.Subscribers && pl.load.Rooms < b.Rooms) {
			best = i
		}
	}
	return best
}

// addCascade carries the publication to the least loaded further instance
// that can receive cascaded RTP.
func (p *Publication) addCascade(ctx context.Context) (*cascade, error) {
	p.mu.Lock()
	used := map[*backend]bool{p.home: true}
	for _, c := range p.cascades {
		used[c.b] = true
	}
	p.mu.Unlock()
	b, g, err := p.t.pick(func(b *backend) bool { return !used[b] && b.cfg.RelayIP != "" })
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFull, err)
	}
	room := janus.CascadeRoom(p.t.newRoom(p.name+" (cascade)"), p.streams)
	if err := g.admin.CreateRoom(ctx, room); err != nil {
		return nil, mapErr(err)
	}
	rp, err := g.admin.AddRemotePublisher(ctx, room.ID, room.Secret, p.name, b.cfg.RelayIP, p.streams)
	if err == nil {
		remoteID := fmt.Sprintf("to-%s-%d", b.cfg.Name, room.ID)
		if err = p.gen.admin.PublishRemotely(ctx, p.room.ID, p.room.Secret, p.feed, remoteID, *rp); err == nil {
			b.add(g, 1, 0)
			return &cascade{b: b, gen: g, room: room, feed: rp.ID, remoteID: remoteID}, nil
		}
	}
	p.t.destroyRoom(b, g, room)
	return nil, mapErr(err)
}

// watchCascade drops a cascade whose instance is lost: the home stops
// relaying to it, and its subscribers end (they may subscribe again).
func (p *Publication) watchCascade(c *cascade) {
	select {
	case <-p.done:
		return
	case <-c.gen.lost:
	}
	p.mu.Lock()
	for i, x := range p.cascades {
		if x == c {
			p.cascades = append(p.cascades[:i], p.cascades[i+1:]...)
			break
		}
	}
	p.shareLocked()
	var lost []*Subscription
	for s := range p.subs {
		if s.c == c {
			lost = append(lost, s)
		}
	}
	p.mu.Unlock()
	for _, s := range lost {
		s.end(fmt.Errorf("%w: media server %s lost", ErrUnavailable, c.b.cfg.Name))
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.t.cfg.Timeout)
	defer cancel()
	_ = p.gen.admin.UnpublishRemotely(ctx, p.room.ID, p.room.Secret, p.feed, c.remoteID)
}

// watch ends the subscription when its instance is lost or Janus hangs
// it up.
func (s *Subscription) watch() {
	for {
		select {
		case <-s.done:
			return
		case <-s.gen.lost:
			s.end(fmt.Errorf("%w: media server %s lost", ErrUnavailable, s.b.cfg.Name))
			return
		case ev := <-s.handle.Events():
			if ev.Type == "hangup" {
				s.end(fmt.Errorf("%w (the viewer's: %s)", ErrHungUp, ev.Reason))
				return
			}
		}
	}
}

// Backend is the name of the instance the viewer's media comes from.
func (s *Subscription) Backend() string { return s.b.cfg.Name }

// Cascaded reports whether the viewer is on a cascade, not the home.
func (s *Subscription) Cascaded() bool { return s.c != nil }

// Start sends the viewer's SDP answer; media starts flowing.
func (s *Subscription) Start(ctx context.Context, answer janus.JSEP) error {
	if err := s.Err(); err != nil {
		return err
	}
	ctx, cancel := s.p.t.ctx(ctx)
	defer cancel()
	if err := s.handle.Start(ctx, answer); err != nil {
		return mapErr(err)
	}
	return s.started(ctx)
}

// Trickle passes one of the viewer's ICE candidates to Janus.
func (s *Subscription) Trickle(ctx context.Context, c janus.Candidate) error {
	if err := s.Err(); err != nil {
		return err
	}
	ctx, cancel := s.p.t.ctx(ctx)
	defer cancel()
	return mapErr(s.handle.Trickle(ctx, c))
}

// Done is closed when the subscription has ended; Err says why.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (nil while it lasts).
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription: Janus hangs up the viewer's PeerConnection
// at once (a revocation takes effect here) and the handle is detached.
func (s *Subscription) Close() { s.end(fmt.Errorf("%w: subscription closed", ErrClosed)) }

func (s *Subscription) end(why error) {
	s.once.Do(func() {
		s.err = why
		close(s.done)
		s.p.mu.Lock()
		if s.p.subs != nil {
			delete(s.p.subs, s)
		}
		s.p.mu.Unlock()
		s.release()
		select {
		case <-s.gen.lost:
			return // the instance's connection is gone, and the handle with it
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.p.t.cfg.Timeout)
		defer cancel()
		_ = s.handle.Hangup(ctx)
		_ = s.handle.Detach(ctx)
	})
}

// release gives the subscriber's place back.
func (s *Subscription) release() {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.c == nil {
		s.p.homeSubs--
	} else {
		s.c.subs--
	}
	s.b.add(s.gen, 0, -1)
	s.p.shareLocked()
}
