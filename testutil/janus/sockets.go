package janus

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Socket is one IP socket a process holds: its protocol and local address.
type Socket struct {
	Proto string // tcp, tcp6, udp, udp6
	Local net.IP
	Port  int
}

func (s Socket) String() string { return fmt.Sprintf("%s %s:%d", s.Proto, s.Local, s.Port) }

// Sockets lists the IP sockets (TCP listeners and connections, UDP) that
// process pid holds, from its file descriptors and /proc/<pid>/net.
func Sockets(pid int) ([]Socket, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var out []Socket
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, proto))
		if err != nil {
			continue // no IPv6 in this kernel
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || !inodes[f[9]] {
				continue
			}
			ip, port, err := parseProcAddr(f[1])
			if err != nil {
				return nil, fmt.Errorf("/proc/net/%s: %w", proto, err)
			}
			out = append(out, Socket{Proto: proto, Local: ip, Port: port})
		}
	}
	return out, nil
}

// parseProcAddr decodes /proc/net's "HEXIP:HEXPORT" (the IP in host byte
// order, 32-bit words, little-endian here).
func parseProcAddr(s string) (net.IP, int, error) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(ipHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return nil, 0, fmt.Errorf("bad address %q", s)
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		ip[i], ip[i+1], ip[i+2], ip[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("bad port %q", s)
	}
	return ip, int(port), nil
}
