// Command coturnconf writes a turnserver configuration (testutil/coturn's
// Config) for the devnet, with a generated shared secret, which it also
// writes to DIR/secret for signalingd's -turn-secret-file.
//
//	coturnconf -dir DIR -listen 127.0.0.1 -port 3478 [-relay 127.0.0.1 -min-port 49160 -max-port 49999 -allow-loopback-peers]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/streamchain/streamchain/testutil/coturn"
)

func main() {
	var c coturn.Config
	flag.StringVar(&c.Dir, "dir", "", "folder to write turnserver.conf and secret into (created)")
	flag.StringVar(&c.ListenIP, "listen", "127.0.0.1", "address clients reach the relay on")
	flag.IntVar(&c.Port, "port", 3478, "UDP and TCP port")
	flag.StringVar(&c.RelayIP, "relay", "", "address relayed ports are allocated on (default: -listen)")
	flag.IntVar(&c.MinPort, "min-port", 49160, "lowest relay port")
	flag.IntVar(&c.MaxPort, "max-port", 49999, "highest relay port")
	flag.BoolVar(&c.AllowLoopbackPeers, "allow-loopback-peers", false, "relay to peers on 127.0.0.0/8 (browsers on one machine)")
	flag.Parse()
	if c.Dir == "" {
		fmt.Fprintln(os.Stderr, "coturnconf: -dir is required")
		os.Exit(2)
	}
	if c.RelayIP == "" {
		c.RelayIP = c.ListenIP
	}
	c.Secret = coturn.NewSecret()
	path, err := c.Write()
	if err == nil {
		err = os.WriteFile(filepath.Join(c.Dir, "secret"), []byte(c.Secret+"\n"), 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coturnconf:", err)
		os.Exit(2)
	}
	fmt.Println(path)
}
