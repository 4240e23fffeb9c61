package janus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func validConfig(t *testing.T) Config {
	t.Helper()
	lib := t.TempDir()
	for _, sub := range []string{"plugins", "transports", "loggers"} {
		if err := os.MkdirAll(filepath.Join(lib, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"plugins/libjanus_videoroom.so", "plugins/libjanus_echotest.so", "plugins/libjanus_echotest.so.1",
		"transports/libjanus_websockets.so", "transports/libjanus_http.so", "loggers/libjanus_jsonlog.so"} {
		if err := os.WriteFile(filepath.Join(lib, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Config{BindIP: "10.214.0.2", ICEInterface: "jnn1", APIPort: 32188, AdminPort: 32189,
		APISecret: NewSecret(), AdminSecret: NewSecret(), RTPPortMin: 32200, RTPPortMax: 32999, LibDir: lib}
}

func TestConfigWrite(t *testing.T) {
	c := validConfig(t)
	dir := t.TempDir()
	if err := c.Write(dir); err != nil {
		t.Fatal(err)
	}
	core, _ := os.ReadFile(filepath.Join(dir, "janus.jcfg"))
	ws, _ := os.ReadFile(filepath.Join(dir, "janus.transport.websockets.jcfg"))
	for _, want := range []string{`api_secret = "` + c.APISecret + `"`, `admin_secret = "` + c.AdminSecret + `"`,
		`interface = "10.214.0.2"`, `ice_enforce_list = "jnn1"`, `ipv6 = false`, `rtp_port_range = "32200-32999"`,
		`disable = "libjanus_echotest.so"`, `disable = "libjanus_http.so"`, `disable = "libjanus_jsonlog.so"`} {
		if !strings.Contains(string(core), want) {
			t.Errorf("janus.jcfg lacks %s", want)
		}
	}
	for _, want := range []string{`ws_ip = "10.214.0.2"`, `admin_ws_ip = "10.214.0.2"`, `ws_acl = "10.214.0."`, "ws_port = 32188", "admin_ws_port = 32189"} {
		if !strings.Contains(string(ws), want) {
			t.Errorf("websockets config lacks %s", want)
		}
	}
	if strings.Contains(string(core), "janusoverlord") || strings.Contains(string(core), "videoroom.so,") {
		t.Error("a default secret or the VideoRoom plugin in the disable list")
	}
	if fi, _ := os.Stat(filepath.Join(dir, "janus.jcfg")); fi.Mode().Perm() != 0o600 {
		t.Errorf("janus.jcfg mode %v, want 0600 (it holds the secrets)", fi.Mode().Perm())
	}
	if strings.Contains(string(core), "event_loops") {
		t.Error("event_loops written for EventLoops 0 (Janus's default)")
	}
	c.EventLoops = 2
	if err := c.Write(dir); err != nil {
		t.Fatal(err)
	}
	core, _ = os.ReadFile(filepath.Join(dir, "janus.jcfg"))
	if !strings.Contains(string(core), "\tevent_loops = 2\n") {
		t.Errorf("janus.jcfg lacks event_loops = 2:\n%s", core)
	}
}

func TestConfigRefuses(t *testing.T) {
	for name, mutate := range map[string]func(*Config){
		"wildcard bind":    func(c *Config) { c.BindIP = "0.0.0.0" },
		"negative loops":   func(c *Config) { c.EventLoops = -1 },
		"no bind":          func(c *Config) { c.BindIP = "" },
		"default secret":   func(c *Config) { c.AdminSecret = "janusoverlord" },
		"same secrets":     func(c *Config) { c.AdminSecret = c.APISecret },
		"quote in secret":  func(c *Config) { c.APISecret = strings.Repeat("a", 20) + `"` },
		"same ports":       func(c *Config) { c.AdminPort = c.APIPort },
		"two interfaces":   func(c *Config) { c.ICEInterface = "eth0,lo" },
		"tiny RTP range":   func(c *Config) { c.RTPPortMax = c.RTPPortMin },
		"privileged ports": func(c *Config) { c.RTPPortMin = 80 },
	} {
		c := validConfig(t)
		mutate(&c)
		if err := c.Write(t.TempDir()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseProcAddr(t *testing.T) {
	ip, port, err := parseProcAddr("0200D60A:7DBC")
	if err != nil || ip.String() != "10.214.0.2" || port != 32188 {
		t.Fatalf("got %v %d %v", ip, port, err)
	}
	if _, _, err := parseProcAddr("zz:1"); err == nil {
		t.Fatal("accepted a bad address")
	}
}
