package transport

import "testing"

func TestAddrKeyGroupsIPv6ByPrefix(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		prefix int
		same   bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", 64, true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", 64, false},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", 48, true},
		{"2001:db8:1:2::1", "2001:db8:1:2::2", 128, false},
		{"192.0.2.1", "192.0.2.2", 64, false},
		{"::ffff:192.0.2.1", "192.0.2.1", 64, true},
		{"fe80::1%eth0", "fe80::2%eth1", 64, true},
	} {
		if got := AddrKey(c.a, c.prefix) == AddrKey(c.b, c.prefix); got != c.same {
			t.Errorf("%s and %s at /%d: same key %v, want %v (%q, %q)", c.a, c.b, c.prefix, got, c.same, AddrKey(c.a, c.prefix), AddrKey(c.b, c.prefix))
		}
	}
	if AddrKey("", 64) != "" {
		t.Error("a trusted proxy's empty key must stay empty")
	}
}
