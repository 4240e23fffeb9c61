// Package janus runs Debian's Janus WebRTC server (package janus, 1.1.x) for
// tests, benchmarks and the devnet: a generated configuration folder that
// loads only the VideoRoom plugin and the WebSocket transport, binds the
// Janus API and the admin API to one address, uses generated secrets (never
// the package's defaults) and gathers ICE candidates on one interface.
//
// Janus 1.1.2 cannot gather ICE candidates on loopback: when it lists the
// machine's interfaces for libnice it skips every IFF_LOOPBACK one, so
// ice_enforce_list = "lo" leaves libnice with no address of Janus's, and
// libnice then gathers on every other interface (here 192.0.2.2, fd00::2 and
// fe80::..., IPv6 despite ipv6 = false). nat_1_1_mapping = "127.0.0.1" only
// rewrites the advertised address; the sockets stay on eth0 and ICE fails.
// So a test's Janus runs inside a network namespace the test creates
// (netns.go), joined to the host by a veth pair on 10.214.0.0/16: its only
// interface besides lo is the veth end, its API, admin API and every ICE
// candidate are on that address, and media never reaches the machine's own
// addresses.
package janus

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Config is one Janus instance's settings. WritePorts, secrets and the RTP
// range are the caller's: tests pick free loopback ports.
type Config struct {
	// Name is the instance's server_name (it shows in Janus's "info").
	Name string
	// BindIP is the one address the API, the admin API and the SDP's
	// connection lines use (127.0.0.1, or the veth end in a namespace).
	BindIP string
	// ICEInterface is the only interface libnice gathers on (ice_enforce_list).
	ICEInterface string
	// APIPort and AdminPort are the WebSocket ports of the Janus API
	// ("janus-protocol") and of the admin API ("janus-admin-protocol").
	APIPort, AdminPort int
	// APISecret and AdminSecret are required in every request.
	APISecret, AdminSecret string
	// RTPPortMin..RTPPortMax is where libnice binds its UDP sockets.
	RTPPortMin, RTPPortMax int
	// SessionTimeout is Janus's session_timeout in seconds: a session with
	// no request for that long is destroyed (0 means Janus's default, 60).
	SessionTimeout int
	// DebugLevel is Janus's debug_level, 0-7 (0 means 4, Janus's default).
	DebugLevel int
	// EventLoops is Janus's event_loops: how many threads carry every
	// PeerConnection's media (DefaultEventLoops). 0 keeps Janus's default,
	// a thread per PeerConnection, which costs about twice the CPU per
	// viewer at 100 viewers (BENCHMARKS.md, SFU tier).
	EventLoops int
	// LibDir is the folder holding plugins/, transports/, events/ and
	// loggers/ (empty: found under /usr/lib).
	LibDir string
}

// The one plugin and the one transport a generated configuration loads.
const (
	videoRoomPlugin    = "libjanus_videoroom.so"
	websocketTransport = "libjanus_websockets.so"
)

// NewSecret is a random hex string for api_secret and admin_secret.
func NewSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// FindLibDir locates Debian's Janus module folder
// (/usr/lib/<multiarch>/janus).
func FindLibDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/*/janus/plugins/" + videoRoomPlugin)
	if len(matches) == 0 {
		matches, _ = filepath.Glob("/usr/lib/janus/plugins/" + videoRoomPlugin)
	}
	if len(matches) == 0 {
		return "", errors.New("janus's VideoRoom plugin not found under /usr/lib/*/janus/plugins (apt-get install janus)")
	}
	return filepath.Dir(filepath.Dir(matches[0])), nil
}

// Validate refuses settings that would expose Janus or reuse a default.
func (c Config) Validate() error {
	switch {
	case net.ParseIP(c.BindIP) == nil || net.ParseIP(c.BindIP).IsUnspecified():
		return fmt.Errorf("janus config: bind address %q must be one IP address, not a wildcard", c.BindIP)
	case c.ICEInterface == "" || strings.ContainsAny(c.ICEInterface, "\",\\ \n"):
		return fmt.Errorf("janus config: ICE interface %q must be one interface name", c.ICEInterface)
	case c.APIPort <= 0 || c.APIPort > 65535, c.AdminPort <= 0 || c.AdminPort > 65535:
		return fmt.Errorf("janus config: API port %d and admin port %d must be 1-65535", c.APIPort, c.AdminPort)
	case c.APIPort == c.AdminPort:
		return errors.New("janus config: the API and admin ports must differ")
	case len(c.APISecret) < 16 || len(c.AdminSecret) < 16:
		return errors.New("janus config: api_secret and admin_secret must be at least 16 characters (NewSecret)")
	case c.APISecret == c.AdminSecret:
		return errors.New("janus config: api_secret and admin_secret must differ")
	case c.RTPPortMin <= 1024 || c.RTPPortMax > 65535 || c.RTPPortMax-c.RTPPortMin < 2:
		return fmt.Errorf("janus config: RTP range %d-%d must be inside 1025-65535 and hold at least 3 ports", c.RTPPortMin, c.RTPPortMax)
	case c.SessionTimeout < 0 || c.DebugLevel < 0 || c.DebugLevel > 7 || c.EventLoops < 0:
		return errors.New("janus config: session timeout and event loops must be >= 0 and debug level 0-7")
	case strings.ContainsAny(c.Name+c.APISecret+c.AdminSecret, "\"\\\n"):
		return errors.New("janus config: name and secrets must not hold quotes, backslashes or newlines")
	}
	return nil
}

