package signaling_test

import (
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// Under a descriptor limit too low for -max-conns the server says so at
// start and caps public TCP connections below the limit, so connections
// held open by a client cannot take the descriptors the metrics listener
// needs.
func TestDescriptorLimitKeepsAReserve(t *testing.T) {
	var logs signalingtest.SyncBuffer
	e := newEnvWith(t, []signaling.Option{
		signaling.WithDescriptorLimitForTest(100),
		signaling.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
	}, func(c *signaling.Config) { c.MaxConnsPerIP = 500 })
	require.Contains(t, logs.String(), "descriptor limit is below what -max-conns needs")

	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			_ = c.Close()
		}
	})
	for range 60 {
		c, err := net.Dial("tcp", e.hs.Listener.Addr().String())
		require.NoError(t, err)
		held = append(held, c)
	}
	waitFor(t, "connections beyond the capacity refused", func() bool {
		return e.metric("signaling_connections_rejected_total", "reason", "tcp_capacity") >= 60-(100-64)
	})
	require.EqualValues(t, 60-(100-64), e.metric("signaling_connections_rejected_total", "reason", "tcp_capacity"))
	resp, err := http.Get(e.internalURL() + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
