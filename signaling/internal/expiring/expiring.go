// Package expiring is a map whose entries each carry their own expiry: what
// the daemon remembers for a while (sign-in nonces, resume tokens, the
// chain's answers) and must forget without a goroutine of its own.
//
// hashicorp/golang-lru's expirable LRU was the other candidate: it gives
// every entry one TTL fixed at construction (a resume token's expiry
// depends on the signature that began its chain), reads the wall clock
// (the tests move time), and starts a goroutine that never ends.
package expiring

import "time"

// sweepEvery is how often a write looks for expired entries: the cost of a
// sweep is spread over a second's writes, not paid by each.
const sweepEvery = time.Second

// Map holds values until their expiry. It is not safe for concurrent use:
// its owner guards it with the lock that guards the rest of its state.
type Map[K comparable, V any] struct {
	now func() time.Time
	// max bounds the entries (0: unbounded); a write to a full map that a
	// sweep cannot make room in starts over from an empty one.
	max int
	// dropped, when set, is told of each entry a sweep removes, so the
	// owner can keep its indexes of them in step.
	dropped func(K, V)

	entries   map[K]entry[V]
	lastSweep time.Time
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// New returns an empty Map reading time from now (time.Now when nil).
func New[K comparable, V any](now func() time.Time, max int, dropped func(K, V)) *Map[K, V] {
	if now == nil {
		now = time.Now
	}
	return &Map[K, V]{now: now, max: max, dropped: dropped, entries: make(map[K]entry[V])}
}

// Put holds v under k until expires.
func (m *Map[K, V]) Put(k K, v V, expires time.Time) {
	now := m.now()
	full := m.max > 0 && len(m.entries) >= m.max
	if full || now.Sub(m.lastSweep) >= sweepEvery {
		m.sweep(now)
	}
	if m.max > 0 && len(m.entries) >= m.max {
		clear(m.entries)
	}
	m.entries[k] = entry[V]{v: v, expires: expires}
}

// Get is k's value while it has not expired.
func (m *Map[K, V]) Get(k K) (V, bool) {
	e, ok := m.entries[k]
	if !ok || !m.now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Take is Get that also forgets k.
func (m *Map[K, V]) Take(k K) (V, bool) {
	v, ok := m.Get(k)
	delete(m.entries, k)
	return v, ok
}

// Delete forgets k.
func (m *Map[K, V]) Delete(k K) { delete(m.entries, k) }

// Len counts the entries held, expired ones not yet swept included.
func (m *Map[K, V]) Len() int { return len(m.entries) }

func (m *Map[K, V]) sweep(now time.Time) {
	m.lastSweep = now
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
			if m.dropped != nil {
				m.dropped(k, e.v)
			}
		}
	}
}
