package sfu

import (
	"context"
	"sync"
)

// Quality is the simulcast layer a subscriber receives when its publisher
// sends layers: the highest by default; a viewer on a weak downlink asks
// for a lower one. While the layer asked for does not arrive (a browser
// leaves out the layers its camera cannot fill) Janus sends the nearest one
// that does, so a choice never leaves a viewer without video.
type Quality uint8

const (
	QualityHigh Quality = iota
	QualityMedium
	QualityLow
)

// substream is Janus's index of the layer: 0 is the lowest.
func (q Quality) substream() int { return 2 - int(q) }

// layerChoice is a subscription's quality and whether Janus has it: the
// choice may come before the viewer's answer, and applies once media
// starts.
type layerChoice struct {
	mu      sync.Mutex
	mid     string // the video m-line of Janus's offer
	quality Quality
	started bool
}

// SetQuality chooses the layer the viewer receives: at once when its media
// has started, else when it starts. Without video (no mid) there is
// nothing to choose.
func (s *Subscription) SetQuality(ctx context.Context, q Quality) error {
	if err := s.Err(); err != nil {
		return err
	}
	s.layer.mu.Lock()
	defer s.layer.mu.Unlock()
	if !s.layer.started || s.layer.mid == "" {
		s.layer.quality = q
		return nil
	}
	if s.layer.quality == q {
		return nil
	}
	ctx, cancel := s.p.t.ctx(ctx)
	defer cancel()
	if err := s.handle.SetSubstream(ctx, s.layer.mid, q.substream()); err != nil {
		return mapErr(err)
	}
	s.layer.quality = q
	return nil
}

// started applies a quality chosen before the viewer's answer.
func (s *Subscription) started(ctx context.Context) error {
	s.layer.mu.Lock()
	defer s.layer.mu.Unlock()
	s.layer.started = true
	if s.layer.quality == QualityHigh || s.layer.mid == "" {
		return nil // Janus's own default
	}
	return mapErr(s.handle.SetSubstream(ctx, s.layer.mid, s.layer.quality.substream()))
}
