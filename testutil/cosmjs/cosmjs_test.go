// Package cosmjs checks that CosmJS, the JavaScript library behind Keplr-based
// dapps, can sign every x/streaming user Msg in amino-JSON mode (what Ledger
// and Keplr sign) and in direct mode, against a real node. The converters a
// dapp needs are in codec.mjs; streaming.mjs drives the chain.
package cosmjs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/streamchain/streamchain/testutil/cli"
)

// The chain's account address prefix and BIP-44 coin type, as in
// app/config.go (importing the app for them would triple this test's build
// time). CosmJS's wallets default to the same coin type.
const (
	accountPrefix = "stream"
	coinType      = 118
)

// summary is what streaming.mjs prints.
type summary struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error"`
	ChainID     string `json:"chain_id"`
	Broadcaster string `json:"broadcaster"`
	Viewer      string `json:"viewer"`
	// AccountNumbers are decimal strings: SDK v0.54 draws them from the
	// whole uint64 range, beyond a JS number's 2^53.
	AccountNumbers map[string]string `json:"account_numbers"`
	Txs            []txStep          `json:"txs"`
}

type txStep struct {
	Mode         string `json:"mode"` // amino-json or direct
	Step         string `json:"step"`
	WantCode     uint32 `json:"want_code"`
	Code         uint32 `json:"code"`
	Codespace    string `json:"codespace"`
	InBlock      bool   `json:"in_block"`
	Hash         string `json:"hash"`
	GasSimulated int64  `json:"gas_simulated"`
	GasWanted    int64  `json:"gas_wanted"`
	GasUsed      int64  `json:"gas_used"`
}

func TestCosmJSSignsStreamingMsgs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and runs node.js")
	}
	nodeJS, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node.js (v20 or newer) is needed to run the CosmJS client: install it, or skip with -short")
	}
	ensureNodeModules(t)

	began := time.Now()
	chain := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	t.Logf("node up after %s", time.Since(began).Round(time.Millisecond))

	// Fresh keys made with the SDK's keyring, so their mnemonics can be
	// handed to CosmJS; the addresses CosmJS derives must be the same.
	broadcaster, viewer := newAccount(t, "broadcaster"), newAccount(t, "viewer")
	funded := chain.Tx("alice", "bank", "multi-send", chain.Addrs["alice"], broadcaster.address, viewer.address, "100000000ustream")
	require.Zero(t, funded.Code, "fund the CosmJS accounts: %s", funded.RawLog)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script := exec.CommandContext(ctx, nodeJS, "streaming.mjs")
	script.Env = append(os.Environ(),
		"STREAM_RPC="+chain.RPC,
		"STREAM_CHAIN_ID="+chain.ChainID,
		"STREAM_BROADCASTER_MNEMONIC="+broadcaster.mnemonic,
		"STREAM_VIEWER_MNEMONIC="+viewer.mnemonic,
	)
	var stdout, stderr bytes.Buffer
	script.Stdout, script.Stderr = &stdout, &stderr
	scriptStart := time.Now()
	runErr := script.Run()
	t.Logf("streaming.mjs ran %s", time.Since(scriptStart).Round(time.Millisecond))
	var sum summary
	decodeErr := json.Unmarshal(stdout.Bytes(), &sum)
	if runErr != nil || decodeErr != nil || !sum.OK {
		t.Fatalf("streaming.mjs failed (%v, decode: %v): %s\nstdout:\n%s\nstderr:\n%s", runErr, decodeErr, sum.Error, stdout.String(), stderr.String())
	}
	t.Logf("CosmJS summary (account numbers %v):\n%s", sum.AccountNumbers, table(sum.Txs))

	require.Equal(t, chain.ChainID, sum.ChainID)
	require.Equal(t, broadcaster.address, sum.Broadcaster, "CosmJS derives another address from the mnemonic")
	require.Equal(t, viewer.address, sum.Viewer, "CosmJS derives another address from the mnemonic")

	// Every Msg went through both sign modes, and the chain, not only the
	// script, says which mode each tx was signed in.
	wantOK := []string{"edit-profile", "new-stream", "edit-stream", "delete-stream", "subscribe", "unsubscribe"}
	for _, mode := range []string{"amino-json", "direct"} {
		for _, msg := range wantOK {
			require.True(t, hasStep(sum.Txs, mode, msg, 0), "no successful %s tx in %s mode", msg, mode)
		}
		require.True(t, hasStep(sum.Txs, mode, "subscribe (broadcaster to itself)", 16), "no refused self-subscription in %s mode", mode)
	}
	wantSignMode := map[string]string{"amino-json": "SIGN_MODE_LEGACY_AMINO_JSON", "direct": "SIGN_MODE_DIRECT"}
	for _, tx := range sum.Txs {
		require.Equal(t, tx.WantCode, tx.Code, "%s %s", tx.Mode, tx.Step)
		if !tx.InBlock {
			continue
		}
		require.Equal(t, wantSignMode[tx.Mode], signMode(t, chain, tx.Hash), "%s %s: sign mode on chain", tx.Mode, tx.Step)
		if tx.GasSimulated > 0 {
			// Sent with CosmJS's "auto" fee: the gas limit is CosmJS's own
			// estimate (an empty-fee simulation) times its default 1.4,
			// and the tx, fee transfer included, stayed within it.
			require.InDelta(t, float64(tx.GasSimulated)*1.4, float64(tx.GasWanted), float64(tx.GasSimulated)*0.02,
				"%s %s: gas wanted is not CosmJS's auto estimate", tx.Mode, tx.Step)
			require.LessOrEqual(t, tx.GasUsed, tx.GasWanted, "%s %s", tx.Mode, tx.Step)
			require.GreaterOrEqual(t, tx.GasSimulated, tx.GasUsed, "%s %s: the empty-fee simulation leaves out part of the tx", tx.Mode, tx.Step)
		}
	}

	// The chain decoded the protobuf CosmJS wrote: the last profile edits
	// (direct mode) are stored field for field.
	var prof struct {
		Profile struct {
			Name     string `json:"name"`
			Surname  string `json:"surname"`
			ImgLink  string `json:"img_link"`
			TimeZone string `json:"time_zone"`
		} `json:"profile"`
	}
	chain.Query(&prof, "streaming", "profile", broadcaster.address)
	require.Equal(t, `Ålice <direct> & "co"`, prof.Profile.Name)
	require.Equal(t, "Smith", prof.Profile.Surname)
	require.Equal(t, "https://example.com/a.png?x=1&y=2", prof.Profile.ImgLink)
	require.Equal(t, "Europe/Berlin", prof.Profile.TimeZone)
	chain.Query(&prof, "streaming", "profile", viewer.address)
	require.Equal(t, "Bob", prof.Profile.Name)
}

