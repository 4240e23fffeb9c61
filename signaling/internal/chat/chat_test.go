package chat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/internal/chat"
	"github.com/streamchain/streamchain/signaling/internal/cluster/redis"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// stores runs f against every Store: in memory, and in a real Redis.
func stores(t *testing.T, f func(t *testing.T, s chat.Store)) {
	t.Run("memory", func(t *testing.T) { f(t, chat.NewMemoryStore(time.Hour, nil)) })
	t.Run("redis", func(t *testing.T) {
		r := signalingtest.StartRedis(t)
		f(t, redis.NewChatStore(r.Client(t), "sc:test:", time.Hour))
	})
}

func TestPostAndHistory(t *testing.T) {
	stores(t, func(t *testing.T, s chat.Store) {
		ctx := context.Background()
		clk := &clock{time.Date(2026, 12, 6, 20, 0, 0, 123456789, time.UTC)}
		c := chat.New(s, chat.Limits{History: 3}, clk.now)
		var ids []string
		for i, text := range []string{"  hello  ", "second", "third", "fourth"} {
			clk.t = clk.t.Add(time.Second)
			m, err := c.Post(ctx, "s1", "addr1", "Alice", text)
			require.NoError(t, err)
			require.Equal(t, strings.TrimSpace(text), m.Text, "message %d", i)
			require.Equal(t, "addr1", m.From)
			require.Equal(t, "Alice", m.Name)
			require.Equal(t, clk.t.Truncate(time.Millisecond), m.At, "the server's time, to the millisecond")
			require.NotContains(t, ids, m.ID)
			if len(ids) > 0 {
				require.Greater(t, m.ID, ids[len(ids)-1], "ids sort by time")
			}
			ids = append(ids, m.ID)
		}
		h, err := c.History(ctx, "s1")
		require.NoError(t, err)
		require.Len(t, h, 3, "the newest History kept")
		require.Equal(t, []string{"second", "third", "fourth"}, []string{h[0].Text, h[1].Text, h[2].Text}, "oldest first")

		other, err := c.History(ctx, "s2")
		require.NoError(t, err)
		require.Empty(t, other, "sessions are separate")

		require.NoError(t, c.Delete(ctx, "s1", ids[2]))
		require.ErrorIs(t, c.Delete(ctx, "s1", ids[2]), chat.ErrNoSuchMessage)
		require.ErrorIs(t, c.Delete(ctx, "s1", "nope"), chat.ErrNoSuchMessage)
		h, _ = c.History(ctx, "s1")
		require.Equal(t, []string{"second", "fourth"}, []string{h[0].Text, h[1].Text})

		tip, err := c.Tip(ctx, "s1", "addr2", "Bob", "5000000ustream", "great show")
		require.NoError(t, err)
		require.Equal(t, "5000000ustream", tip.Tip)
		h, _ = c.History(ctx, "s1")
		require.Equal(t, tip, h[len(h)-1])

		require.NoError(t, c.End(ctx, "s1"))
		h, _ = c.History(ctx, "s1")
		require.Empty(t, h, "an ended session is forgotten")
	})
}

func TestRefusedTextIsNotKept(t *testing.T) {
	ctx := context.Background()
	c := chat.New(chat.NewMemoryStore(time.Hour, nil), chat.Limits{MaxBytes: 20}, nil)
	for _, text := range []string{
		"", "   ", "\u200b", "\u200b\u200d", // nothing visible
		"bell\x07", "two\nlines", "tab\there", "nul\x00", "c1\u0085c", "ls\u2028s", // control characters
		"\u202eevil", "iso\u2066late", // bidi overrides and isolates
		"\xff\xfe", "bad \xc3", // invalid UTF-8
		"\uffff", "\ufdd0x", "\u0378x", // noncharacters, unassigned
		strings.Repeat("a", 21), strings.Repeat("é", 11), // over the cap in bytes
	} {
		_, err := c.Post(ctx, "s", "addr", "", text)
		require.ErrorIs(t, err, chat.ErrInvalidText, "%q", text)
	}
	h, _ := c.History(ctx, "s")
	require.Empty(t, h)
	for _, text := range []string{"ok", "日本語のテキ", "👩‍👩‍👧", "مرحبا", strings.Repeat("a", 20)} {
		_, err := c.Post(ctx, "s", "addr"+text, "", text)
		require.NoError(t, err, "%q", text)
	}
}

