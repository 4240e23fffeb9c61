// Package netns makes network namespaces for tests: each is joined to the
// host by a veth pair with a /30 of its own inside TestNet, so media and
// relays a test starts stay on this machine and can be given exactly the
// paths the test is about (Janus needs an interface that is not loopback;
// a TURN test needs two peers with no route to each other).
package netns

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// NS is a network namespace with lo and one end of a veth pair (NSIP), whose
// other end is on the host (HostIP).
type NS struct {
	Name         string
	HostIf, NSIf string
	HostIP, NSIP string
}

// TestNet is the range every test namespace's addresses come from. Nothing
// routes it off the machine.
var TestNet = &net.IPNet{IP: net.IPv4(10, 214, 0, 0), Mask: net.CIDRMask(16, 32)}

var counter atomic.Uint32

// Require skips tb unless it runs as root with `ip` (network namespaces
// need both), except under CI, where that is a failure.
func Require(tb testing.TB) {
	tb.Helper()
	_, err := exec.LookPath("ip")
	if os.Geteuid() == 0 && err == nil {
		return
	}
	why := "network namespaces need root and iproute2's ip"
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s: CI must run this test as root", why)
	}
	tb.Skipf("%s; skipping", why)
}

// New creates a namespace named prefix+index and its veth pair; both are
// deleted when tb ends.
func New(tb testing.TB, prefix string) *NS {
	tb.Helper()
	Require(tb)
	// A /30 per namespace: 16384 of them in 10.214.0.0/16, picked from the
	// process id and a counter so parallel test binaries rarely meet.
	idx := (os.Getpid()%1024)*16 + int(counter.Add(1)%16)
	base := net.IPv4(10, 214, byte(idx/64), byte(idx%64*4)).To4()
	tag := fmt.Sprintf("%d", idx)
	ns := &NS{
		Name:   prefix + tag,
		HostIf: "snh" + tag, NSIf: "snn" + tag,
		HostIP: net.IPv4(base[0], base[1], base[2], base[3]+1).String(),
		NSIP:   net.IPv4(base[0], base[1], base[2], base[3]+2).String(),
	}
	// Leftovers of a killed earlier run with the same index.
	_ = IP("link", "del", ns.HostIf)
	_ = IP("netns", "del", ns.Name)
	if err := IP("netns", "add", ns.Name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ns.Delete)
	for _, step := range [][]string{
		{"link", "add", ns.HostIf, "type", "veth", "peer", "name", ns.NSIf},
		{"link", "set", ns.NSIf, "netns", ns.Name},
		{"addr", "add", ns.HostIP + "/30", "dev", ns.HostIf},
		{"link", "set", ns.HostIf, "up"},
		{"-n", ns.Name, "link", "set", "lo", "up"},
		{"-n", ns.Name, "addr", "add", ns.NSIP + "/30", "dev", ns.NSIf},
		{"-n", ns.Name, "link", "set", ns.NSIf, "up"},
	} {
		if err := IP(step...); err != nil {
			tb.Fatal(err)
		}
	}
	// No IPv6 on the veth: no link-local address for anyone to gather.
	_ = exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-q", "-w", "net.ipv6.conf."+ns.NSIf+".disable_ipv6=1").Run()
	_ = exec.Command("sysctl", "-q", "-w", "net.ipv6.conf."+ns.HostIf+".disable_ipv6=1").Run()
	return ns
}

// Route adds a route to dst (an address or a prefix) inside the namespace
// through the host's end of the veth: the namespace reaches dst and
// nothing else beyond its /30.
func (ns *NS) Route(tb testing.TB, dst string) {
	tb.Helper()
	if err := IP("-n", ns.Name, "route", "add", dst, "via", ns.HostIP, "dev", ns.NSIf); err != nil {
		tb.Fatal(err)
	}
}

// Delete removes the namespace and the veth pair.
func (ns *NS) Delete() {
	_ = IP("link", "del", ns.HostIf)
	_ = IP("netns", "del", ns.Name)
}

// Command runs name inside the namespace (`ip netns exec` execs it, so the
// process is name itself and signals reach it directly).
func (ns *NS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// IP runs iproute2's ip with args.
func IP(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}
