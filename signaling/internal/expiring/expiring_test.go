package expiring

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestEntriesExpireEachAtTheirOwnTime(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	var dropped []string
	m := New[string, int](c.now, 0, func(k string, _ int) { dropped = append(dropped, k) })
	m.Put("short", 1, c.t.Add(time.Second))
	m.Put("long", 2, c.t.Add(time.Minute))
	if v, ok := m.Get("short"); !ok || v != 1 {
		t.Fatalf("short = %d, %v before its expiry", v, ok)
	}
	c.t = c.t.Add(2 * time.Second)
	if _, ok := m.Get("short"); ok {
		t.Fatal("short is still there after its expiry")
	}
	if v, ok := m.Get("long"); !ok || v != 2 {
		t.Fatalf("long = %d, %v before its expiry", v, ok)
	}
	if m.Len() != 2 {
		t.Fatalf("expired entries are swept by writes, not reads: len %d", m.Len())
	}
	m.Put("new", 3, c.t.Add(time.Minute))
	if m.Len() != 2 || len(dropped) != 1 || dropped[0] != "short" {
		t.Fatalf("after a sweep: len %d, dropped %v", m.Len(), dropped)
	}
	if v, ok := m.Take("long"); !ok || v != 2 {
		t.Fatalf("take long = %d, %v", v, ok)
	}
	if _, ok := m.Take("long"); ok {
		t.Fatal("a taken entry is taken once")
	}
}

func TestAFullMapStartsOver(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := New[int, int](c.now, 3, nil)
	for i := range 3 {
		m.Put(i, i, c.t.Add(time.Duration(i+1)*time.Second))
	}
	c.t = c.t.Add(1500 * time.Millisecond)
	m.Put(3, 3, c.t.Add(time.Minute)) // the expired entry makes room
	if m.Len() != 3 {
		t.Fatalf("len %d after a sweep made room", m.Len())
	}
	if _, ok := m.Get(1); !ok {
		t.Fatal("a live entry went though the sweep made room")
	}
	m.Put(4, 4, c.t.Add(time.Minute)) // nothing expired: start over
	if m.Len() != 1 {
		t.Fatalf("len %d after starting over", m.Len())
	}
	if v, ok := m.Get(4); !ok || v != 4 {
		t.Fatalf("the new entry: %d, %v", v, ok)
	}
}
