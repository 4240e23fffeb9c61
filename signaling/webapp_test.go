package signaling_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, string(b)
}

func TestWebAppIsServedAtTheRoot(t *testing.T) {
	e := newEnv(t)
	resp, body := get(t, e.hs.URL+"/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self';")
	// The committed bundle, and every asset its page names.
	want, err := os.ReadFile(filepath.Join("web", "dist", "index.html"))
	require.NoError(t, err)
	require.Equal(t, string(want), body)
	assets := regexp.MustCompile(`/assets/[A-Za-z0-9_.-]+`).FindAllString(body, -1)
	require.NotEmpty(t, assets)
	for _, a := range assets {
		resp, _ := get(t, e.hs.URL+a)
		require.Equal(t, http.StatusOK, resp.StatusCode, a)
		require.Contains(t, resp.Header.Get("Cache-Control"), "immutable", a)
	}
	for _, missing := range []string{"/nope", "/assets/", "/assets/nope.js", "/../go.mod"} {
		resp, _ := get(t, e.hs.URL+missing)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, missing)
	}
	// Routes of the daemon keep their own handlers.
	resp, _ = get(t, e.hs.URL+"/healthz")
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

func TestDevnetWalletOnlyWithTheFlag(t *testing.T) {
	e := newEnv(t)
	resp, _ := get(t, e.hs.URL+"/devnet-wallet.json")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	file := filepath.Join(t.TempDir(), "wallet.json")
	keys := `[{"name":"alice","mnemonic":"trouble gather pelican"}]`
	require.NoError(t, os.WriteFile(file, []byte(keys), 0o600))
	e = newEnv(t, func(c *signaling.Config) { c.Web.DevnetWalletFile = file })
	resp, body := get(t, e.hs.URL+"/devnet-wallet.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, keys, body)

	// A wallet file that can't be read stops the daemon at start-up.
	_, err := signaling.New(signaling.DefaultConfig(), nil)
	require.Error(t, err)
	cfg := testConfig()
	cfg.Web.DevnetWalletFile = filepath.Join(t.TempDir(), "missing.json")
	_, err = signaling.New(cfg, signalingtest.DialChain(t, e.chain.Addr()))
	require.ErrorContains(t, err, "devnet wallet")
}

func TestChainInfoForKeplrAndTheChainRegistry(t *testing.T) {
	e := newEnv(t)
	resp, body := get(t, e.hs.URL+"/chain-info.json")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "without public URLs there is nothing to tell a wallet")
	require.Contains(t, body, "-public-rpc")

	e = newEnv(t, func(c *signaling.Config) {
		c.ChainID = "streamchain-test-9"
		c.Web = signaling.WebConfig{PublicRPC: "https://rpc.example", PublicREST: "https://rest.example", MinGasPrice: 0.04}
	})
	resp, body = get(t, e.hs.URL+"/chain-info.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// The page may reach the node it is told about, and nothing else.
	page, _ := get(t, e.hs.URL+"/")
	require.Contains(t, page.Header.Get("Content-Security-Policy"), "connect-src 'self' https://rpc.example https://rest.example;")
	var info map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &info))
	require.Equal(t, "streamchain-test-9", info["chainId"])
	require.Equal(t, "https://rpc.example", info["rpc"])
	require.Equal(t, "https://rest.example", info["rest"])
	require.Equal(t, map[string]any{"coinType": 118.0}, info["bip44"])
	bech := info["bech32Config"].(map[string]any)
	require.Equal(t, "stream", bech["bech32PrefixAccAddr"])
	require.Equal(t, "streamvaloperpub", bech["bech32PrefixValPub"])
	stake := map[string]any{"coinDenom": "STREAM", "coinMinimalDenom": "ustream", "coinDecimals": 6.0}
	require.Equal(t, stake, info["stakeCurrency"])
	require.Equal(t, []any{stake}, info["currencies"])
	fee := info["feeCurrencies"].([]any)[0].(map[string]any)
	require.Equal(t, map[string]any{"low": 0.04, "average": 0.06, "high": 0.08}, fee["gasPriceStep"])

	_, body = get(t, e.hs.URL+"/chain-registry/chain.json")
	var chain map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &chain))
	require.Equal(t, "streamchain-test-9", chain["chain_id"])
	require.Equal(t, "stream", chain["bech32_prefix"])
	require.Equal(t, 118.0, chain["slip44"])
	tok := chain["fees"].(map[string]any)["fee_tokens"].([]any)[0].(map[string]any)
	require.Equal(t, "ustream", tok["denom"])
	require.Equal(t, 0.04, tok["fixed_min_gas_price"])
	apis := chain["apis"].(map[string]any)
	require.Equal(t, "https://rpc.example", apis["rpc"].([]any)[0].(map[string]any)["address"])

	_, body = get(t, e.hs.URL+"/chain-registry/assetlist.json")
	var assets struct {
		ChainName string `json:"chain_name"`
		Assets    []struct {
			Base       string `json:"base"`
			Display    string `json:"display"`
			Symbol     string `json:"symbol"`
			DenomUnits []struct {
				Denom    string `json:"denom"`
				Exponent int    `json:"exponent"`
			} `json:"denom_units"`
		} `json:"assets"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &assets))
	require.Equal(t, chain["chain_name"], assets.ChainName)
	require.Equal(t, "ustream", assets.Assets[0].Base)
	require.Equal(t, "STREAM", assets.Assets[0].Symbol)
	require.Equal(t, 6, assets.Assets[0].DenomUnits[1].Exponent)
	require.Equal(t, assets.Assets[0].Display, assets.Assets[0].DenomUnits[1].Denom)
}

// The page signalingd serves reaches /ws without being on the allow-list.
// With no allow-list at all, that page is the only browser origin let in:
// the default case needs no origin setup.
func TestOwnOriginMayConnect(t *testing.T) {
	for name, origins := range map[string][]string{"allow-list": {appOrigin}, "no allow-list": nil} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *signaling.Config) { c.AllowedOrigins = origins })
			ws, _, err := e.rawDial(testOrigin) // the server's public origin
			require.NoError(t, err)
			ws.Close()
			_, resp, err := e.rawDial("https://elsewhere.example")
			require.Error(t, err)
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
		})
	}
}
