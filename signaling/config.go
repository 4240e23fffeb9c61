package signaling

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Config is what the signaling library uses. DefaultConfig gives safe values
// for every field; cmd/signalingd overlays environment variables and flags
// and keeps the process settings (listeners, node endpoints, logging, drain
// timeout) itself.
type Config struct {
	// ChainID must appear in every sign-in challenge; a proof for another
	// chain is refused.
	ChainID string
	// Bech32Prefix of account addresses.
	Bech32Prefix string

	// AllowedOrigins lists the browser origins ("https://app.example") allowed
	// to open a WebSocket besides the server's own (the web app it serves).
	// Empty allows only the server's own origin; "*" allows any (development
	// only). A request without an Origin header is not from a browser and is
	// allowed.
	AllowedOrigins []string
	// PublicOrigin is this server's own origin as clients know it
	// ("https://signal.example"); it is written into every challenge. Empty
	// means: derive it from each request's Host (development only).
	PublicOrigin string
	// RealIPHeader names a header (e.g. "X-Forwarded-For") set by a reverse
	// proxy. It is believed only on connections from TrustedProxies, and its
	// rightmost entry that is not a trusted proxy is the client's IP for the
	// per-IP limits. Empty uses the TCP peer address.
	RealIPHeader string
	// TrustedProxies are the CIDR ranges (or single IPs) of the reverse
	// proxies allowed to set RealIPHeader.
	TrustedProxies []string

	// Web configures the web app's chain description and the devnet wallet
	// (webapp.go).
	Web WebConfig

	// ICEServers are handed to broadcasters and viewers after they join.
	ICEServers []protocol.ICEServer
	// TURN, when Secret is set, mints short-lived per-connection TURN
	// credentials (the TURN REST API scheme coturn's use-auth-secret speaks),
	// renewed with ice_servers every half TTL while the session lasts.
	TURN TURNConfig

	// StartGrace is how long before a stream's start time broadcasters and
	// viewers may join.
	StartGrace time.Duration
	// ChallengeTTL is how long a sign-in challenge can be answered. It must
	// be shorter than AuthTimeout, so a client whose challenge expired
	// still has time to ask for a new one and sign it.
	ChallengeTTL time.Duration
	// ResumeTTL is how long a session resume token (sent with
	// authenticated) can be used, once, to sign in again without a new
	// signature.
	ResumeTTL time.Duration
	// ResumeMaxLifetime bounds a chain of resumes: counted from the
	// wallet signature that began it, after which only a new signature
	// signs in.
	ResumeMaxLifetime time.Duration
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
	// NotFoundCacheTTL is how long "no such stream" and "not subscribed"
	// are reused (a subscription event forgets the latter). 0 disables it.
	NotFoundCacheTTL time.Duration
	// RecheckInterval is how often live sessions are checked against the
	// chain again (the backstop of the chain event feed).
	RecheckInterval time.Duration
	// ChainOutageTolerance is how long a live session survives without a
	// successful re-check while the node is unreachable; after that it is
	// cut off with chain_unavailable.
	ChainOutageTolerance time.Duration

	// MaxMessageSize is the largest WebSocket message accepted, in bytes.
	MaxMessageSize int64
	// MaxSDPSize and MaxCandidateSize bound the relayed payloads (the JSON
	// of sdp and candidate): a real ICE candidate is well under 1 KiB, an
	// SDP a few tens of KiB.
	MaxSDPSize       int
	MaxCandidateSize int
	// MessagesPerSecond and MessageBurst rate-limit each connection's
	// messages, pings included.
	MessagesPerSecond float64
	MessageBurst      int
	// RelayBytesPerSecond and RelayByteBurst budget the bytes each
	// connection may have relayed to others.
	RelayBytesPerSecond int
	RelayByteBurst      int
	// MaxQueuedRelayBytes bounds the bytes one sender's relayed messages may
	// occupy in other peers' send queues at once; past it the sender is
	// refused with peer_busy.
	MaxQueuedRelayBytes int64
	// MaxConnsPerIP and MaxConns limit open connections (TCP and
	// WebSocket).
	MaxConnsPerIP int
	MaxConns      int
	// MaxUnauthenticatedConns limits WebSocket connections that have not
	// signed in yet.
	MaxUnauthenticatedConns int
	// MaxUnauthenticatedConnsPerIP limits what one address range may hold
	// of MaxUnauthenticatedConns, so a few ranges cannot fill the pool
	// every new user passes through.
	MaxUnauthenticatedConnsPerIP int
	// MaxLivePerIP limits the held-open GET /live streams of one address
	// range (of DefaultMaxLiveSubscribers in all).
	MaxLivePerIP int
	// LiveJSONPerSecond and LiveJSONBurst rate-limit GET /live.json per
	// address range.
	LiveJSONPerSecond float64
	LiveJSONBurst     int
	// JoinsPerSecondPerIP and JoinBurstPerIP rate-limit broadcast and
	// watch (each may query the node) per address range.
	JoinsPerSecondPerIP float64
	JoinBurstPerIP      int
	// IPv6PrefixLen is how many leading bits of an IPv6 address make one
	// client for the per-address limits (64: a host's usual /64).
	IPv6PrefixLen int
	// MaxViewersPerStream limits viewers attached to one stream (the
	// broadcaster opens one peer connection per viewer).
	MaxViewersPerStream int
	// MaxViewersPerAccountPerStream and MaxViewersPerAccount limit one
	// account's viewer sessions on one stream and over all streams.
	MaxViewersPerAccountPerStream int
	MaxViewersPerAccount          int
	// SendQueueSize is each connection's outgoing queue; a peer that lets it
	// fill up with session events is disconnected.
	SendQueueSize int
	// MaxPendingCandidates and MaxPendingCandidateBytes bound the ICE
	// candidates held per viewer and direction until the other side is
	// ready.
	MaxPendingCandidates     int
	MaxPendingCandidateBytes int

	// SFU configures the media server tier (PROTOCOL.md §4.4): with
	// Servers set, viewers past a stream's direct capacity watch through
	// Janus.
	SFU SFUConfig
}