// Write generates the configuration folder dir: janus.jcfg,
// janus.transport.websockets.jcfg and janus.plugin.videoroom.jcfg. Run
// Janus on it with `janus -F dir` (Janus reads janus.jcfg from there).
func (c Config) Write(dir string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.LibDir == "" {
		lib, err := FindLibDir()
		if err != nil {
			return err
		}
		c.LibDir = lib
	}
	if c.Name == "" {
		c.Name = "streamchain-janus"
	}
	if c.DebugLevel == 0 {
		c.DebugLevel = 4
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = 60
	}
	disabledPlugins, err := othersIn(filepath.Join(c.LibDir, "plugins"), videoRoomPlugin)
	if err != nil {
		return err
	}
	disabledTransports, err := othersIn(filepath.Join(c.LibDir, "transports"), websocketTransport)
	if err != nil {
		return err
	}
	disabledLoggers, _ := othersIn(filepath.Join(c.LibDir, "loggers"), "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files := map[string]string{
		"janus.jcfg":                      c.core(dir, disabledPlugins, disabledTransports, disabledLoggers),
		"janus.transport.websockets.jcfg": c.websockets(),
		"janus.plugin.videoroom.jcfg":     videoRoom,
	}
	for name, text := range files {
		// The secrets are in these files: readable by their owner only.
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// othersIn lists the modules (*.so, unversioned names, as Janus loads them)
// in folder other than keep, for a "disable" directive: Janus loads every
// module of a folder that is not disabled.
func othersIn(folder, keep string) ([]string, error) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, fmt.Errorf("janus modules: %w", err)
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".so") && name != keep {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// core is janus.jcfg. The [nat] section is what keeps media on one
// interface: ice_enforce_list makes Janus hand libnice that interface's
// addresses only, ipv6 = false drops its IPv6 ones, ignore_mdns drops
// .local candidates, no STUN/TURN server means no srflx/relay candidates,
// and interface puts BindIP (not the machine's first address) in the SDP's
// c= line and in "info".
func (c Config) core(dir string, plugins, transports, loggers []string) string {
	return fmt.Sprintf(`# Generated by testutil/janus: loopback only, generated secrets.
general: {
	configs_folder = "%s"
	plugins_folder = "%s/plugins"
	transports_folder = "%s/transports"
	events_folder = "%s/events"
	loggers_folder = "%s/loggers"
	debug_level = %d
	debug_timestamps = true
	debug_colors = false
	server_name = "%s"
	interface = "%s"
	api_secret = "%s"
	admin_secret = "%s"
	session_timeout = %d
	reclaim_session_timeout = 0
	hide_dependencies = true
%s	protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var"]
}
certificates: {
}
media: {
	ipv6 = false
	ipv6_linklocal = false
	rtp_port_range = "%d-%d"
	no_media_timer = 1
}
nat: {
	nice_debug = false
	ice_enforce_list = "%s"
	ignore_mdns = true
}
plugins: {
	disable = "%s"
}
transports: {
	disable = "%s"
}
loggers: {
	disable = "%s"
}
events: {
	broadcast = false
}
`, dir, c.LibDir, c.LibDir, c.LibDir, c.LibDir, c.DebugLevel, c.Name, c.BindIP,
		c.APISecret, c.AdminSecret, c.SessionTimeout, c.eventLoops(), c.RTPPortMin, c.RTPPortMax, c.ICEInterface,
		strings.Join(plugins, ","), strings.Join(transports, ","), strings.Join(loggers, ","))
}

// DefaultEventLoops is one event loop per CPU: Janus's media threads then
// match the cores instead of one per PeerConnection.
func DefaultEventLoops() int { return runtime.NumCPU() }

// eventLoops is the event_loops line of janus.jcfg, or nothing for
// Janus's default.
func (c Config) eventLoops() string {
	if c.EventLoops == 0 {
		return ""
	}
	return fmt.Sprintf("\tevent_loops = %d\n", c.EventLoops)
}

// websockets is janus.transport.websockets.jcfg: plain ws on BindIP for
// both APIs (no TLS: the address is reachable from this machine only), and
// an ACL of that /24 as a second lock.
func (c Config) websockets() string {
	return fmt.Sprintf(`# Generated by testutil/janus: loopback only.
general: {
	json = "compact"
	ws = true
	ws_port = %d
	ws_ip = "%s"
	ws_acl = "%s"
	wss = false
}
admin: {
	admin_ws = true
	admin_ws_port = %d
	admin_ws_ip = "%s"
	admin_ws_acl = "%s"
	admin_wss = false
}
cors: {
}
certificates: {
}
`, c.APIPort, c.BindIP, c.acl(), c.AdminPort, c.BindIP, c.acl())
}

// acl is the ACL prefix for BindIP: "127." on loopback, else its /24
// ("10.214.3."), which holds the host's end of the veth.
func (c Config) acl() string {
	if net.ParseIP(c.BindIP).IsLoopback() {
		return "127."
	}
	return c.BindIP[:strings.LastIndexByte(c.BindIP, '.')+1]
}

// videoRoom is janus.plugin.videoroom.jcfg: no static rooms; the
// application server creates each room through the API with its own secret.
const videoRoom = `# Generated by testutil/janus: rooms are created through the API.
general: {
}
`
