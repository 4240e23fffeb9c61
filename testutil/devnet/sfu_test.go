package devnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/janus"
	"github.com/streamchain/streamchain/testutil/netns"
)

// What the devnet tests check of the SFU tier devnet.sh starts (start_sfu):
// signalingd's internal health, the Janus processes' sockets and secrets,
// and that the network namespace goes with the devnet.

// sfuLine is a media server's line in the devnet's banner.
var sfuLine = regexp.MustCompile(`(janus\d)  API ws://([0-9.]+):(\d+)  admin ws://[0-9.]+:(\d+)  log (\S+)`)

// mediaServer is one Janus the banner printed.
type mediaServer struct {
	Name, IP           string
	APIPort, AdminPort int
	Log                string
}

// mediaServers reads the banner's media servers.
func mediaServers(out string) []mediaServer {
	var list []mediaServer
	for _, m := range sfuLine.FindAllStringSubmatch(out, -1) {
		api, _ := strconv.Atoi(m[3])
		admin, _ := strconv.Atoi(m[4])
		list = append(list, mediaServer{Name: m[1], IP: m[2], APIPort: api, AdminPort: admin, Log: m[5]})
	}
	return list
}

// sfuNamespace is the network namespace devnet.sh makes for the Janus
// instances of the devnet whose signalingd is on signalingPort.
func sfuNamespace(signalingPort int) string { return "scsfu" + strconv.Itoa(signalingPort) }

func namespaceExists(name string) bool {
	_, err := os.Stat(filepath.Join("/run/netns", name))
	return err == nil
}

// internalHealth is signalingd's internal /healthz, as JSON fields.
func internalHealth(metricsPort int) (map[string]json.RawMessage, error) {
	var h map[string]json.RawMessage
	err := getJSON(fmt.Sprintf("http://127.0.0.1:%d/healthz", metricsPort), &h)
	return h, err
}

// requireSFUTier checks the SFU tier of a devnet started with n media
// servers whose signalingd instances have their metrics (and internal
// /healthz) on metricsPorts: the banner lists them, every instance reports
// "sfu":"up" with each of them up, every instance was given the same -sfu
// list and the secret in a file of mode 0600, and each Janus listens only
// on its namespace's address and the ports printed, none of Janus's
// default ports. It runs as a subtest that needs Debian's janus and root
// (testutil/janus.Require, testutil/netns.Require): without them it is
// skipped, and the devnet must have said why the tier is off; under CI
// their absence fails.
func requireSFUTier(t *testing.T, s *script, home string, signalingPort, n int, metricsPorts ...int) {
	t.Helper()
	checked := false
	t.Run("sfu tier", func(t *testing.T) {
		janus.Require(t)
		netns.Require(t)
		checked = true
		// signalingd starts after the media servers: their lines are out.
		require.NotContains(t, s.output(), "Media servers (SFU tier): off: ")
		servers := mediaServers(s.output())
		require.Len(t, servers, n, "media servers in the banner:\n%s", s.output())
		var urls []string
		for i, m := range servers {
			require.Equal(t, fmt.Sprintf("janus%d", i+1), m.Name)
			require.Equal(t, servers[0].IP, m.IP, "the instances share one namespace, so cascades reach each other")
			urls = append(urls, fmt.Sprintf("ws://%s:%d", m.IP, m.APIPort))
		}
		require.True(t, namespaceExists(sfuNamespace(signalingPort)), "namespace %s", sfuNamespace(signalingPort))

		for _, p := range metricsPorts {
			var sfu string
			var list []struct {
				Name string `json:"name"`
				Up   bool   `json:"up"`
			}
			require.Eventually(t, func() bool {
				h, err := internalHealth(p)
				if err != nil || json.Unmarshal(h["sfu"], &sfu) != nil || json.Unmarshal(h["sfu_servers"], &list) != nil {
					return false
				}
				return sfu == "up"
			}, 30*time.Second, 200*time.Millisecond, "signalingd (metrics :%d) reports the SFU tier up", p)
			require.Len(t, list, n)
			for i, b := range list {
				require.Equal(t, servers[i].Name, b.Name)
				require.True(t, b.Up, "%s up", b.Name)
			}
		}

		// Every signalingd got the same media servers and a secret file.
		secret := filepath.Join(home, "sfu", "api-secret")
		daemons := processesWith(t, "-sfu-secret-file "+secret)
		require.Len(t, daemons, len(metricsPorts), "signalingd processes given the media servers")
		for _, pid := range daemons {
			cmdline := readFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			require.Contains(t, cmdline, "\x00-sfu\x00"+strings.Join(urls, ",")+"\x00")
		}
		st, err := os.Stat(secret)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "api-secret's mode")

		janusDefaults := map[int]bool{8088: true, 8089: true, 8188: true, 8989: true, 7088: true, 7889: true, 7188: true, 7989: true}
		for _, m := range servers {
			pids := processesWith(t, "janus -F "+filepath.Dir(m.Log)+" ")
			require.Len(t, pids, 1, "the process of %s", m.Name)
			socks, err := janus.Sockets(pids[0])
			require.NoError(t, err)
			// TCP: the two listeners and signalingd's connections to the API.
			tcpPorts := map[int]bool{}
			for _, sk := range socks {
				require.Equal(t, m.IP, sk.Local.String(), "%s: socket %s off its namespace's address", m.Name, sk)
				require.False(t, janusDefaults[sk.Port], "%s: socket %s on a Janus default port", m.Name, sk)
				if sk.Proto == "tcp" {
					tcpPorts[sk.Port] = true
				}
			}
			require.Equal(t, map[int]bool{m.APIPort: true, m.AdminPort: true}, tcpPorts, "%s's TCP ports: its API and admin API", m.Name)
		}
	})
	if !checked {
		require.Contains(t, s.output(), "Media servers (SFU tier): off: ", "the devnet says why it has no media servers")
	}
}

// requireNoSFUTier checks a devnet started with SFU=0: no media server
// line, no SFU tier in signalingd's health.
func requireNoSFUTier(t *testing.T, s *script, metricsPort int) {
	t.Helper()
	require.Empty(t, mediaServers(s.output()))
	require.NotContains(t, s.output(), "Media servers (SFU tier)")
	h, err := internalHealth(metricsPort)
	require.NoError(t, err)
	require.NotContains(t, h, "sfu")
	require.NotContains(t, h, "sfu_servers")
}

// requireSFUGone checks that nothing of the SFU tier outlived the devnet.
func requireSFUGone(t *testing.T, home string, signalingPort int) {
	t.Helper()
	require.Empty(t, processesWith(t, filepath.Join(home, "sfu")), "a Janus outlived its devnet")
	require.False(t, namespaceExists(sfuNamespace(signalingPort)), "namespace %s outlived its devnet", sfuNamespace(signalingPort))
}

// removeSFULeftovers deletes, when the test ends, the namespace and veth a
// devnet on signalingPort made, should the test have ended it with SIGKILL
// before its script could. Call it before startScript: cleanups run last
// registered first, so this one runs once the script's processes are gone.
func removeSFULeftovers(t *testing.T, signalingPort int) {
	t.Cleanup(func() {
		if namespaceExists(sfuNamespace(signalingPort)) {
			_ = netns.IP("link", "del", "sfuh"+strconv.Itoa(signalingPort))
			_ = netns.IP("netns", "del", sfuNamespace(signalingPort))
		}
	})
}
