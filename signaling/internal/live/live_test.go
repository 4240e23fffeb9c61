package live

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLiveStatusCoalescesAndIgnoresRoomsOffAir(t *testing.T) {
	l := NewStatus(1)
	l.ViewerCount(7, 3) // viewers waiting, no broadcaster
	require.Empty(t, l.Snapshot().Streams)
	l.OnAir(7)
	require.Equal(t, []Stream{{StreamID: 7, Viewers: 3}}, l.Snapshot().Streams)
	l.OnAir(2)
	l.ViewerCount(2, 1)
	require.Equal(t, []Stream{{StreamID: 2, Viewers: 1}, {StreamID: 7, Viewers: 3}}, l.Snapshot().Streams)
	l.OffAir(7)
	l.ViewerCount(7, 0)
	require.Equal(t, []Stream{{StreamID: 2, Viewers: 1}}, l.Snapshot().Streams)
}
