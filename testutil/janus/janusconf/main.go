// Command janusconf writes a Janus configuration folder (testutil/janus's
// Config) for the devnet: one bind address, one ICE interface, generated
// secrets. It prints the secrets as shell assignments.
//
//	janusconf -dir DIR -bind 10.215.0.2 -ice-if jdn0 [-api-port 32188 -admin-port 32189 -rtp 32200-32999]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/streamchain/streamchain/testutil/janus"
)

func main() {
	var c janus.Config
	dir := flag.String("dir", "", "configuration folder to write (created)")
	flag.StringVar(&c.Name, "name", "streamchain-devnet-janus", "server_name")
	flag.StringVar(&c.BindIP, "bind", "", "address of the API, the admin API and the SDP")
	flag.StringVar(&c.ICEInterface, "ice-if", "", "the one interface to gather ICE candidates on")
	flag.IntVar(&c.APIPort, "api-port", 32188, "Janus API WebSocket port")
	flag.IntVar(&c.AdminPort, "admin-port", 32189, "admin API WebSocket port")
	flag.IntVar(&c.RTPPortMin, "rtp-min", 32200, "lowest RTP/ICE port")
	flag.IntVar(&c.RTPPortMax, "rtp-max", 32999, "highest RTP/ICE port")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "janusconf: -dir is required")
		os.Exit(2)
	}
	c.APISecret, c.AdminSecret = janus.NewSecret(), janus.NewSecret()
	if err := c.Write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "janusconf:", err)
		os.Exit(2)
	}
	fmt.Printf("JANUS_API_SECRET=%s\nJANUS_ADMIN_SECRET=%s\n", c.APISecret, c.AdminSecret)
}
