package signaling

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is everything the daemon can be told. DefaultConfig gives safe values
// for every field; cmd/signalingd overlays environment variables and flags.
type Config struct {
	// Listen is the address of the WebSocket/HTTP listener.
	Listen string
	// MetricsListen, when set, serves /metrics on a separate listener and
	// removes it from the public one.
	MetricsListen string

	// GRPCAddr is the node's gRPC endpoint (host:port).
	GRPCAddr string
	// GRPCTLS dials the node with TLS (system roots) instead of plaintext.
	GRPCTLS bool
	// ChainID must appear in every sign-in challenge; a proof for another
	// chain is refused.
	ChainID string
	// Bech32Prefix of account addresses.
	Bech32Prefix string

	// AllowedOrigins lists the browser origins ("https://app.example") allowed
	// to open a WebSocket. "*" allows any origin (development only). A request
	// without an Origin header is not from a browser and is allowed.
	AllowedOrigins []string
	// PublicOrigin is this server's own origin as clients know it
	// ("https://signal.example"); it is written into every challenge. Empty
	// means: derive it from each request's Host (development only).
	PublicOrigin string
	// RealIPHeader names a header (e.g. "X-Forwarded-For") set by a trusted
	// reverse proxy, whose last entry is the client's IP for the per-IP
	// limit. Empty uses the TCP peer address.
	RealIPHeader string

	// Web configures the web app's chain description and the devnet wallet
	// (webapp.go).
	Web WebConfig

	// ICEServers are handed to broadcasters and viewers after they join.
	ICEServers []ICEServer
	// TURN, when Secret is set, mints short-lived per-connection TURN
	// credentials (the TURN REST API scheme coturn's use-auth-secret speaks).
	TURN TURNConfig

	// StartGrace is how long before a stream's start time broadcasters and
	// viewers may join.
	StartGrace time.Duration
	// ChallengeTTL is how long a sign-in challenge can be answered.
	ChallengeTTL time.Duration
	// AuthTimeout closes connections that have not signed in by then.
	AuthTimeout time.Duration
	// MaxAuthFailures failed sign-in attempts (or messages sent before
	// sign-in) close the connection.
	MaxAuthFailures int

	// ChainTimeout bounds every query to the node.
	ChainTimeout time.Duration
	// CacheTTL is how long a positive answer from the chain (a stream, a
	// subscription) is reused. 0 disables the cache.
	CacheTTL time.Duration
	// RecheckInterval is how often live sessions are checked against the
	// chain again.
	RecheckInterval time.Duration
	// ChainOutageTolerance is how long a live session survives without a
	// successful re-check while the node is unreachable; after that it is
	// cut off with chain_unavailable.
	ChainOutageTolerance time.Duration

	// MaxMessageSize is the largest WebSocket message accepted, in bytes.
	MaxMessageSize int64
	// MessagesPerSecond and MessageBurst rate-limit each connection.
	MessagesPerSecond float64
	MessageBurst      int
	// MaxConnsPerIP and MaxConns limit open WebSocket connections.
	MaxConnsPerIP int
	MaxConns      int
	// MaxViewersPerStream limits viewers attached to one stream (the
	// broadcaster opens one peer connection per viewer).
	MaxViewersPerStream int
	// SendQueueSize is each connection's outgoing queue; a peer that lets it
	// fill up is disconnected.
	SendQueueSize int
	// MaxPendingCandidates bounds ICE candidates held per viewer and
	// direction until the other side is ready.
	MaxPendingCandidates int

	// DrainTimeout bounds the graceful shutdown.
	DrainTimeout time.Duration

	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
}

// ICEServer is one entry of RTCConfiguration.iceServers, in the browser's
// own JSON shape so clients can pass the list through unchanged.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// TURNConfig configures ephemeral TURN credentials: username
// "<expiry unix>:<peer id>", credential base64(HMAC-SHA1(Secret, username)).
type TURNConfig struct {
	URLs   []string
	Secret string
	TTL    time.Duration
}

// Defaults. They favour safety: loopback listener, no browser origin until
// one is configured, modest limits.
const (
	DefaultListen               = "127.0.0.1:8090"
	DefaultGRPCAddr             = "127.0.0.1:9090"
	DefaultChainID              = "streamchain-devnet-1"
	DefaultBech32Prefix         = "stream"
	DefaultStartGrace           = 10 * time.Minute
	DefaultChallengeTTL         = 2 * time.Minute
	DefaultAuthTimeout          = 2 * time.Minute
	DefaultMaxAuthFailures      = 3
	DefaultChainTimeout         = 3 * time.Second
	DefaultCacheTTL             = 5 * time.Second
	DefaultRecheckInterval      = 30 * time.Second
	DefaultChainOutageTolerance = 2 * time.Minute
	DefaultMaxMessageSize       = maxMessageSize
	DefaultMessagesPerSecond    = 20
	DefaultMessageBurst         = 50
	DefaultMaxConnsPerIP        = 20
	DefaultMaxConns             = 10000
	DefaultMaxViewersPerStream  = 50
	DefaultSendQueueSize        = 64
	DefaultMaxPendingCandidates = 32
	DefaultTURNTTL              = 6 * time.Hour
	DefaultDrainTimeout         = 10 * time.Second
)

