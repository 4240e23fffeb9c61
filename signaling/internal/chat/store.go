package chat

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/expiring"
)

// Restriction is what the broadcaster has done to an account in a session.
type Restriction uint8

const (
	Allowed Restriction = iota
	// Muted: may read, may not post.
	Muted
	// Removed: may neither read nor post (the hub also ends its viewing).
	Removed
)

// Store holds sessions' histories and moderation state. A session is named
// by the hub (a stream and the start of its live session), so a new
// session starts clean.
type Store interface {
	// Append adds m to the session's history, keeping the newest keep.
	Append(ctx context.Context, session string, m Message, keep int) error
	// History is the session's kept messages, oldest first.
	History(ctx context.Context, session string) ([]Message, error)
	// Delete removes message id; false if it is not (or no longer) kept.
	Delete(ctx context.Context, session, id string) (bool, error)
	// Restrict records r for account in the session (a stronger
	// restriction is never weakened: removed stays removed).
	Restrict(ctx context.Context, session, account string, r Restriction) error
	// Restriction is account's restriction in the session.
	Restriction(ctx context.Context, session, account string) (Restriction, error)
	// End forgets the session.
	End(ctx context.Context, session string) error
}

// MemoryStore keeps sessions in this process (one instance). A session is
// forgotten ttl after its last change, as in Redis, so one whose End never
// came (its room emptied and nobody came back) does not stay.
type MemoryStore struct {
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex
	sessions *expiring.Map[string, *memSession]
}

type memSession struct {
	log   []Message
	restr map[string]Restriction
}

// maxMemorySessions bounds the sessions kept (far above the streams one
// instance carries at once).
const maxMemorySessions = 100_000

// NewMemoryStore makes an empty MemoryStore whose sessions last ttl after
// their last change; now is the clock (nil: time.Now).
func NewMemoryStore(ttl time.Duration, now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{ttl: ttl, now: now, sessions: expiring.New[string, *memSession](now, maxMemorySessions, nil)}
}

// get is session name's state, if kept.
func (s *MemoryStore) get(name string) *memSession {
	ms, _ := s.sessions.Get(name)
	return ms
}

// session is session name's state for a change, made if needed; its
// expiry moves to ttl from now.
func (s *MemoryStore) session(name string) *memSession {
	ms := s.get(name)
	if ms == nil {
		ms = &memSession{restr: make(map[string]Restriction)}
	}
	s.sessions.Put(name, ms, s.now().Add(s.ttl))
	return ms
}

func (s *MemoryStore) Append(_ context.Context, session string, m Message, keep int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.session(session)
	ms.log = append(ms.log, m)
	if over := len(ms.log) - keep; over > 0 {
		ms.log = slices.Delete(ms.log, 0, over)
	}
	return nil
}

func (s *MemoryStore) History(_ context.Context, session string) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ms := s.get(session); ms != nil {
		return slices.Clone(ms.log), nil
	}
	return nil, nil
}

func (s *MemoryStore) Delete(_ context.Context, session, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.get(session)
	if ms == nil {
		return false, nil
	}
	i := slices.IndexFunc(ms.log, func(m Message) bool { return m.ID == id })
	if i < 0 {
		return false, nil
	}
	ms.log = slices.Delete(ms.log, i, i+1)
	return true, nil
}

func (s *MemoryStore) Restrict(_ context.Context, session, account string, r Restriction) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.session(session)
	ms.restr[account] = max(ms.restr[account], r)
	return nil
}

func (s *MemoryStore) Restriction(_ context.Context, session, account string) (Restriction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ms := s.get(session); ms != nil {
		return ms.restr[account], nil
	}
	return Allowed, nil
}

func (s *MemoryStore) End(_ context.Context, session string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions.Delete(session)
	return nil
}
