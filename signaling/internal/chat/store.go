package chat

import (
	"context"
	"slices"
	"sync"
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

// MemoryStore keeps sessions in this process (one instance).
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]*memSession
}

type memSession struct {
	log   []Message
	restr map[string]Restriction
}

// NewMemoryStore makes an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{sessions: make(map[string]*memSession)} }

func (s *MemoryStore) session(name string) *memSession {
	ms := s.sessions[name]
	if ms == nil {
		ms = &memSession{restr: make(map[string]Restriction)}
		s.sessions[name] = ms
	}
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
	if ms := s.sessions[session]; ms != nil {
		return slices.Clone(ms.log), nil
	}
	return nil, nil
}

func (s *MemoryStore) Delete(_ context.Context, session, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.sessions[session]
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
	if ms := s.sessions[session]; ms != nil {
		return ms.restr[account], nil
	}
	return Allowed, nil
}

func (s *MemoryStore) End(_ context.Context, session string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, session)
	return nil
}
