package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamchain/streamchain/signaling"
)

// option binds one Config field to a flag and an environment variable.
// Precedence: flag, then environment, then the default.
type option struct {
	flag, env, usage string
	value            flag.Value
}

// settings are the library's Config plus what only the process needs:
// where to listen, how to reach the node, logging and the drain timeout.
type settings struct {
	signaling.Config

	// Listen is the address of the public WebSocket/HTTP listener.
	Listen string
	// MetricsListen serves /metrics and the detailed /healthz; loopback by
	// default, empty disables it.
	MetricsListen string
	// GRPCAddr is the node's gRPC endpoint (host:port); GRPCTLS dials it
	// with TLS (system roots) instead of plaintext.
	GRPCAddr string
	GRPCTLS  bool
	// RPCAddr is the node's CometBFT RPC (http://host:port), followed for
	// committed events so revocations act within a block. Empty disables
	// the feed (the periodic re-check still runs).
	RPCAddr string
	// DrainTimeout bounds the graceful shutdown.
	DrainTimeout time.Duration
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string

	// Shared mode (redis.go): Redis is the go-redis URL of the Redis the
	// instances share; empty keeps the single-process mode.
	Redis           string
	InstanceID      string
	AdvertiseURL    string
	InstanceTTL     time.Duration
	InstanceRefresh time.Duration
}

// Process defaults: loopback listeners, a node on this host.
const (
	defaultListen        = "127.0.0.1:8090"
	defaultMetricsListen = "127.0.0.1:8091"
	defaultGRPCAddr      = "127.0.0.1:9090"
	defaultRPCAddr       = "http://127.0.0.1:26657"
	defaultDrainTimeout  = 10 * time.Second
)

func defaultSettings() settings {
	return settings{
		Config:        signaling.DefaultConfig(),
		Listen:        defaultListen,
		MetricsListen: defaultMetricsListen,
		GRPCAddr:      defaultGRPCAddr,
		RPCAddr:       defaultRPCAddr,
		DrainTimeout:  defaultDrainTimeout,
		LogLevel:      "info",
		LogFormat:     "text",

		InstanceTTL:     defaultInstanceTTL,
		InstanceRefresh: defaultInstanceRefresh,
	}
}

func (s settings) validate() error {
	var errs []error
	if err := s.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Listen == "" {
		errs = append(errs, errors.New("listen address is empty"))
	}
	if s.GRPCAddr == "" {
		errs = append(errs, errors.New("grpc address is empty"))
	}
	if s.DrainTimeout <= 0 {
		errs = append(errs, fmt.Errorf("drain timeout must be positive, got %s", s.DrainTimeout))
	}
	if s.Redis != "" {
		if _, err := redis.ParseURL(s.Redis); err != nil {
			errs = append(errs, fmt.Errorf("redis url: %w", err))
		}
		if s.InstanceRefresh <= 0 || s.InstanceRefresh >= s.InstanceTTL {
			errs = append(errs, fmt.Errorf("instance refresh %s must be positive and shorter than the instance TTL %s", s.InstanceRefresh, s.InstanceTTL))
		}
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: want debug, info, warn or error", s.LogLevel))
	}
	switch s.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log format %q: want text or json", s.LogFormat))
	}
	return errors.Join(errs...)
}