// DefaultConfig returns a Config with every field at its default.
func DefaultConfig() Config {
	return Config{
		Listen:               DefaultListen,
		GRPCAddr:             DefaultGRPCAddr,
		ChainID:              DefaultChainID,
		Bech32Prefix:         DefaultBech32Prefix,
		StartGrace:           DefaultStartGrace,
		ChallengeTTL:         DefaultChallengeTTL,
		AuthTimeout:          DefaultAuthTimeout,
		MaxAuthFailures:      DefaultMaxAuthFailures,
		ChainTimeout:         DefaultChainTimeout,
		CacheTTL:             DefaultCacheTTL,
		RecheckInterval:      DefaultRecheckInterval,
		ChainOutageTolerance: DefaultChainOutageTolerance,
		MaxMessageSize:       DefaultMaxMessageSize,
		MessagesPerSecond:    DefaultMessagesPerSecond,
		MessageBurst:         DefaultMessageBurst,
		MaxConnsPerIP:        DefaultMaxConnsPerIP,
		MaxConns:             DefaultMaxConns,
		MaxViewersPerStream:  DefaultMaxViewersPerStream,
		SendQueueSize:        DefaultSendQueueSize,
		MaxPendingCandidates: DefaultMaxPendingCandidates,
		TURN:                 TURNConfig{TTL: DefaultTURNTTL},
		Web:                  WebConfig{MinGasPrice: DefaultMinGasPrice},
		DrainTimeout:         DefaultDrainTimeout,
		LogLevel:             "info",
		LogFormat:            "text",
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Listen == "" {
		bad("listen address is empty")
	}
	if c.GRPCAddr == "" {
		bad("grpc address is empty")
	}
	if c.ChainID == "" || !printableASCII(c.ChainID) {
		bad("chain id %q must be non-empty printable ASCII", c.ChainID)
	}
	if c.Bech32Prefix == "" || strings.ToLower(c.Bech32Prefix) != c.Bech32Prefix || !printableASCII(c.Bech32Prefix) {
		bad("bech32 prefix %q must be non-empty lower-case ASCII", c.Bech32Prefix)
	}
	if len(c.AllowedOrigins) == 0 {
		bad("no allowed origins: list the web app's origin(s), or \"*\" to allow any (development only)")
	}
	for _, o := range c.AllowedOrigins {
		if o == "*" {
			continue
		}
		if err := checkOrigin(o); err != nil {
			bad("allowed origin %q: %v", o, err)
		}
	}
	if c.PublicOrigin != "" {
		if err := checkOrigin(c.PublicOrigin); err != nil {
			bad("public origin %q: %v", c.PublicOrigin, err)
		}
	}
	for i, s := range c.ICEServers {
		if len(s.URLs) == 0 {
			bad("ice server %d has no urls", i)
		}
		for _, u := range s.URLs {
			if !validICEURL(u) {
				bad("ice server %d: url %q must start with stun:, stuns:, turn: or turns:", i, u)
			}
		}
	}
	if c.TURN.Secret != "" {
		if len(c.TURN.URLs) == 0 {
			bad("turn secret set without turn urls")
		}
		for _, u := range c.TURN.URLs {
			if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				bad("turn url %q must start with turn: or turns:", u)
			}
		}
		if c.TURN.TTL <= 0 {
			bad("turn credential ttl must be positive")
		}
	}

	positive := []struct {
		name string
		d    time.Duration
	}{
		{"challenge ttl", c.ChallengeTTL},
		{"auth timeout", c.AuthTimeout},
		{"chain timeout", c.ChainTimeout},
		{"recheck interval", c.RecheckInterval},
		{"chain outage tolerance", c.ChainOutageTolerance},
		{"drain timeout", c.DrainTimeout},
	}
	for _, p := range positive {
		if p.d <= 0 {
			bad("%s must be positive, got %s", p.name, p.d)
		}
	}
	if c.StartGrace < 0 {
		bad("start grace must not be negative")
	}
	if c.CacheTTL < 0 {
		bad("cache ttl must not be negative")
	}
	if c.CacheTTL > 0 && c.RecheckInterval > 0 && c.CacheTTL >= c.RecheckInterval {
		bad("cache ttl (%s) must be shorter than the recheck interval (%s)", c.CacheTTL, c.RecheckInterval)
	}
	if c.MaxAuthFailures < 1 {
		bad("max auth failures must be at least 1")
	}
	if c.MaxMessageSize < 1024 || c.MaxMessageSize > 1<<20 {
		bad("max message size must be between 1 KiB and 1 MiB, got %d", c.MaxMessageSize)
	}
	if c.MessagesPerSecond <= 0 {
		bad("messages per second must be positive")
	}
	if c.MessageBurst < 1 {
		bad("message burst must be at least 1")
	}
	ints := []struct {
		name string
		v    int
	}{
		{"max connections per ip", c.MaxConnsPerIP},
		{"max connections", c.MaxConns},
		{"max viewers per stream", c.MaxViewersPerStream},
		{"send queue size", c.SendQueueSize},
		{"max pending candidates", c.MaxPendingCandidates},
	}
	for _, p := range ints {
		if p.v < 1 {
			bad("%s must be at least 1, got %d", p.name, p.v)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log format %q: want text or json", c.LogFormat)
	}
	return errors.Join(errs...)
}

// checkOrigin accepts exactly what browsers send in an Origin header:
// scheme://host[:port], nothing else.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("must be scheme://host[:port] with nothing after it")
	}
	if !printableASCII(o) {
		return errors.New("must be printable ASCII")
	}
	return nil
}

func validICEURL(u string) bool {
	for _, p := range []string{"stun:", "stuns:", "turn:", "turns:"} {
		if strings.HasPrefix(u, p) && len(u) > len(p) {
			return true
		}
	}
	return false
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
