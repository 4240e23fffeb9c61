package chat

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/streamchain/streamchain/signaling/internal/expiring"
)

// Limits bound what one account may post.
type Limits struct {
	// MaxBytes is the longest message, in bytes of UTF-8 (default 500).
	MaxBytes int
	// History is how many messages a session keeps for newcomers
	// (default 100).
	History int
	// Rate and Burst: messages per second per account and session, and
	// how many may come at once (defaults 1 and 5).
	Rate  float64
	Burst int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 500
	}
	if l.History <= 0 {
		l.History = 100
	}
	if l.Rate <= 0 {
		l.Rate = 1
	}
	if l.Burst <= 0 {
		l.Burst = 5
	}
	return l
}

// Chat applies the rules and keeps state in a Store.
type Chat struct {
	store  Store
	limits Limits
	now    func() time.Time
	// limiters are per (session, account), kept while used: an account
	// idle for a minute starts again with a full burst, which is no more
	// than it had.
	mu       sync.Mutex
	limiters *expiring.Map[string, *rate.Limiter]
}

// New makes a Chat over store; now is the clock (nil: time.Now).
func New(store Store, limits Limits, now func() time.Time) *Chat {
	if now == nil {
		now = time.Now
	}
	return &Chat{
		store: store, limits: limits.withDefaults(), now: now,
		limiters: expiring.New[string, *rate.Limiter](now, 100_000, nil),
	}
}

// Limits are the limits in force (defaults filled in).
func (c *Chat) Limits() Limits { return c.limits }

// Post checks and keeps a message from account (named name) in session.
func (c *Chat) Post(ctx context.Context, session, account, name, text string) (Message, error) {
	text, err := checkText(text, c.limits.MaxBytes)
	if err != nil {
		return Message{}, err
	}
	if err := c.mayPost(ctx, session, account); err != nil {
		return Message{}, err
	}
	if !c.limiter(session, account).AllowN(c.now(), 1) {
		return Message{}, fmt.Errorf("%w: at most %g a second (bursts of %d)", ErrRateLimited, c.limits.Rate, c.limits.Burst)
	}
	return c.keep(ctx, session, Message{From: account, Name: name, Text: text})
}

// Tip keeps a line announcing a tip (amount, e.g. "5000000ustream") with
// its memo, which the chain has already checked; no rate limit applies
// (each tip is a paid transaction).
func (c *Chat) Tip(ctx context.Context, session, account, name, amount, memo string) (Message, error) {
	return c.keep(ctx, session, Message{From: account, Name: name, Text: memo, Tip: amount})
}

func (c *Chat) keep(ctx context.Context, session string, m Message) (Message, error) {
	m.At = c.now().UTC().Truncate(time.Millisecond)
	m.ID = newID(m.At)
	if err := c.store.Append(ctx, session, m, c.limits.History); err != nil {
		return Message{}, err
	}
	return m, nil
}

func (c *Chat) mayPost(ctx context.Context, session, account string) error {
	r, err := c.store.Restriction(ctx, session, account)
	switch {
	case err != nil:
		return err
	case r == Removed:
		return ErrRemoved
	case r == Muted:
		return ErrMuted
	}
	return nil
}

// Restriction is account's restriction in the session.
func (c *Chat) Restriction(ctx context.Context, session, account string) (Restriction, error) {
	return c.store.Restriction(ctx, session, account)
}

func (c *Chat) limiter(session, account string) *rate.Limiter {
	k := session + "\x00" + account
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters.Get(k)
	if !ok {
		l = rate.NewLimiter(rate.Limit(c.limits.Rate), c.limits.Burst)
	}
	c.limiters.Put(k, l, c.now().Add(time.Minute))
	return l
}

// History is what a newcomer is shown, oldest first.
func (c *Chat) History(ctx context.Context, session string) ([]Message, error) {
	return c.store.History(ctx, session)
}

// Delete removes message id from the session (the broadcaster's call; the
// hub checks who asks).
func (c *Chat) Delete(ctx context.Context, session, id string) error {
	ok, err := c.store.Delete(ctx, session, id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchMessage
	}
	return nil
}

// Restrict mutes or removes account for the rest of the session.
func (c *Chat) Restrict(ctx context.Context, session, account string, r Restriction) error {
	return c.store.Restrict(ctx, session, account, r)
}

// End forgets the session (it has ended).
func (c *Chat) End(ctx context.Context, session string) error { return c.store.End(ctx, session) }