// TURNConfig configures ephemeral TURN credentials: username
// "<expiry unix>:<peer id>", credential base64(HMAC-SHA1(Secret, username)).
type TURNConfig = hub.TURNConfig

// hub is what the hub enforces of c.
func (c Config) hub() hub.Config {
	return hub.Config{
		StartGrace: c.StartGrace, ICEServers: c.ICEServers, TURN: c.TURN,
		RecheckInterval: c.RecheckInterval, ChainOutageTolerance: c.ChainOutageTolerance,
		MaxQueuedRelayBytes: c.MaxQueuedRelayBytes, MaxViewersPerStream: c.MaxViewersPerStream,
		MaxViewersPerAccountPerStream: c.MaxViewersPerAccountPerStream, MaxViewersPerAccount: c.MaxViewersPerAccount,
		MaxPendingCandidates: c.MaxPendingCandidates, MaxPendingCandidateBytes: c.MaxPendingCandidateBytes,
		MaxDirectViewers: c.SFU.MaxDirectViewers,
	}
}

// Defaults. They favour safety: no browser origin until one is configured,
// modest limits.
const (
	DefaultChainID                       = "streamchain-devnet-1"
	DefaultBech32Prefix                  = "stream"
	DefaultStartGrace                    = 10 * time.Minute
	DefaultChallengeTTL                  = time.Minute
	DefaultResumeTTL                     = 10 * time.Minute
	DefaultResumeMaxLifetime             = 12 * time.Hour
	DefaultAuthTimeout                   = 2 * time.Minute
	DefaultMaxAuthFailures               = 3
	DefaultChainTimeout                  = 3 * time.Second
	DefaultCacheTTL                      = 5 * time.Second
	DefaultNotFoundCacheTTL              = 2 * time.Second
	DefaultRecheckInterval               = 30 * time.Second
	DefaultChainOutageTolerance          = 2 * time.Minute
	DefaultMaxMessageSize                = transport.MaxMessageSize
	DefaultMaxSDPSize                    = 48 << 10
	DefaultMaxCandidateSize              = 2 << 10
	DefaultMessagesPerSecond             = 20
	DefaultMessageBurst                  = 50
	DefaultRelayBytesPerSecond           = 256 << 10
	DefaultRelayByteBurst                = 2 << 20
	DefaultMaxQueuedRelayBytes           = 256 << 10
	DefaultMaxConnsPerIP                 = 20
	DefaultMaxConns                      = 10000
	DefaultMaxUnauthenticatedConns       = 1000
	DefaultMaxUnauthenticatedConnsPerIP  = 5
	DefaultMaxLivePerIP                  = 10
	DefaultLiveJSONPerSecond             = 5
	DefaultLiveJSONBurst                 = 20
	DefaultJoinsPerSecondPerIP           = 10
	DefaultJoinBurstPerIP                = 100
	DefaultIPv6PrefixLen                 = 64
	DefaultMaxViewersPerStream           = 50
	DefaultMaxViewersPerAccountPerStream = 2
	DefaultMaxViewersPerAccount          = 8
	DefaultSendQueueSize                 = 64
	DefaultMaxPendingCandidates          = 32
	DefaultMaxPendingCandidateBytes      = 16 << 10
	DefaultTURNTTL                       = 10 * time.Minute
)

