package signaling

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"

	"github.com/streamchain/streamchain/signaling/internal/cluster"
)

// The chain's currency and key derivation, as in app/config.go (the daemon
// does not import the app).
const (
	baseDenom     = "ustream"
	displayDenom  = "STREAM"
	denomDecimals = 6
	coinType      = 118
)

// DefaultMinGasPrice is the node's default minimum gas price in ustream
// (app/config.go).
const DefaultMinGasPrice = 0.025

// KeplrChainInfo is Keplr's ChainInfo, the argument of
// window.keplr.experimentalSuggestChain (Leap and Cosmostation read the same).
type KeplrChainInfo struct {
	ChainID       string          `json:"chainId"`
	ChainName     string          `json:"chainName"`
	RPC           string          `json:"rpc"`
	REST          string          `json:"rest"`
	BIP44         keplrBIP44      `json:"bip44"`
	Bech32Config  keplrBech32     `json:"bech32Config"`
	Currencies    []keplrCurrency `json:"currencies"`
	FeeCurrencies []keplrCurrency `json:"feeCurrencies"`
	StakeCurrency keplrCurrency   `json:"stakeCurrency"`
	Features      []string        `json:"features"`
}

type keplrBIP44 struct {
	CoinType int `json:"coinType"`
}

type keplrBech32 struct {
	AccAddr  string `json:"bech32PrefixAccAddr"`
	AccPub   string `json:"bech32PrefixAccPub"`
	ValAddr  string `json:"bech32PrefixValAddr"`
	ValPub   string `json:"bech32PrefixValPub"`
	ConsAddr string `json:"bech32PrefixConsAddr"`
	ConsPub  string `json:"bech32PrefixConsPub"`
}

type keplrCurrency struct {
	CoinDenom        string         `json:"coinDenom"`
	CoinMinimalDenom string         `json:"coinMinimalDenom"`
	CoinDecimals     int            `json:"coinDecimals"`
	GasPriceStep     *keplrGasSteps `json:"gasPriceStep,omitempty"`
}

type keplrGasSteps struct {
	Low     float64 `json:"low"`
	Average float64 `json:"average"`
	High    float64 `json:"high"`
}

// gasSteps start at the node's minimum: a lower price is refused by CheckTx.
func (w WebConfig) gasSteps() keplrGasSteps {
	return keplrGasSteps{Low: w.MinGasPrice, Average: w.MinGasPrice * 1.5, High: w.MinGasPrice * 2}
}

// ChainInfo builds Keplr's ChainInfo from the daemon's configuration.
func ChainInfo(cfg Config, w WebConfig) KeplrChainInfo {
	p := cfg.Bech32Prefix
	cur := keplrCurrency{CoinDenom: displayDenom, CoinMinimalDenom: baseDenom, CoinDecimals: denomDecimals}
	fee := cur
	steps := w.gasSteps()
	fee.GasPriceStep = &steps
	return KeplrChainInfo{
		ChainID:   cfg.ChainID,
		ChainName: "streamchain (" + cfg.ChainID + ")",
		RPC:       w.PublicRPC,
		REST:      w.PublicREST,
		BIP44:     keplrBIP44{CoinType: coinType},
		Bech32Config: keplrBech32{
			AccAddr: p, AccPub: p + "pub",
			ValAddr: p + "valoper", ValPub: p + "valoperpub",
			ConsAddr: p + "valcons", ConsPub: p + "valconspub",
		},
		Currencies:    []keplrCurrency{cur},
		FeeCurrencies: []keplrCurrency{fee},
		StakeCurrency: cur,
		Features:      []string{},
	}
}

// registryChain is the cosmos/chain-registry chain.json schema (the fields
// tools read).
type registryChain struct {
	Schema       string `json:"$schema"`
	ChainName    string `json:"chain_name"`
	ChainType    string `json:"chain_type"`
	Status       string `json:"status"`
	NetworkType  string `json:"network_type"`
	PrettyName   string `json:"pretty_name"`
	ChainID      string `json:"chain_id"`
	Bech32Prefix string `json:"bech32_prefix"`
	Slip44       int    `json:"slip44"`
	Fees         struct {
		FeeTokens []registryFeeToken `json:"fee_tokens"`
	} `json:"fees"`
	Staking struct {
		StakingTokens []struct {
			Denom string `json:"denom"`
		} `json:"staking_tokens"`
	} `json:"staking"`
	APIs struct {
		RPC  []registryAPI `json:"rpc"`
		REST []registryAPI `json:"rest"`
	} `json:"apis"`
}

type registryFeeToken struct {
	Denom            string  `json:"denom"`
	FixedMinGasPrice float64 `json:"fixed_min_gas_price"`
	LowGasPrice      float64 `json:"low_gas_price"`
	AverageGasPrice  float64 `json:"average_gas_price"`
	HighGasPrice     float64 `json:"high_gas_price"`
}

type registryAPI struct {
	Address  string `json:"address"`
	Provider string `json:"provider"`
}