func TestRateLimitPerAccountAndSession(t *testing.T) {
	ctx := context.Background()
	clk := &clock{time.Unix(1_800_000_000, 0)}
	c := chat.New(chat.NewMemoryStore(time.Hour, nil), chat.Limits{Rate: 1, Burst: 3}, clk.now)
	for i := range 3 {
		_, err := c.Post(ctx, "s", "a", "", "hi")
		require.NoError(t, err, "message %d of the burst", i)
	}
	_, err := c.Post(ctx, "s", "a", "", "hi")
	require.ErrorIs(t, err, chat.ErrRateLimited)
	_, err = c.Post(ctx, "s", "b", "", "hi")
	require.NoError(t, err, "another account has its own budget")
	_, err = c.Post(ctx, "s2", "a", "", "hi")
	require.NoError(t, err, "another session has its own budget")
	clk.t = clk.t.Add(time.Second)
	_, err = c.Post(ctx, "s", "a", "", "hi")
	require.NoError(t, err, "a second later one more")
	_, err = c.Post(ctx, "s", "a", "", "hi")
	require.ErrorIs(t, err, chat.ErrRateLimited)
	h, _ := c.History(ctx, "s")
	require.Len(t, h, 5, "refused messages are not kept")
}

func TestModeration(t *testing.T) {
	stores(t, func(t *testing.T, s chat.Store) {
		ctx := context.Background()
		c := chat.New(s, chat.Limits{}, nil)
		require.NoError(t, c.Restrict(ctx, "s", "m", chat.Muted))
		_, err := c.Post(ctx, "s", "m", "", "hi")
		require.ErrorIs(t, err, chat.ErrMuted)
		r, err := c.Restriction(ctx, "s", "m")
		require.NoError(t, err)
		require.Equal(t, chat.Muted, r, "a muted account is muted, not removed: it still reads")
		_, err = c.Post(ctx, "other", "m", "", "hi")
		require.NoError(t, err, "a mute holds in its session only")

		require.NoError(t, c.Restrict(ctx, "s", "r", chat.Removed))
		require.NoError(t, c.Restrict(ctx, "s", "r", chat.Muted), "a weaker restriction later")
		_, err = c.Post(ctx, "s", "r", "", "hi")
		require.ErrorIs(t, err, chat.ErrRemoved, "removed stays removed")
		r, _ = c.Restriction(ctx, "s", "r")
		require.Equal(t, chat.Removed, r)

		require.NoError(t, c.End(ctx, "s"))
		_, err = c.Post(ctx, "s", "m", "", "hi")
		require.NoError(t, err, "restrictions end with the session")
	})
}

func TestRedisSharedAndUnavailable(t *testing.T) {
	r := signalingtest.StartRedis(t)
	ctx := context.Background()
	a := chat.New(redis.NewChatStore(r.Client(t), "sc:test:", time.Hour), chat.Limits{}, nil)
	b := chat.New(redis.NewChatStore(r.Client(t), "sc:test:", time.Hour), chat.Limits{}, nil)
	m, err := a.Post(ctx, "s", "x", "X", "from instance a")
	require.NoError(t, err)
	h, err := b.History(ctx, "s")
	require.NoError(t, err)
	require.Equal(t, []chat.Message{m}, h, "another instance sees the same history")
	require.NoError(t, b.Restrict(ctx, "s", "x", chat.Muted))
	_, err = a.Post(ctx, "s", "x", "X", "again")
	require.ErrorIs(t, err, chat.ErrMuted, "a mute on one instance holds on the other")
	ttl, err := r.Client(t).TTL(ctx, "sc:test:chat:s:log").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 59*time.Minute, "kept state expires")

	r.Kill()
	_, err = a.Post(ctx, "s", "y", "", "hi")
	require.True(t, errors.Is(err, chat.ErrUnavailable), "%v", err)
	_, err = a.History(ctx, "s")
	require.ErrorIs(t, err, chat.ErrUnavailable)
}

// FuzzPost: whatever is accepted is valid UTF-8 within the cap, with no
// control character, and comes back from the history as it was accepted.
func FuzzPost(f *testing.F) {
	for _, s := range []string{"hi", "", "\x07", "\u202e", "👩‍👩‍👧", "\xff", strings.Repeat("x", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := chat.New(chat.NewMemoryStore(time.Hour, nil), chat.Limits{Burst: 1 << 20, Rate: 1 << 20}, nil)
		m, err := c.Post(context.Background(), "s", "a", "", text)
		if err != nil {
			if !errors.Is(err, chat.ErrInvalidText) {
				t.Fatalf("%q: %v", text, err)
			}
			return
		}
		if len(m.Text) > 500 || !isClean(m.Text) {
			t.Fatalf("accepted %q as %q", text, m.Text)
		}
		h, _ := c.History(context.Background(), "s")
		if len(h) != 1 || h[0] != m {
			t.Fatalf("history %v, want [%v]", h, m)
		}
	})
}

func isClean(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return strings.TrimSpace(s) == s && s != ""
}