// DefaultConfig returns a Config with every field at its default.
func DefaultConfig() Config {
	return Config{
		ChainID:                       DefaultChainID,
		Bech32Prefix:                  DefaultBech32Prefix,
		StartGrace:                    DefaultStartGrace,
		ChallengeTTL:                  DefaultChallengeTTL,
		ResumeTTL:                     DefaultResumeTTL,
		ResumeMaxLifetime:             DefaultResumeMaxLifetime,
		AuthTimeout:                   DefaultAuthTimeout,
		MaxAuthFailures:               DefaultMaxAuthFailures,
		ChainTimeout:                  DefaultChainTimeout,
		CacheTTL:                      DefaultCacheTTL,
		NotFoundCacheTTL:              DefaultNotFoundCacheTTL,
		RecheckInterval:               DefaultRecheckInterval,
		ChainOutageTolerance:          DefaultChainOutageTolerance,
		MaxMessageSize:                DefaultMaxMessageSize,
		MaxSDPSize:                    DefaultMaxSDPSize,
		MaxCandidateSize:              DefaultMaxCandidateSize,
		MessagesPerSecond:             DefaultMessagesPerSecond,
		MessageBurst:                  DefaultMessageBurst,
		RelayBytesPerSecond:           DefaultRelayBytesPerSecond,
		RelayByteBurst:                DefaultRelayByteBurst,
		MaxQueuedRelayBytes:           DefaultMaxQueuedRelayBytes,
		MaxConnsPerIP:                 DefaultMaxConnsPerIP,
		MaxConns:                      DefaultMaxConns,
		MaxUnauthenticatedConns:       DefaultMaxUnauthenticatedConns,
		MaxUnauthenticatedConnsPerIP:  DefaultMaxUnauthenticatedConnsPerIP,
		MaxLivePerIP:                  DefaultMaxLivePerIP,
		LiveJSONPerSecond:             DefaultLiveJSONPerSecond,
		LiveJSONBurst:                 DefaultLiveJSONBurst,
		JoinsPerSecondPerIP:           DefaultJoinsPerSecondPerIP,
		JoinBurstPerIP:                DefaultJoinBurstPerIP,
		IPv6PrefixLen:                 DefaultIPv6PrefixLen,
		MaxViewersPerStream:           DefaultMaxViewersPerStream,
		MaxViewersPerAccountPerStream: DefaultMaxViewersPerAccountPerStream,
		MaxViewersPerAccount:          DefaultMaxViewersPerAccount,
		SendQueueSize:                 DefaultSendQueueSize,
		MaxPendingCandidates:          DefaultMaxPendingCandidates,
		MaxPendingCandidateBytes:      DefaultMaxPendingCandidateBytes,
		TURN:                          TURNConfig{TTL: DefaultTURNTTL},
		SFU:                           SFUConfig{MaxDirectViewers: DefaultMaxDirectViewers, ViewersPerServer: DefaultSFUViewersPerServer, Timeout: DefaultSFUTimeout},
		Web:                           WebConfig{MinGasPrice: DefaultMinGasPrice},
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.ChainID == "" || !protocol.PrintableASCII(c.ChainID) {
		bad("chain id %q must be non-empty printable ASCII", c.ChainID)
	}
	if c.Bech32Prefix == "" || strings.ToLower(c.Bech32Prefix) != c.Bech32Prefix || !protocol.PrintableASCII(c.Bech32Prefix) {
		bad("bech32 prefix %q must be non-empty lower-case ASCII", c.Bech32Prefix)
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
		if c.TURN.TTL < 2*time.Second {
			bad("turn credential ttl must be at least 2s (renewed every half ttl), got %s", c.TURN.TTL)
		}
	}

	positive := []struct {
		name string
		d    time.Duration
	}{
		{"challenge ttl", c.ChallengeTTL},
		{"resume ttl", c.ResumeTTL},
		{"resume max lifetime", c.ResumeMaxLifetime},
		{"auth timeout", c.AuthTimeout},
		{"chain timeout", c.ChainTimeout},
		{"recheck interval", c.RecheckInterval},
		{"chain outage tolerance", c.ChainOutageTolerance},
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
	errs = append(errs, c.SFU.validate()...)
	if c.CacheTTL > 0 && c.RecheckInterval > 0 && c.CacheTTL >= c.RecheckInterval {
		bad("cache ttl (%s) must be shorter than the recheck interval (%s)", c.CacheTTL, c.RecheckInterval)
	}
	if c.NotFoundCacheTTL < 0 {
		bad("not-found cache ttl must not be negative")
	}
	if c.ChallengeTTL > 0 && c.ChallengeTTL >= c.AuthTimeout {
		bad("challenge ttl (%s) must be shorter than the auth timeout (%s), so an expired challenge can be replaced in time", c.ChallengeTTL, c.AuthTimeout)
	}
	if _, err := transport.ParseProxies(c.TrustedProxies); err != nil {
		bad("trusted proxies: %v", err)
	}
	if c.RealIPHeader != "" && len(c.TrustedProxies) == 0 {
		bad("real-ip header %q set without trusted proxies: any client could choose its own IP", c.RealIPHeader)
	}
	if c.MaxAuthFailures < 1 {
		bad("max auth failures must be at least 1")
	}
	if c.MaxMessageSize < 1024 || c.MaxMessageSize > 1<<20 {
		bad("max message size must be between 1 KiB and 1 MiB, got %d", c.MaxMessageSize)
	}
	if c.LiveJSONPerSecond <= 0 || c.JoinsPerSecondPerIP <= 0 {
		bad("live.json and join rates per ip must be positive")
	}
	if c.IPv6PrefixLen < 1 || c.IPv6PrefixLen > 128 {
		bad("ipv6 prefix length must be between 1 and 128, got %d", c.IPv6PrefixLen)
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
		{"max pending candidate bytes", c.MaxPendingCandidateBytes},
		{"max unauthenticated connections", c.MaxUnauthenticatedConns},
		{"max viewers per account per stream", c.MaxViewersPerAccountPerStream},
		{"max viewers per account", c.MaxViewersPerAccount},
		{"max unauthenticated connections per ip", c.MaxUnauthenticatedConnsPerIP},
		{"max live streams per ip", c.MaxLivePerIP},
		{"live.json burst", c.LiveJSONBurst},
		{"join burst per ip", c.JoinBurstPerIP},
		{"max sdp size", c.MaxSDPSize},
		{"max candidate size", c.MaxCandidateSize},
		{"relay bytes per second", c.RelayBytesPerSecond},
		{"relay byte burst", c.RelayByteBurst},
	}
	for _, p := range ints {
		if p.v < 1 {
			bad("%s must be at least 1, got %d", p.name, p.v)
		}
	}
	if c.MaxQueuedRelayBytes < c.MaxMessageSize {
		bad("max queued relay bytes (%d) must be at least the max message size (%d)", c.MaxQueuedRelayBytes, c.MaxMessageSize)
	}
	if int64(c.RelayByteBurst) < c.MaxMessageSize {
		bad("relay byte burst (%d) must be at least the max message size (%d)", c.RelayByteBurst, c.MaxMessageSize)
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
	if !protocol.PrintableASCII(o) {
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
