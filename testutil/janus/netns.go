package janus

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// NetNS is a network namespace made for Janus: lo and one end of a veth
// pair (NSIP), whose other end is on the host (HostIP), a /30 inside
// 10.214.0.0/16. Nothing routes that range off the machine.
type NetNS struct {
	Name         string
	HostIf, NSIf string
	HostIP, NSIP string

	servers atomic.Uint32 // Janus instances started in it
}

// TestNet is the range every test namespace's addresses come from; pion
// peers gather on the host's ends (LocalAPI allows it and 127.0.0.0/8).
var TestNet = &net.IPNet{IP: net.IPv4(10, 214, 0, 0), Mask: net.CIDRMask(16, 32)}

var nsCounter atomic.Uint32

// RequireNetNS skips tb unless it runs as root with `ip` (network
// namespaces need both), except under CI, where that is a failure.
func RequireNetNS(tb testing.TB) {
	tb.Helper()
	_, err := exec.LookPath("ip")
	if os.Geteuid() == 0 && err == nil {
		return
	}
	why := "network namespaces need root and iproute2's ip"
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s: CI must run the Janus tests as root", why)
	}
	tb.Skipf("%s; skipping the Janus test (Janus cannot gather ICE candidates on loopback, see testutil/janus)", why)
}

// NewNetNS creates a namespace and its veth pair; both are deleted when tb
// ends.
func NewNetNS(tb testing.TB) *NetNS {
	tb.Helper()
	RequireNetNS(tb)
	// A /30 per namespace: 16384 of them in 10.214.0.0/16, picked from the
	// process id and a counter so parallel test binaries rarely meet.
	idx := (os.Getpid()%1024)*16 + int(nsCounter.Add(1)%16)
	base := net.IPv4(10, 214, byte(idx/64), byte(idx%64*4)).To4()
	tag := fmt.Sprintf("%d", idx)
	ns := &NetNS{
		Name:   "scjanus" + tag,
		HostIf: "jnh" + tag, NSIf: "jnn" + tag,
		HostIP: net.IPv4(base[0], base[1], base[2], base[3]+1).String(),
		NSIP:   net.IPv4(base[0], base[1], base[2], base[3]+2).String(),
	}
	// Leftovers of a killed earlier run with the same index.
	_ = ipCmd("link", "del", ns.HostIf)
	_ = ipCmd("netns", "del", ns.Name)
	if err := ipCmd("netns", "add", ns.Name); err != nil {
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
		if err := ipCmd(step...); err != nil {
			tb.Fatal(err)
		}
	}
	// No IPv6 on the veth: no link-local address for anyone to gather.
	for _, sysctl := range []string{"net.ipv6.conf." + ns.NSIf + ".disable_ipv6=1"} {
		_ = exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-q", "-w", sysctl).Run()
	}
	_ = exec.Command("sysctl", "-q", "-w", "net.ipv6.conf."+ns.HostIf+".disable_ipv6=1").Run()
	return ns
}

// Delete removes the namespace and the veth pair.
func (ns *NetNS) Delete() {
	_ = ipCmd("link", "del", ns.HostIf)
	_ = ipCmd("netns", "del", ns.Name)
}

// Command runs name inside the namespace (`ip netns exec` execs it, so the
// process is name itself and signals reach it directly).
func (ns *NetNS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}
