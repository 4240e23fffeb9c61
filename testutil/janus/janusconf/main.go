// Command janusconf writes a Janus configuration folder (testutil/janus's
// Config) for the devnet: one bind address, one ICE interface, generated
// secrets. It prints the secrets as shell assignments.
//
//	janusconf -dir DIR -bind 10.215.0.2 -ice-if sfun8090 [-api-port 32188 -admin-port 32189 -rtp-min 32200 -rtp-max 32999 -event-loops N -api-secret-file FILE]
//
// Several instances behind one signalingd share one api_secret (its
// -sfu-secret-file): give each the same -api-secret-file; the first one
// writes a new secret there (mode 0600), the others read it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/streamchain/streamchain/testutil/janus"
)

func main() {
	var c janus.Config
	dir := flag.String("dir", "", "configuration folder to write (created)")
	secretFile := flag.String("api-secret-file", "", "file holding the api_secret, written with a new one when it does not exist (default: a new secret, printed only)")
	flag.StringVar(&c.Name, "name", "streamchain-devnet-janus", "server_name")
	flag.StringVar(&c.BindIP, "bind", "", "address of the API, the admin API and the SDP")
	flag.StringVar(&c.ICEInterface, "ice-if", "", "the one interface to gather ICE candidates on")
	flag.IntVar(&c.APIPort, "api-port", 32188, "Janus API WebSocket port")
	flag.IntVar(&c.AdminPort, "admin-port", 32189, "admin API WebSocket port")
	flag.IntVar(&c.RTPPortMin, "rtp-min", 32200, "lowest RTP/ICE port")
	flag.IntVar(&c.RTPPortMax, "rtp-max", 32999, "highest RTP/ICE port")
	flag.IntVar(&c.EventLoops, "event-loops", janus.DefaultEventLoops(), "threads carrying every PeerConnection's media (event_loops; 0: Janus's thread per PeerConnection)")
	flag.Parse()
	if *dir == "" {
		fail(errors.New("-dir is required"))
	}
	var err error
	if c.APISecret, err = apiSecret(*secretFile); err != nil {
		fail(err)
	}
	c.AdminSecret = janus.NewSecret()
	if err := c.Write(*dir); err != nil {
		fail(err)
	}
	fmt.Printf("JANUS_API_SECRET=%s\nJANUS_ADMIN_SECRET=%s\n", c.APISecret, c.AdminSecret)
}

// apiSecret is the secret in file, or a new one, written to file when it
// names one that does not exist yet.
func apiSecret(file string) (string, error) {
	if file == "" {
		return janus.NewSecret(), nil
	}
	b, err := os.ReadFile(file)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	s := janus.NewSecret()
	// O_EXCL: never over a file another instance has just written.
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return s, f.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "janusconf:", err)
	os.Exit(2)
}
