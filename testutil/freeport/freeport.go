// Package freeport finds free loopback ports for test servers.
package freeport

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"testing"
)

// Loopback returns k loopback ports that are free now: any the kernel
// hands out, or, when TEST_PORT_RANGE is set ("41000-41999"), ports from
// that range, so that tests sharing a machine keep to their own ports.
func Loopback(tb testing.TB, k int) []int {
	tb.Helper()
	lo, hi := 0, -1
	if r := os.Getenv("TEST_PORT_RANGE"); r != "" {
		if _, err := fmt.Sscanf(r, "%d-%d", &lo, &hi); err != nil || lo <= 0 || hi < lo+k || hi > 65535 {
			tb.Fatalf("TEST_PORT_RANGE %q: want LOW-HIGH with room for %d ports", r, k)
		}
	}
	ports := make([]int, 0, k)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	next := lo
	if hi >= lo {
		next += rand.Intn(hi - lo + 1)
	}
	for tries := 0; len(ports) < k; tries++ {
		addr := "127.0.0.1:0"
		if hi >= lo {
			if tries > hi-lo {
				tb.Fatalf("TEST_PORT_RANGE %d-%d: fewer than %d ports free", lo, hi, k)
			}
			addr = fmt.Sprintf("127.0.0.1:%d", next)
			if next++; next > hi {
				next = lo
			}
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if hi >= lo {
				continue
			}
			tb.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
