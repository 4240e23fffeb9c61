package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/streamchain/streamchain/testutil/cli"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// TestMalformedTxsGetRegisteredCodes sends hand-encoded txs that no CLI
// would write, as any other client can, to a real node: through CometBFT's
// broadcast_tx_sync (CheckTx) and through the REST broadcast endpoint.
// Each must be refused with a registered code (the SDK's tx-decode error),
// never code 1 "undefined", and leave the state untouched.
func TestMalformedTxsGetRegisteredCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	alice := node.Addrs["alice"]

	cases := map[string][]byte{
		"invalid UTF-8 in a name":        handTx(t, &types.MsgEditProfile{Owner: alice, Name: "a\xffb"}),
		"invalid UTF-8 in a broadcaster": handTx(t, &types.MsgSubscribe{Subscriber: alice, Broadcaster: "stream1\xff"}),
		"invalid UTF-8 in the signer":    handTx(t, &types.MsgEditProfile{Owner: alice[:10] + "\xff" + alice[11:], Name: "x"}),
		"empty signer":                   handTx(t, &types.MsgEditProfile{Name: "x"}),
		"malformed signer":               handTx(t, &types.MsgEditProfile{Owner: "stream1notanaddress", Name: "x"}),
		"signer with a foreign prefix":   handTx(t, &types.MsgNewStream{Broadcaster: "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du", Title: "t"}),
		"not protobuf":                   {0xff, 0xff, 0xff, 0xff},
		"truncated tx":                   handTx(t, &types.MsgEditProfile{Owner: alice, Name: "x"})[:40],
		"empty tx":                       {},
		"an empty body only (CgA=)":      {0x0a, 0x00},
		"no fee in auth_info":            withoutFee(t, handTx(t, &types.MsgEditProfile{Owner: alice, Name: "x"})),
	}
	for name, tx := range cases {
		t.Run(name, func(t *testing.T) {
			code, codespace, log := broadcastRPC(t, node, tx)
			require.Equal(t, sdkerrors.ErrTxDecode.ABCICode(), code, "CheckTx: %s: %s", codespace, log)
			require.Equal(t, sdkerrors.ErrTxDecode.Codespace(), codespace, log)

			if len(tx) > 0 { // the REST service refuses empty tx_bytes itself
				code, codespace, log = broadcastREST(t, node, tx)
				require.Equal(t, sdkerrors.ErrTxDecode.ABCICode(), code, "REST broadcast: %s: %s", codespace, log)
				require.Equal(t, sdkerrors.ErrTxDecode.Codespace(), codespace, log)

				body := simulateREST(t, node, tx)
				require.Contains(t, body, "tx parse error", "REST simulate")
				requireNoPanic(t, body)
			}

			code, codespace, log = simulateABCI(t, node, tx)
			require.Equal(t, sdkerrors.ErrTxDecode.ABCICode(), code, "/app/simulate: %s: %s", codespace, log)
			require.Equal(t, sdkerrors.ErrTxDecode.Codespace(), codespace, log)
			requireNoPanic(t, log)
		})
	}
	require.Contains(t, node.QueryErr("streaming", "profile", alice), "not found")
}

// handTx encodes a tx around one Msg the way a client library would, with
// a public key, a fee and a (meaningless) signature: decoding is what is
// tested, and it comes before any signature check.
func handTx(t *testing.T, msg gogoproto.Message) []byte {
	t.Helper()
	msgAny, err := codectypes.NewAnyWithValue(msg)
	require.NoError(t, err)
	pubKey, err := codectypes.NewAnyWithValue(secp256k1.GenPrivKey().PubKey())
	require.NoError(t, err)
	body := &txtypes.TxBody{Messages: []*codectypes.Any{msgAny}}
	authInfo := &txtypes.AuthInfo{
		SignerInfos: []*txtypes.SignerInfo{{
			PublicKey: pubKey,
			ModeInfo:  &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signingtypes.SignMode_SIGN_MODE_DIRECT}}},
		}},
		Fee: &txtypes.Fee{Amount: sdk.NewCoins(sdk.NewInt64Coin("ustream", 5000)), GasLimit: 200000},
	}
	raw := &txtypes.TxRaw{BodyBytes: mustMarshal(t, body), AuthInfoBytes: mustMarshal(t, authInfo), Signatures: [][]byte{make([]byte, 64)}}
	return mustMarshal(t, raw)
}

