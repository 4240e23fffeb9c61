package signaling_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSharedWebAppMayConnectToTheOtherInstances: in shared mode the web app
// one instance serves may open the other live instances' /ws and
// /instances.json (its Content-Security-Policy names them), so that it can
// move there when its own instance goes away (PROTOCOL.md §12).
func TestSharedWebAppMayConnectToTheOtherInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	// B's URL is known once B has served a request (it advertises the origin
	// it is reached at) and A has refreshed its list.
	waitFor(t, "a to know b's URL", func() bool {
		list := a.instances(t)
		return len(list) == 2 && list[1].URL == b.hs.URL
	})
	resp, err := http.Get(a.hs.URL + "/")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var connect string
	for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "connect-src ") {
			connect = d
		}
	}
	sources := strings.Fields(connect)
	require.Contains(t, sources, b.hs.URL, "B's /instances.json: %s", connect)
	require.Contains(t, sources, "ws"+strings.TrimPrefix(b.hs.URL, "http"), "B's /ws: %s", connect)
	require.Contains(t, sources, "'self'")
	require.NotContains(t, sources, a.hs.URL, "itself is 'self'")
}
