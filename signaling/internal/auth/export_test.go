package auth

import "time"

// AddNonceForTest records a challenge as if Issue had produced it with this
// nonce and these times (fixed test vectors have fixed nonces).
func (a *Authenticator) AddNonceForTest(owner uint64, origin, nonce string, issued, expires time.Time) string {
	text := ChallengeText(origin, a.chainID, nonce, issued, expires)
	_ = a.nonces.Put(owner, nonce, text, expires)
	return text
}
