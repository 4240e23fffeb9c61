package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
)

// netNamespace is node3's own network namespace, joined to the host's by a
// veth pair: taking the host end down cuts node3 off (a partition: packets
// vanish, connections stay open) and bringing it up heals it.
type netNamespace struct {
	name, hostIf   string
	hostIP, nodeIP string
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// newNetNamespace sets the namespace up, or says why it can't.
func newNetNamespace(t *testing.T) (*netNamespace, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("network namespaces need root")
	}
	id := os.Getpid() % 250
	ns := &netNamespace{
		name:   fmt.Sprintf("faults%d", os.Getpid()),
		hostIf: fmt.Sprintf("flt%dh", os.Getpid()%100000),
		hostIP: fmt.Sprintf("10.213.%d.1", id),
		nodeIP: fmt.Sprintf("10.213.%d.2", id),
	}
	nodeIf := fmt.Sprintf("flt%dn", os.Getpid()%100000)
	if err := ip("netns", "add", ns.name); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		_ = ip("link", "del", ns.hostIf)
		_ = ip("netns", "del", ns.name)
	})
	for _, step := range [][]string{
		{"link", "add", ns.hostIf, "type", "veth", "peer", "name", nodeIf},
		{"link", "set", nodeIf, "netns", ns.name},
		{"addr", "add", ns.hostIP + "/30", "dev", ns.hostIf},
		{"link", "set", ns.hostIf, "up"},
		{"netns", "exec", ns.name, "ip", "link", "set", "lo", "up"},
		{"netns", "exec", ns.name, "ip", "addr", "add", ns.nodeIP + "/30", "dev", nodeIf},
		{"netns", "exec", ns.name, "ip", "link", "set", nodeIf, "up"},
	} {
		if err := ip(step...); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

func (ns *netNamespace) cut() error { return ip("link", "set", ns.hostIf, "down") }

// height asks node n from inside its namespace, which a cut does not reach.
func (ns *netNamespace) height(t *testing.T, n *Node) int64 {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns.name, n.c.Streamd, "status",
		"--node", fmt.Sprintf("tcp://%s:%d", ns.nodeIP, n.port(portRPC))).CombinedOutput()
	require.NoError(t, err, "status of %s in its namespace: %s", n, out)
	m := regexp.MustCompile(`"latest_block_height":"(\d+)"`).FindSubmatch(out)
	require.NotNil(t, m, "no height in %s", out)
	var h int64
	_, err = fmt.Sscan(string(m[1]), &h)
	require.NoError(t, err)
	return h
}
func (ns *netNamespace) heal() error { return ip("link", "set", ns.hostIf, "up") }

var peerAddr = regexp.MustCompile(`([0-9a-f]{40})@` + regexp.QuoteMeta(Host) + `:(\d+)`)

// moveNode3 puts node3 into the namespace: it listens on the namespace's
// address, the others' P2P on the host end of the veth pair, and every
// persistent peer address follows.
func moveNode3(t *testing.T, c *Cluster, ns *netNamespace) {
	node3P2P := fmt.Sprint(c.Nodes[3].port(portP2P))
	for _, n := range c.Nodes {
		cfg, err := os.ReadFile(filepath.Join(n.Home, "config", "config.toml"))
		require.NoError(t, err)
		m := regexp.MustCompile(`(?m)^persistent_peers = "(.*)"$`).FindSubmatch(cfg)
		require.NotNil(t, m, "%s has no persistent_peers", n)
		peers := peerAddr.ReplaceAllStringFunc(string(m[1]), func(p string) string {
			sub := peerAddr.FindStringSubmatch(p)
			host := ns.hostIP
			if sub[2] == node3P2P {
				host = ns.nodeIP
			}
			return sub[1] + "@" + host + ":" + sub[2]
		})
		host := ns.hostIP
		if n.Index == 3 {
			host = ns.nodeIP
			n.netns, n.host = ns.name, ns.nodeIP
			n.args = append(n.args,
				"--rpc.laddr", fmt.Sprintf("tcp://%s:%d", host, n.port(portRPC)),
				"--grpc.address", fmt.Sprintf("%s:%d", host, n.port(portGRPC)),
				"--api.address", fmt.Sprintf("tcp://%s:%d", host, n.port(portREST)))
		}
		n.args = append(n.args,
			"--p2p.laddr", fmt.Sprintf("tcp://%s:%d", host, n.port(portP2P)),
			"--p2p.persistent_peers", peers)
	}
}

// TestPartition cuts one validator of four off the network for 15 s under
// load, then heals the link: the other three keep committing, the cut one
// commits nothing on its own and catches up after, and nothing is lost.
// It needs root and `ip netns`; without them it says so and skips.
func TestPartition(t *testing.T) {
	if testing.Short() || !full {
		t.Skip("part of make test-faults (FAULTS_FULL=1)")
	}
	ns, err := newNetNamespace(t)
	if err != nil {
		t.Skipf("no network namespace on this machine, partition not tested: %v", err)
	}
	ctx := context.Background()
	bin := cli.BuildStreamd(t, t.TempDir())
	c := NewCluster(t, bin, 4, minPort, maxPort)
	moveNode3(t, c, ns)
	c.StartAll()
	c.WaitHeight(ctx, c.Nodes, 3, 3*time.Minute)
	load := NewLoad(c, loadInterval)
	load.Start(ctx)
	t.Cleanup(func() { load.Stop(0) })
	time.Sleep(5 * time.Second)

	victim, others := c.Nodes[3], c.Nodes[:3]
	// The load leaves the cut node alone, as clients would after a timeout.
	victim.paused.Store(true)
	cutAt := ns.height(t, victim)
	require.NoError(t, ns.cut())
	start := MaxHeight(ctx, others)
	time.Sleep(15 * time.Second)
	during := MaxHeight(ctx, others) - start
	alone := ns.height(t, victim)
	require.GreaterOrEqual(t, during, int64(3), "the three connected validators stalled")
	require.LessOrEqual(t, alone, cutAt+1, "the cut-off validator committed blocks alone")

	require.NoError(t, ns.heal())
	victim.paused.Store(false)
	healed := time.Now()
	target := MaxHeight(ctx, others)
	c.WaitHeight(ctx, []*Node{victim}, target, 3*time.Minute)
	recovery := time.Since(healed)

	load.Stop(30 * time.Second)
	rep := &report{}
	top, err := AgreeOnHistory(ctx, c.Nodes)
	require.NoError(t, err)
	rep.add(t, row{
		Fault:    "partition 1 of 4 (veth down, own netns) for 15 s, heal",
		During:   fmt.Sprintf("%d blocks by the other 3; the cut one stayed at %d", during, alone),
		Recovery: fmt.Sprintf("%.1f s from healing to height %d; hashes equal at 1..%d", recovery.Seconds(), target, top),
		Txs:      ackedFoundOn(t, load, []*Node{victim}),
	})
	checkNothingLost(t, c, load, rep, "partition run")
	rep.write(t, "")
}
