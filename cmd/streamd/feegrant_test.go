package main

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
)

// TestFeeGrantRefusalsAreReadable pays fees with --fee-granter in every way
// a grant can refuse: no grant at all, a revoked grant, an allowance the fee
// exceeds, a message type the allowance does not cover. Each must be
// refused with the feegrant module's registered code (never code 1) and a
// log naming both accounts in bech32, with no raw address bytes.
func TestFeeGrantRefusalsAreReadable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	alice, bob, carol := node.Addrs["alice"], node.Addrs["bob"], node.Addrs["carol"]

	// carol lets bob pay for bank sends only; alice grants, then revokes.
	requireOK(t, node.Tx("carol", "feegrant", "grant", carol, bob, "--allowed-messages", "/cosmos.bank.v1beta1.MsgSend"))
	requireOK(t, node.Tx("alice", "feegrant", "grant", alice, bob))
	requireOK(t, node.Tx("alice", "feegrant", "revoke", alice, bob))
	// bob lets alice pay up to 1000ustream (the fee is 5000ustream).
	requireOK(t, node.Tx("bob", "feegrant", "grant", bob, alice, "--spend-limit", "1000ustream"))

	cases := []struct {
		name, from, granter string
		args                []string
		code                uint32
	}{
		{"no grant", "carol", alice, []string{"bank", "send", carol, alice, "1ustream"}, 5},
		{"revoked grant", "bob", alice, []string{"bank", "send", bob, alice, "1ustream"}, 5},
		{"allowance exceeded", "alice", bob, []string{"bank", "send", alice, bob, "1ustream"}, 2},
		{"message type not allowed", "bob", carol, []string{"streaming", "edit-profile", "Bob"}, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := node.Broadcast(c.from, append(c.args, "--fees", cli.Fee, "--fee-granter", c.granter)...)
			t.Logf("%s/%d: %s", res.Codespace, res.Code, res.RawLog)
			require.Equal(t, "feegrant", res.Codespace, "code %d: %s", res.Code, res.RawLog)
			require.Equal(t, c.code, res.Code, res.RawLog)
			require.Contains(t, res.RawLog, c.granter)
			require.Contains(t, res.RawLog, node.Addrs[c.from])
			requirePrintable(t, res.RawLog)
		})
	}
}

// requirePrintable fails on text a person cannot read: invalid UTF-8 or
// control characters (what raw address bytes print as).
func requirePrintable(t *testing.T, s string) {
	t.Helper()
	require.True(t, utf8.ValidString(s), "not UTF-8: %q", s)
	for _, r := range s {
		require.True(t, r == '\n' || r == '\t' || (unicode.IsPrint(r) && r != utf8.RuneError), "unprintable %q in %q", r, s)
	}
}
