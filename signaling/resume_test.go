package signaling_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// resumeOn signs in on a new connection with token and returns the
// authenticated message.
func resumeOn(t *testing.T, e *env, token string) (*signalingtest.Client, signalingtest.Msg) {
	t.Helper()
	c := e.dial()
	c.Expect("challenge")
	c.Send(map[string]any{"type": "resume", "token": token})
	return c, c.Next()
}

func TestResumeTokenSignsInOnceWithoutASignature(t *testing.T) {
	e := newEnv(t)
	w := signalingtest.NewWallet()
	c := e.dial()
	first := c.SignIn(w)
	token := first.Str("resume_token")
	require.Len(t, token, 43, "256 random bits, base64url")
	expires, err := time.Parse(time.RFC3339, first.Str("resume_expires_at"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(e.cfg.ResumeTTL), expires, 5*time.Second)

	_, again := resumeOn(t, e, token)
	require.Equal(t, "authenticated", again.Type(), "%v", again)
	require.Equal(t, w.Address, again.Str("address"))
	require.NotEqual(t, first.Str("peer_id"), again.Str("peer_id"))
	require.NotEmpty(t, again.Str("resume_token"))
	require.NotEqual(t, token, again.Str("resume_token"), "a fresh token each time")

	_, replay := resumeOn(t, e, token)
	require.Equal(t, "auth_resume_invalid", replay.Str("code"), "single use: %v", replay)
	require.Equal(t, "resume", replay.Str("request"))
	_, unknown := resumeOn(t, e, "not-a-token")
	require.Equal(t, "auth_resume_invalid", unknown.Str("code"))

	// Signed in already: resume is refused like a second auth.
	c.Send(map[string]any{"type": "resume", "token": again.Str("resume_token")})
	c.ExpectError("already_authenticated")
}

func TestSharedResumeWorksOnAnotherInstance(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	w := signalingtest.NewWallet()
	conn := a.dial()
	token := conn.SignIn(w).Str("resume_token")
	conn.Close()

	_, moved := resumeOn(t, b.env, token)
	require.Equal(t, "authenticated", moved.Type(), "%v", moved)
	require.Equal(t, w.Address, moved.Str("address"))
	_, replay := resumeOn(t, a.env, token)
	require.Equal(t, "auth_resume_invalid", replay.Str("code"), "single use across instances: %v", replay)
}

// Resuming again and again does not keep one signature alive for ever:
// every token of the chain expires by the absolute lifetime counted from
// the signature, after which only a new signature signs in.
func TestResumeChainEndsAtMaxLifetime(t *testing.T) {
	const lifetime = 2 * time.Second
	check := func(t *testing.T, e *env) {
		w := signalingtest.NewWallet()
		signedAt := time.Now()
		token := e.dial().SignIn(w).Str("resume_token")
		last := token
		for time.Since(signedAt) < lifetime+time.Second {
			_, m := resumeOn(t, e, last)
			if m.Type() != "authenticated" {
				require.Equal(t, "auth_resume_invalid", m.Str("code"), "%v", m)
				break
			}
			if m.Str("resume_token") == "" {
				break // the last link: no token is offered past the lifetime
			}
			expires, err := time.Parse(time.RFC3339, m.Str("resume_expires_at"))
			require.NoError(t, err)
			require.False(t, expires.After(signedAt.Add(lifetime)), "token expires %s, past the signature's lifetime", expires)
			last = m.Str("resume_token")
			time.Sleep(300 * time.Millisecond)
		}
		require.Less(t, time.Since(signedAt), lifetime+time.Second, "the chain of resumes outlived its signature")
		_, m := resumeOn(t, e, last)
		require.Equal(t, "auth_resume_invalid", m.Str("code"), "%v", m)
		e.dial().SignIn(w) // a new signature still works
	}
	short := func(c *signaling.Config) { c.ResumeTTL, c.ResumeMaxLifetime = time.Second, lifetime }
	t.Run("single", func(t *testing.T) { check(t, newEnv(t, short)) })
	t.Run("shared", func(t *testing.T) {
		c := newCluster(t, short)
		check(t, c.start("a").env)
	})
}

// A connection that stays signed in gets a fresh token every half ttl, each
// of which signs in once; past the chain's lifetime no more come.
func TestSignedInConnectionGetsFreshResumeTokens(t *testing.T) {
	const ttl, lifetime = 2 * time.Second, 4 * time.Second
	e := newEnv(t, func(c *signaling.Config) { c.ResumeTTL, c.ResumeMaxLifetime = ttl, lifetime })
	w := signalingtest.NewWallet()
	c := e.dial()
	signedAt := time.Now()
	first := c.SignIn(w).Str("resume_token")
	m := c.Expect("resume_token")
	require.InDelta(t, float64(ttl/2), float64(time.Since(signedAt)), float64(time.Second), "renewed at half the ttl")
	fresh := m.Str("resume_token")
	require.NotEqual(t, first, fresh)
	expires, err := time.Parse(time.RFC3339, m.Str("resume_expires_at"))
	require.NoError(t, err)
	require.False(t, expires.After(signedAt.Add(lifetime)), "no token outlives the signature's lifetime")

	_, again := resumeOn(t, e, fresh)
	require.Equal(t, "authenticated", again.Type(), "%v", again)
	require.Equal(t, w.Address, again.Str("address"))
	_, again = resumeOn(t, e, first)
	require.Equal(t, "authenticated", again.Type(), "the earlier token is still good once: %v", again)

	// Renewals stop once the lifetime is reached.
	for {
		m, ok := c.TryNext(ttl)
		if !ok {
			break
		}
		require.Equal(t, "resume_token", m.Type())
		require.Less(t, time.Since(signedAt), lifetime+time.Second, "a token was renewed past the lifetime")
	}
}