// loadConfig builds the settings from defaults, the environment and args.
func loadConfig(args []string, getenv func(string) string, out io.Writer) (settings, error) {
	cfg := defaultSettings()
	var iceJSON, iceFile, turnSecretFile, sfuSecretFile string

	opts := []option{
		{"listen", "SIGNALINGD_LISTEN", "WebSocket/HTTP listen address", (*stringValue)(&cfg.Listen)},
		{"metrics-listen", "SIGNALINGD_METRICS_LISTEN", "address of /metrics and the detailed /healthz (keep it loopback or private; empty = off)", (*stringValue)(&cfg.MetricsListen)},
		{"grpc", "SIGNALINGD_GRPC", "the nodes' gRPC endpoints, host:port, comma-separated: queries move to the next when one does not answer", (*stringValue)(&cfg.GRPCAddr)},
		{"grpc-tls", "SIGNALINGD_GRPC_TLS", "dial the node's gRPC endpoint with TLS", (*boolValue)(&cfg.GRPCTLS)},
		{"rpc", "SIGNALINGD_RPC", "the node's CometBFT RPC (http://host:port), followed for committed events (empty = re-check only)", (*stringValue)(&cfg.RPCAddr)},
		{"chain-id", "SIGNALINGD_CHAIN_ID", "chain id written into sign-in challenges", (*stringValue)(&cfg.ChainID)},
		{"bech32-prefix", "SIGNALINGD_BECH32_PREFIX", "bech32 prefix of account addresses", (*stringValue)(&cfg.Bech32Prefix)},
		{"allowed-origins", "SIGNALINGD_ALLOWED_ORIGINS", "comma-separated browser origins allowed to connect besides the server's own, which serves the web app (\"*\" = any, development only)", (*listValue)(&cfg.AllowedOrigins)},
		{"public-origin", "SIGNALINGD_PUBLIC_ORIGIN", "this server's origin as clients reach it (https://signal.example), written into challenges", (*stringValue)(&cfg.PublicOrigin)},
		{"real-ip-header", "SIGNALINGD_REAL_IP_HEADER", "header a trusted reverse proxy sets to the client IP (e.g. X-Forwarded-For); needs -trusted-proxies", (*stringValue)(&cfg.RealIPHeader)},
		{"trusted-proxies", "SIGNALINGD_TRUSTED_PROXIES", "comma-separated CIDRs of the reverse proxies whose real-ip header is believed", (*listValue)(&cfg.TrustedProxies)},
		{"ice-servers", "SIGNALINGD_ICE_SERVERS", `ICE servers as JSON: [{"urls":["stun:host:3478"]},{"urls":["turn:host"],"username":"u","credential":"p"}]`, (*stringValue)(&iceJSON)},
		{"ice-servers-file", "SIGNALINGD_ICE_SERVERS_FILE", "file holding the ICE servers JSON (keeps static TURN credentials out of the environment)", (*stringValue)(&iceFile)},
		{"turn-urls", "SIGNALINGD_TURN_URLS", "comma-separated TURN urls to mint ephemeral credentials for (needs a TURN secret)", (*listValue)(&cfg.TURN.URLs)},
		{"turn-secret-file", "SIGNALINGD_TURN_SECRET_FILE", "file holding the TURN REST API shared secret (or set SIGNALINGD_TURN_SECRET)", (*stringValue)(&turnSecretFile)},
		{"turn-ttl", "SIGNALINGD_TURN_TTL", "lifetime of minted TURN credentials", (*durationValue)(&cfg.TURN.TTL)},
		{"sfu", "SIGNALINGD_SFU", "media servers: comma-separated Janus API WebSocket URLs (ws://127.0.0.1:8188); viewers past a stream's direct capacity watch through them (empty = peer to peer only)", (*listValue)(&cfg.SFU.Servers)},
		{"sfu-secret-file", "SIGNALINGD_SFU_SECRET_FILE", "file holding the media servers' Janus api_secret (or set SIGNALINGD_SFU_SECRET)", (*stringValue)(&sfuSecretFile)},
		{"max-direct-viewers", "SIGNALINGD_MAX_DIRECT_VIEWERS", "with media servers: the most viewers a broadcaster's browser sends its stream to itself (a broadcaster may ask for fewer)", (*intValue)(&cfg.SFU.MaxDirectViewers)},
		{"sfu-viewers-per-server", "SIGNALINGD_SFU_VIEWERS_PER_SERVER", "viewers of one stream one media server takes before the stream is cascaded to another (0 = no limit)", (*intValue)(&cfg.SFU.ViewersPerServer)},
		{"sfu-timeout", "SIGNALINGD_SFU_TIMEOUT", "timeout of one request to a media server", (*durationValue)(&cfg.SFU.Timeout)},
		{"start-grace", "SIGNALINGD_START_GRACE", "how long before a stream's start broadcasters and viewers may join", (*durationValue)(&cfg.StartGrace)},
		{"challenge-ttl", "SIGNALINGD_CHALLENGE_TTL", "how long a sign-in challenge can be answered", (*durationValue)(&cfg.ChallengeTTL)},
		{"resume-ttl", "SIGNALINGD_RESUME_TTL", "how long a session resume token can be used (once) to sign in again without a signature", (*durationValue)(&cfg.ResumeTTL)},
		{"resume-max-lifetime", "SIGNALINGD_RESUME_MAX_LIFETIME", "how long after the wallet signature that began them resume tokens stop being issued and accepted; then a new signature is needed", (*durationValue)(&cfg.ResumeMaxLifetime)},
		{"auth-timeout", "SIGNALINGD_AUTH_TIMEOUT", "close connections not signed in by then", (*durationValue)(&cfg.AuthTimeout)},
		{"max-auth-failures", "SIGNALINGD_MAX_AUTH_FAILURES", "failed sign-in attempts before the connection is closed", (*intValue)(&cfg.MaxAuthFailures)},
		{"chain-timeout", "SIGNALINGD_CHAIN_TIMEOUT", "timeout of one query to the node", (*durationValue)(&cfg.ChainTimeout)},
		{"cache-ttl", "SIGNALINGD_CACHE_TTL", "how long positive chain answers are reused (0 = no cache); shorter than -recheck-interval", (*durationValue)(&cfg.CacheTTL)},
		{"not-found-cache-ttl", "SIGNALINGD_NOT_FOUND_CACHE_TTL", "how long \"no such stream\" and \"not subscribed\" are reused (0 = not cached)", (*durationValue)(&cfg.NotFoundCacheTTL)},
		{"recheck-interval", "SIGNALINGD_RECHECK_INTERVAL", "how often live sessions are checked against the chain again", (*durationValue)(&cfg.RecheckInterval)},
		{"chain-outage-tolerance", "SIGNALINGD_CHAIN_OUTAGE_TOLERANCE", "how long live sessions survive an unreachable node", (*durationValue)(&cfg.ChainOutageTolerance)},
		{"max-message-size", "SIGNALINGD_MAX_MESSAGE_SIZE", "largest WebSocket message accepted, in bytes", (*int64Value)(&cfg.MaxMessageSize)},
		{"max-sdp-size", "SIGNALINGD_MAX_SDP_SIZE", "largest relayed sdp, in bytes", (*intValue)(&cfg.MaxSDPSize)},
		{"max-candidate-size", "SIGNALINGD_MAX_CANDIDATE_SIZE", "largest relayed candidate, in bytes", (*intValue)(&cfg.MaxCandidateSize)},
		{"messages-per-second", "SIGNALINGD_MESSAGES_PER_SECOND", "sustained messages (and pings) per second per connection", (*floatValue)(&cfg.MessagesPerSecond)},
		{"message-burst", "SIGNALINGD_MESSAGE_BURST", "message burst per connection", (*intValue)(&cfg.MessageBurst)},
		{"relay-bytes-per-second", "SIGNALINGD_RELAY_BYTES_PER_SECOND", "sustained relayed bytes per second per connection", (*intValue)(&cfg.RelayBytesPerSecond)},
		{"relay-byte-burst", "SIGNALINGD_RELAY_BYTE_BURST", "relayed byte burst per connection", (*intValue)(&cfg.RelayByteBurst)},
		{"max-queued-relay-bytes", "SIGNALINGD_MAX_QUEUED_RELAY_BYTES", "bytes one sender may have waiting in other peers' queues", (*int64Value)(&cfg.MaxQueuedRelayBytes)},
		{"max-conns-per-ip", "SIGNALINGD_MAX_CONNS_PER_IP", "open connections per client IP", (*intValue)(&cfg.MaxConnsPerIP)},
		{"max-conns", "SIGNALINGD_MAX_CONNS", "open connections in total", (*intValue)(&cfg.MaxConns)},
		{"max-unauthenticated-conns", "SIGNALINGD_MAX_UNAUTHENTICATED_CONNS", "open connections not signed in yet", (*intValue)(&cfg.MaxUnauthenticatedConns)},
		{"max-unauthenticated-conns-per-ip", "SIGNALINGD_MAX_UNAUTHENTICATED_CONNS_PER_IP", "open connections not signed in yet per client address range", (*intValue)(&cfg.MaxUnauthenticatedConnsPerIP)},
		{"max-live-per-ip", "SIGNALINGD_MAX_LIVE_PER_IP", "held-open GET /live streams per client address range", (*intValue)(&cfg.MaxLivePerIP)},
		{"live-json-per-second", "SIGNALINGD_LIVE_JSON_PER_SECOND", "GET /live.json requests per second per client address range", (*floatValue)(&cfg.LiveJSONPerSecond)},
		{"live-json-burst", "SIGNALINGD_LIVE_JSON_BURST", "GET /live.json burst per client address range", (*intValue)(&cfg.LiveJSONBurst)},
		{"joins-per-second-per-ip", "SIGNALINGD_JOINS_PER_SECOND_PER_IP", "broadcast and watch messages (each may query the node) per second per client address range", (*floatValue)(&cfg.JoinsPerSecondPerIP)},
		{"join-burst-per-ip", "SIGNALINGD_JOIN_BURST_PER_IP", "broadcast and watch burst per client address range", (*intValue)(&cfg.JoinBurstPerIP)},
		{"ipv6-prefix", "SIGNALINGD_IPV6_PREFIX", "leading bits of an IPv6 address that make one client for the per-address limits", (*intValue)(&cfg.IPv6PrefixLen)},
		{"max-viewers-per-stream", "SIGNALINGD_MAX_VIEWERS_PER_STREAM", "viewers attached to one stream", (*intValue)(&cfg.MaxViewersPerStream)},
		{"max-viewers-per-account-per-stream", "SIGNALINGD_MAX_VIEWERS_PER_ACCOUNT_PER_STREAM", "viewer connections of one account on one stream", (*intValue)(&cfg.MaxViewersPerAccountPerStream)},
		{"max-viewers-per-account", "SIGNALINGD_MAX_VIEWERS_PER_ACCOUNT", "viewer connections of one account over all streams", (*intValue)(&cfg.MaxViewersPerAccount)},
		{"send-queue-size", "SIGNALINGD_SEND_QUEUE_SIZE", "outgoing messages queued per connection before it is dropped", (*intValue)(&cfg.SendQueueSize)},
		{"max-pending-candidates", "SIGNALINGD_MAX_PENDING_CANDIDATES", "ICE candidates held per viewer and direction before the offer/answer", (*intValue)(&cfg.MaxPendingCandidates)},
		{"max-pending-candidate-bytes", "SIGNALINGD_MAX_PENDING_CANDIDATE_BYTES", "bytes of ICE candidates held per viewer and direction before the offer/answer", (*intValue)(&cfg.MaxPendingCandidateBytes)},
		{"drain-timeout", "SIGNALINGD_DRAIN_TIMEOUT", "graceful shutdown limit", (*durationValue)(&cfg.DrainTimeout)},
		{"public-rpc", "SIGNALINGD_PUBLIC_RPC", "the node's CometBFT RPC URL as browsers reach it, for the web app's /chain-info.json", (*stringValue)(&cfg.Web.PublicRPC)},
		{"public-rest", "SIGNALINGD_PUBLIC_REST", "the node's REST (gRPC gateway) URL as browsers reach it, for /chain-info.json", (*stringValue)(&cfg.Web.PublicREST)},
		{"min-gas-price", "SIGNALINGD_MIN_GAS_PRICE", "the node's minimum gas price in ustream; wallets' fee steps start there", (*floatValue)(&cfg.Web.MinGasPrice)},
		{"devnet-wallet", "SIGNALINGD_DEVNET_WALLET", "DEVNET ONLY: JSON file of public demo keys the web app offers as a built-in wallet", (*stringValue)(&cfg.Web.DevnetWalletFile)},
		{"redis", "SIGNALINGD_REDIS", "shared mode: the Redis the instances share, as a go-redis URL (redis://127.0.0.1:6379/0); empty = one process, in memory", (*stringValue)(&cfg.Redis)},
		{"instance-id", "SIGNALINGD_INSTANCE_ID", "shared mode: this instance's name (default: random)", (*stringValue)(&cfg.InstanceID)},
		{"advertise-url", "SIGNALINGD_ADVERTISE_URL", "shared mode: this instance's public base URL, its WebSocket at <url>/ws (default: http://<listen address>)", (*stringValue)(&cfg.AdvertiseURL)},
		{"instance-ttl", "SIGNALINGD_INSTANCE_TTL", "shared mode: an instance that has not refreshed its key for this long is gone", (*durationValue)(&cfg.InstanceTTL)},
		{"instance-refresh", "SIGNALINGD_INSTANCE_REFRESH", "shared mode: how often an instance refreshes its key and leases (shorter than -instance-ttl)", (*durationValue)(&cfg.InstanceRefresh)},
		{"log-level", "SIGNALINGD_LOG_LEVEL", "debug, info, warn or error", (*stringValue)(&cfg.LogLevel)},
		{"log-format", "SIGNALINGD_LOG_FORMAT", "text or json", (*stringValue)(&cfg.LogFormat)},
	}

	for _, o := range opts {
		if v := getenv(o.env); v != "" {
			if err := o.value.Set(v); err != nil {
				return cfg, fmt.Errorf("%s: %w", o.env, err)
			}
		}
	}
	fs := flag.NewFlagSet("signalingd", flag.ContinueOnError)
	fs.SetOutput(out)
	for _, o := range opts {
		fs.Var(o.value, o.flag, o.usage+" ($"+o.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "signalingd: WebSocket signaling for streamchain broadcasters and viewers.\n\nUsage: signalingd [flags]\n\n")
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nSIGNALINGD_TURN_SECRET and SIGNALINGD_SFU_SECRET set the TURN and media server secrets from the environment (there are no flags for them).\n")
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	if iceJSON != "" && iceFile != "" {
		return cfg, errors.New("set the ICE servers inline or from a file, not both")
	}
	if iceFile != "" {
		b, err := os.ReadFile(iceFile)
		if err != nil {
			return cfg, fmt.Errorf("ice servers file: %w", err)
		}
		iceJSON = string(b)
	}
	if iceJSON != "" {
		if err := json.Unmarshal([]byte(iceJSON), &cfg.ICEServers); err != nil {
			return cfg, fmt.Errorf("ice servers: %w", err)
		}
	}
	var err error
	if cfg.TURN.Secret, err = secret("TURN", getenv("SIGNALINGD_TURN_SECRET"), turnSecretFile); err != nil {
		return cfg, err
	}
	if cfg.SFU.APISecret, err = secret("media server", getenv("SIGNALINGD_SFU_SECRET"), sfuSecretFile); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// secret is a secret set in the environment (fromEnv) or in a file, never
// in a flag, where any local user could read it in the process list.
func secret(what, fromEnv, file string) (string, error) {
	if file == "" {
		return fromEnv, nil
	}
	if fromEnv != "" {
		return "", fmt.Errorf("set the %s secret from the environment or a file, not both", what)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s secret file: %w", what, err)
	}
	return strings.TrimSpace(string(b)), nil
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type boolValue bool

func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	*v = boolValue(b)
	return err
}
func (v *boolValue) IsBoolFlag() bool { return true }

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	*v = intValue(n)
	return err
}

type int64Value int64

func (v *int64Value) String() string { return strconv.FormatInt(int64(*v), 10) }
func (v *int64Value) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	*v = int64Value(n)
	return err
}

type floatValue float64

func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }
func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	*v = floatValue(f)
	return err
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	*v = durationValue(d)
	return err
}

// listValue is a comma-separated list; setting it replaces the whole list.
type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }
func (v *listValue) Set(s string) error {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	*v = out
	return nil
}
