// Package coturn runs Debian's coturn (turnserver) for tests and the devnet:
// a TURN relay with the TURN REST API's shared-secret scheme
// (use-auth-secret), which is what signalingd mints credentials for
// (-turn-urls, -turn-secret-file). It only ever listens and relays on the
// addresses it is given, never the package's service or its defaults.
package coturn

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is one turnserver's configuration.
type Config struct {
	ListenIP string // the address clients reach it on (UDP and TCP)
	Port     int
	// RelayIP is where relayed addresses are allocated: peers of a relayed
	// client send to it, so they must reach it.
	RelayIP            string
	MinPort, MaxPort   int    // the relay port range
	Secret             string // the TURN REST API shared secret
	Realm              string
	AllowLoopbackPeers bool   // the devnet relays between browsers on 127.0.0.1
	Dir                string // log, pid file and user database go here
}

// NewSecret is a fresh shared secret.
func NewSecret() string { return rand.Text() }

// Render is the turnserver.conf text.
func (c Config) Render() string {
	realm := c.Realm
	if realm == "" {
		realm = "streamchain.test"
	}
	lines := []string{
		"listening-ip=" + c.ListenIP,
		fmt.Sprintf("listening-port=%d", c.Port),
		"relay-ip=" + c.RelayIP,
		fmt.Sprintf("min-port=%d", c.MinPort),
		fmt.Sprintf("max-port=%d", c.MaxPort),
		"use-auth-secret",
		"static-auth-secret=" + c.Secret,
		"realm=" + realm,
		"fingerprint",
		// Plain UDP/TCP only: no certificates to make, and signalingd hands
		// out turn: URLs.
		"no-tls",
		"no-dtls",
		"no-cli",
		"no-multicast-peers",
		"no-software-attribute",
		"userdb=" + filepath.Join(c.Dir, "turndb"),
		"log-file=" + filepath.Join(c.Dir, "turnserver.log"),
		"simple-log",
		"pidfile=" + filepath.Join(c.Dir, "turnserver.pid"),
	}
	if c.AllowLoopbackPeers {
		lines = append(lines, "allow-loopback-peers")
	}
	return strings.Join(lines, "\n") + "\n"
}

// Write creates c.Dir and writes turnserver.conf into it (mode 0600: it
// holds the secret); it returns the file's path.
func (c Config) Write() (string, error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "turnserver.conf")
	return path, os.WriteFile(path, []byte(c.Render()), 0o600)
}
