package app

import (
	"os"
	"sync"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cast"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// Name is the application's name, reported over ABCI.
	Name = "streamchain"

	// AccountAddressPrefix is the bech32 human-readable part of account
	// addresses: stream1...
	AccountAddressPrefix = "stream"

	// CoinType is the BIP-44 coin type keys are derived with: the Cosmos Hub's,
	// so existing wallets and Ledger apps derive the same keys.
	CoinType = 118

	// BondDenom is the base denomination of the native token. It is the
	// staking, mint, gov deposit and fee denom.
	BondDenom = "ustream"

	// DisplayDenom is how wallets show the token: 1 STREAM = 10^6 ustream.
	DisplayDenom = "STREAM"

	// DisplayExponent is the number of decimals between BondDenom and
	// DisplayDenom.
	DisplayExponent = 6

	// DefaultMinGasPrices is the minimum-gas-prices written to app.toml. It is
	// non-zero so that a new node does not relay free transactions: the
	// default 200000 gas then costs 5000ustream.
	DefaultMinGasPrices = "0.025" + BondDenom
)

// The derived prefixes follow the SDK's scheme (streamvaloper, streamvalcons,
// streampub, ...).
var (
	AccountPubKeyPrefix    = AccountAddressPrefix + sdk.PrefixPublic
	ValidatorAddressPrefix = AccountAddressPrefix + sdk.PrefixValidator + sdk.PrefixOperator
	ValidatorPubKeyPrefix  = AccountAddressPrefix + sdk.PrefixValidator + sdk.PrefixOperator + sdk.PrefixPublic
	ConsNodeAddressPrefix  = AccountAddressPrefix + sdk.PrefixValidator + sdk.PrefixConsensus
	ConsNodePubKeyPrefix   = AccountAddressPrefix + sdk.PrefixValidator + sdk.PrefixConsensus + sdk.PrefixPublic
)

var setConfigOnce sync.Once

// SetConfig puts the chain's bech32 prefixes, coin type and bond denom into
// the SDK's global configuration and seals it. Much of the SDK (keyring
// output, sdk.AccAddress.String, genesis helpers, simulation) reads these
// globals rather than the app's address codecs, so they must agree before
// anything is encoded. It is safe to call more than once.
func SetConfig() {
	setConfigOnce.Do(func() {
		// sdk.GetConfig keys its per-process config by hostname, executable
		// path and pid unless this variable names the scope, and computes
		// that key on every call: a file read and a readlink for every
		// bech32 conversion (~4 % of a loaded node's CPU). One process has
		// one scope either way; a fixed name skips the work. It must be set
		// before the first GetConfig below, or the sealed config would live
		// under the other key.
		if os.Getenv(sdk.EnvConfigScope) == "" {
			if err := os.Setenv(sdk.EnvConfigScope, Name); err != nil {
				panic(err)
			}
		}
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(AccountAddressPrefix, AccountPubKeyPrefix)
		cfg.SetBech32PrefixForValidator(ValidatorAddressPrefix, ValidatorPubKeyPrefix)
		cfg.SetBech32PrefixForConsensusNode(ConsNodeAddressPrefix, ConsNodePubKeyPrefix)
		cfg.SetCoinType(CoinType)
		cfg.Seal()

		// The staking, mint and gov default params (and so `streamd init`
		// and the simulator) take their denom from this variable.
		sdk.DefaultBondDenom = BondDenom
	})
}

// Every importer of the app (streamd, test networks, simulations) needs the
// same prefixes; setting them here means none of them can forget.
func init() { SetConfig() }

// AppConfig returns the app.toml template and values `streamd init` writes:
// the SDK's, with our minimum gas price, plus the [streamchain] section of
// node settings (NodeConfig). The app's database is goleveldb by name: the
// SDK's default (empty) follows config.toml's db_backend, which `streamd
// init` sets to pebbledb for CometBFT's databases; pebbledb for the app
// database was measured and gave no consistent gain (BENCHMARKS.md).
func AppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.AppDBBackend = string(dbm.GoLevelDBBackend)
	cfg.MinGasPrices = DefaultMinGasPrices
	cfg.IndexEvents = DefaultIndexEvents
	cfg.QueryGasLimit = DefaultQueryGasLimit
	return serverconfig.DefaultConfigTemplate + nodeConfigTemplate, appTOML{Config: *cfg, Streamchain: DefaultNodeConfig()}
}

