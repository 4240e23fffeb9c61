package signaling_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
)

// A media server named by host name in -sfu takes cascades as one named
// by address: the name is resolved when signalingd starts; one that does
// not resolve is an error (logged; no cascade goes there).
func TestCascadesGoToResolvedHostNames(t *testing.T) {
	for host, want := range map[string]string{"10.1.2.3": "10.1.2.3", "::1": "::1", "localhost": "127.0.0.1"} {
		got, err := signaling.RelayIPForTest(host)
		require.NoError(t, err, host)
		require.Equal(t, want, got, host)
	}
	_, err := signaling.RelayIPForTest("janus.example.invalid")
	require.Error(t, err)
}