// withoutFee is tx with its auth_info's fee left out, as no client writes it.
func withoutFee(t *testing.T, tx []byte) []byte {
	t.Helper()
	var raw txtypes.TxRaw
	require.NoError(t, gogoproto.Unmarshal(tx, &raw))
	var authInfo txtypes.AuthInfo
	require.NoError(t, gogoproto.Unmarshal(raw.AuthInfoBytes, &authInfo))
	authInfo.Fee = nil
	raw.AuthInfoBytes = mustMarshal(t, &authInfo)
	return mustMarshal(t, &raw)
}

// requireNoPanic fails if an answer carries a recovered panic or a stack.
func requireNoPanic(t *testing.T, answer string) {
	t.Helper()
	for _, leak := range []string{"recovered:", "goroutine ", "runtime error", ".go:", "111222"} {
		require.NotContains(t, answer, leak)
	}
}

// simulateREST posts tx to the REST simulate endpoint (the tx service, as
// CosmJS's and Keplr's gas estimation call it) and returns the answer's
// body.
func simulateREST(t *testing.T, node *cli.Node, tx []byte) string {
	t.Helper()
	req := `{"tx_bytes":"` + base64.StdEncoding.EncodeToString(tx) + `"}`
	res, err := http.Post(node.REST+"/cosmos/tx/v1beta1/simulate", "application/json", bytes.NewBufferString(req))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	// The client's error, not the node's: 400, as for any bad request.
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", b)
	return string(b)
}

// simulateABCI sends tx to CometBFT's abci_query at /app/simulate.
func simulateABCI(t *testing.T, node *cli.Node, tx []byte) (uint32, string, string) {
	t.Helper()
	req := `{"jsonrpc":"2.0","id":1,"method":"abci_query","params":{"path":"/app/simulate","data":"` + hex.EncodeToString(tx) + `"}}`
	var res struct {
		Result struct {
			Response struct {
				Code      uint32 `json:"code"`
				Codespace string `json:"codespace"`
				Log       string `json:"log"`
			} `json:"response"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	postJSON(t, strings.Replace(node.RPC, "tcp://", "http://", 1), req, &res)
	require.Empty(t, res.Error)
	return res.Result.Response.Code, res.Result.Response.Codespace, res.Result.Response.Log
}

func mustMarshal(t *testing.T, m gogoproto.Message) []byte {
	t.Helper()
	b, err := gogoproto.Marshal(m)
	require.NoError(t, err)
	return b
}

// broadcastRPC sends tx to CometBFT's JSON-RPC broadcast_tx_sync and
// returns CheckTx's answer.
func broadcastRPC(t *testing.T, node *cli.Node, tx []byte) (uint32, string, string) {
	t.Helper()
	req := `{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"` + base64.StdEncoding.EncodeToString(tx) + `"}}`
	var res struct {
		Result struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			Log       string `json:"log"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	postJSON(t, strings.Replace(node.RPC, "tcp://", "http://", 1), req, &res)
	require.Empty(t, res.Error)
	return res.Result.Code, res.Result.Codespace, res.Result.Log
}

// broadcastREST sends tx through the node's REST broadcast endpoint (the
// SDK's tx service) in sync mode.
func broadcastREST(t *testing.T, node *cli.Node, tx []byte) (uint32, string, string) {
	t.Helper()
	req := `{"mode":"BROADCAST_MODE_SYNC","tx_bytes":"` + base64.StdEncoding.EncodeToString(tx) + `"}`
	var res struct {
		TxResponse struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			RawLog    string `json:"raw_log"`
		} `json:"tx_response"`
	}
	postJSON(t, node.REST+"/cosmos/tx/v1beta1/txs", req, &res)
	return res.TxResponse.Code, res.TxResponse.Codespace, res.TxResponse.RawLog
}

func postJSON(t *testing.T, url, body string, v any) {
	t.Helper()
	res, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "POST %s: %s", url, b)
	require.NoError(t, json.Unmarshal(b, v), string(b))
}
