package janus

import (
	"sync/atomic"
	"testing"

	"github.com/streamchain/streamchain/testutil/netns"
)

// NetNS is a network namespace made for Janus (see testutil/netns): Janus
// binds to its NSIP and gathers ICE candidates on its NSIf.
type NetNS struct {
	*netns.NS

	servers atomic.Uint32 // Janus instances started in it
}

// TestNet is the range every test namespace's addresses come from; pion
// peers gather on the host's ends (LocalAPI allows it and 127.0.0.0/8).
var TestNet = netns.TestNet

// NewNetNS creates a namespace for Janus; it is deleted when tb ends.
func NewNetNS(tb testing.TB) *NetNS {
	tb.Helper()
	return &NetNS{NS: netns.New(tb, "scjanus")}
}