type account struct {
	address  string
	mnemonic string
}

// newAccount creates a key from a new mnemonic on the chain's HD path
// (coin type 118, like Keplr and Ledger) in an in-memory keyring.
func newAccount(t *testing.T, name string) account {
	t.Helper()
	registry := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(registry)
	kr := keyring.NewInMemory(codec.NewProtoCodec(registry))
	rec, mnemonic, err := kr.NewMnemonic(name, keyring.English, hd.CreateHDPath(coinType, 0, 0).String(), keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)
	bech32, err := address.NewBech32Codec(accountPrefix).BytesToString(addr)
	require.NoError(t, err)
	return account{address: bech32, mnemonic: mnemonic}
}

// ensureNodeModules runs `npm ci` unless node_modules already holds the
// versions package.json pins, so that `go test ./...` works on a fresh clone.
func ensureNodeModules(t *testing.T) {
	t.Helper()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile("package.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pkg))
	installed := true
	for name, version := range pkg.Dependencies {
		var dep struct {
			Version string `json:"version"`
		}
		b, err := os.ReadFile(filepath.Join("node_modules", name, "package.json"))
		if err != nil || json.Unmarshal(b, &dep) != nil || dep.Version != version {
			installed = false
			break
		}
	}
	if installed {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("node_modules is missing and npm is not installed: run `npm ci --prefix testutil/cosmjs`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund").CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
}

func hasStep(txs []txStep, mode, stepPrefix string, code uint32) bool {
	for _, tx := range txs {
		if tx.Mode == mode && strings.HasPrefix(tx.Step, stepPrefix) && tx.Code == code {
			return true
		}
	}
	return false
}

// signMode reads a tx back from the node (REST) and returns its signer's
// sign mode.
func signMode(t *testing.T, chain *cli.Node, hash string) string {
	t.Helper()
	resp, err := http.Get(chain.REST + "/cosmos/tx/v1beta1/txs/" + hash)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET tx %s: %s", hash, body)
	var res struct {
		Tx struct {
			AuthInfo struct {
				SignerInfos []struct {
					ModeInfo struct {
						Single struct {
							Mode string `json:"mode"`
						} `json:"single"`
					} `json:"mode_info"`
				} `json:"signer_infos"`
			} `json:"auth_info"`
		} `json:"tx"`
	}
	require.NoError(t, json.Unmarshal(body, &res), "tx %s: %s", hash, body)
	require.Len(t, res.Tx.AuthInfo.SignerInfos, 1, "tx %s", hash)
	return res.Tx.AuthInfo.SignerInfos[0].ModeInfo.Single.Mode
}

func table(txs []txStep) string {
	var b strings.Builder
	for _, tx := range txs {
		where := "block"
		if !tx.InBlock {
			where = "CheckTx"
		}
		fmt.Fprintf(&b, "  %-10s %-48s code %2d %-9s (%s) gas simulated %6d used %6d wanted %6d %s\n",
			tx.Mode, tx.Step, tx.Code, tx.Codespace, where, tx.GasSimulated, tx.GasUsed, tx.GasWanted, tx.Hash)
	}
	return b.String()
}