// DefaultQueryGasLimit is app.toml's query-gas-limit as `streamd init`
// writes it: the most gas one gRPC/REST/ABCI query may use (0, the SDK's
// default, is unbounded). Every list query of the module reads at most one
// page of 100 entries, a few hundred thousand gas; three million leaves room
// for the SDK's own queries and refuses a query that would walk the store.
const DefaultQueryGasLimit uint64 = 3_000_000

// DefaultIndexEvents are the event attributes `streamd init` tells CometBFT
// to index (app.toml index-events; the SDK's default, empty, indexes every
// attribute of every event). CometBFT's kv indexer always keeps each tx by
// hash (`streamd q tx`, CosmJS getTx) and by tx.height; these add the
// searches wallets and explorers make: an account's txs (message.sender),
// the payments it received (transfer.recipient: CosmJS searchTx, wallet
// histories), txs by Msg type (message.action) and
// `streamd q tx --type=acc_seq`.
// Fewer index entries per tx means less for goleveldb to write and compact
// (BENCHMARKS.md, node tuning).
var DefaultIndexEvents = []string{"message.sender", "transfer.recipient", "message.action", "tx.acc_seq"}

// appTOML is what app.toml holds: the SDK's settings and ours.
type appTOML struct {
	serverconfig.Config `mapstructure:",squash"`
	Streamchain         NodeConfig `mapstructure:"streamchain"`
}

// NodeConfig is app.toml's [streamchain] section: settings of one node that
// change its speed, never its results. Like every app.toml key, each can be
// overridden from the environment (STREAMD_STREAMCHAIN_SIG_VERIFY_CACHE_SIZE).
type NodeConfig struct {
	// SigVerifyCacheSize is how many verified signatures the node remembers
	// from CheckTx, so that FinalizeBlock need not verify them again
	// (ante_sigcache.go); 0 turns the cache off.
	SigVerifyCacheSize int `mapstructure:"sig-verify-cache-size"`
	// GCPercent is the Go garbage collector's target (runtime/debug
	// SetGCPercent) for `streamd start`, unless GOGC is in the node's
	// environment; 0 leaves Go's default (100).
	GCPercent int `mapstructure:"gc-percent"`
}

// DefaultNodeConfig is what `streamd init` writes, and what a node whose
// app.toml lacks the section uses.
func DefaultNodeConfig() NodeConfig {
	return NodeConfig{SigVerifyCacheSize: DefaultSigVerifyCacheSize, GCPercent: DefaultGCPercent}
}

const nodeConfigTemplate = `
###############################################################################
###                        streamchain node settings                        ###
###############################################################################

[streamchain]

# Signatures verified in CheckTx that FinalizeBlock need not verify again
# (a bounded LRU; a hit gives the same answer as verifying). 0 turns it off.
sig-verify-cache-size = {{ .Streamchain.SigVerifyCacheSize }}

# The Go garbage collector's target for the node (as GOGC; GOGC in the
# environment wins). Higher collects less often for more memory: the heap
# may grow to (1 + gc-percent/100) times the live heap. 0: Go's default, 100.
gc-percent = {{ .Streamchain.GCPercent }}
`

// DefaultGCPercent is the gc-percent `streamd init` writes: measured to cut
// the node's CPU per tx under load (BENCHMARKS.md, node tuning).
const DefaultGCPercent = 400

// GCPercent reads streamchain.gc-percent: the value to hand to
// debug.SetGCPercent, or 0 for none (unset, 0, or GOGC in the environment,
// which the Go runtime has already applied).
func GCPercent(opts servertypes.AppOptions) int {
	if os.Getenv("GOGC") != "" || opts == nil {
		return 0
	}
	return max(0, cast.ToInt(opts.Get("streamchain.gc-percent")))
}

// sigVerifyCacheSize reads streamchain.sig-verify-cache-size; unset (an
// app.toml written before the setting existed, test networks) means the
// default.
func sigVerifyCacheSize(opts servertypes.AppOptions) int {
	if opts == nil {
		return DefaultSigVerifyCacheSize
	}
	v := opts.Get("streamchain.sig-verify-cache-size")
	if v == nil {
		return DefaultSigVerifyCacheSize
	}
	return cast.ToInt(v)
}