// registryChainName is the chain's name in registry files.
const registryChainName = "streamchaindevnet"

// RegistryChain builds the chain-registry chain.json.
func RegistryChain(cfg Config, w WebConfig) registryChain {
	var c registryChain
	c.Schema = "../chain.schema.json"
	c.ChainName, c.ChainType, c.Status, c.NetworkType = registryChainName, "cosmos", "live", "devnet"
	c.PrettyName, c.ChainID, c.Bech32Prefix, c.Slip44 = "streamchain devnet", cfg.ChainID, cfg.Bech32Prefix, coinType
	s := w.gasSteps()
	c.Fees.FeeTokens = []registryFeeToken{{Denom: baseDenom, FixedMinGasPrice: s.Low, LowGasPrice: s.Low, AverageGasPrice: s.Average, HighGasPrice: s.High}}
	c.Staking.StakingTokens = append(c.Staking.StakingTokens, struct {
		Denom string `json:"denom"`
	}{baseDenom})
	c.APIs.RPC = []registryAPI{{Address: w.PublicRPC, Provider: "devnet"}}
	c.APIs.REST = []registryAPI{{Address: w.PublicREST, Provider: "devnet"}}
	return c
}

type registryAssetList struct {
	Schema    string          `json:"$schema"`
	ChainName string          `json:"chain_name"`
	Assets    []registryAsset `json:"assets"`
}

type registryAsset struct {
	Description string              `json:"description"`
	DenomUnits  []registryDenomUnit `json:"denom_units"`
	Base        string              `json:"base"`
	Name        string              `json:"name"`
	Display     string              `json:"display"`
	Symbol      string              `json:"symbol"`
	TypeAsset   string              `json:"type_asset"`
}

type registryDenomUnit struct {
	Denom    string `json:"denom"`
	Exponent int    `json:"exponent"`
}

// RegistryAssetList builds the chain-registry assetlist.json.
func RegistryAssetList() registryAssetList {
	return registryAssetList{
		Schema: "../assetlist.schema.json", ChainName: registryChainName,
		Assets: []registryAsset{{
			Description: "The staking and fee token of streamchain.",
			DenomUnits:  []registryDenomUnit{{Denom: baseDenom, Exponent: 0}, {Denom: "stream", Exponent: denomDecimals}},
			Base:        baseDenom, Name: "Stream", Display: "stream", Symbol: displayDenom, TypeAsset: "sdk.coin",
		}},
	}
}

// DevnetAccount is one public demo key of the devnet wallet.
type DevnetAccount struct {
	Name     string `json:"name"`
	Mnemonic string `json:"mnemonic"`
}

// LoadDevnetWallet reads a WebConfig.DevnetWalletFile.
func LoadDevnetWallet(file string) ([]DevnetAccount, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var accs []DevnetAccount
	if err := json.Unmarshal(b, &accs); err != nil {
		return nil, err
	}
	return accs, nil
}

// registerWebRoutes adds the web app, its chain description, the live
// status and (devnet only) the demo wallet to mux.
func (s *Server) registerWebRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /chain-info.json", s.serveChainJSON(func() any { return ChainInfo(s.cfg, s.cfg.Web) }))
	mux.HandleFunc("GET /chain-registry/chain.json", s.serveChainJSON(func() any { return RegistryChain(s.cfg, s.cfg.Web) }))
	mux.HandleFunc("GET /chain-registry/assetlist.json", serveJSON(func() any { return RegistryAssetList() }))
	mux.HandleFunc("GET /live.json", publicData(s.rateLimited(s.liveJSONRates, serveJSON(func() any { return s.live.Snapshot() }))))
	mux.HandleFunc("GET /live", publicData(s.limitLive(s.live.ServeSSE)))
	if s.devnetWallet != nil {
		mux.HandleFunc("GET /devnet-wallet.json", serveJSON(func() any { return s.devnetWallet }))
	}
	mux.Handle("GET /", webAppHandler(s.cfg.Web, s.otherInstanceOrigins))
}

// otherInstanceOrigins are the origins of the other live instances in shared
// mode (none otherwise): the web app served here may move to them.
func (s *Server) otherInstanceOrigins() []string {
	var out []string
	for _, in := range s.router.Others() {
		if o := cluster.OriginOf(in.URL); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func (s *Server) serveChainJSON(body func() any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Web.PublicRPC == "" || s.cfg.Web.PublicREST == "" {
			http.Error(w, "signalingd was started without -public-rpc and -public-rest", http.StatusServiceUnavailable)
			return
		}
		serveJSON(body)(w, r)
	}
}

// publicData lets pages of any origin read h: the live view holds stream
// ids and viewer counts only, and a page whose instance died reads it from
// another instance of the deployment (PROTOCOL.md §12).
func publicData(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		h(w, r)
	}
}

func serveJSON(body func() any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := json.MarshalIndent(body(), "", "  ")
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
		_, _ = w.Write(append(b, '\n'))
	}
}
