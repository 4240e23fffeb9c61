package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

const testChainID = "streamchain-apptest-1"

// testChain is a StreamApp driven in process through ABCI, as CometBFT
// drives it: genesis with one validator and one funded account, then
// blocks of txs. Every tx entry point a client reaches is here: CheckTx,
// simulation (the gRPC/REST tx service calls BaseApp.Simulate), the ABCI
// query /app/simulate, and FinalizeBlock.
type testChain struct {
	app    *StreamApp
	valSet *cmttypes.ValidatorSet
	key    *secp256k1.PrivKey
	addr   sdk.AccAddress
	height int64
	time   time.Time
}

func newTestChain(tb testing.TB) *testChain {
	tb.Helper()
	c := &testChain{key: secp256k1.GenPrivKey(), time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.addr = sdk.AccAddress(c.key.PubKey().Address())
	c.app = New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(tb.TempDir()),
		baseapp.SetChainID(testChainID))
	tb.Cleanup(func() { _ = c.app.Close() })

	valSet, err := simtestutil.CreateRandomValidatorSet()
	require.NoError(tb, err)
	c.valSet = valSet
	acc := authtypes.NewBaseAccount(c.addr, nil, 0, 0)
	funds := sdk.NewCoins(sdk.NewCoin(BondDenom, sdkmath.NewInt(1_000_000_000_000)))
	genesis, err := simtestutil.GenesisStateWithValSet(c.app.AppCodec(), c.app.DefaultGenesis(), valSet,
		[]authtypes.GenesisAccount{acc}, banktypes.Balance{Address: c.addr.String(), Coins: funds})
	require.NoError(tb, err)
	state, err := json.Marshal(genesis)
	require.NoError(tb, err)
	_, err = c.app.InitChain(&abci.RequestInitChain{
		ChainId:         testChainID,
		Time:            c.time,
		Validators:      []abci.ValidatorUpdate{},
		ConsensusParams: simtestutil.DefaultConsensusParams,
		AppStateBytes:   state,
	})
	require.NoError(tb, err)
	c.block(tb)
	return c
}

// block finalizes and commits a block of txs and returns their results.
func (c *testChain) block(tb testing.TB, txs ...[]byte) []*abci.ExecTxResult {
	tb.Helper()
	c.height++
	c.time = c.time.Add(time.Second)
	res, err := c.app.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height: c.height, Time: c.time, Txs: txs, NextValidatorsHash: c.valSet.Hash(),
	})
	require.NoError(tb, err)
	_, err = c.app.Commit()
	require.NoError(tb, err)
	return res.TxResults
}

// answer is one entry point's reply to a tx, reduced to what a client sees.
type answer struct {
	entry     string
	code      uint32
	codespace string
	log       string
}

// answers submits tx through every entry point: CheckTx, simulation, the
// /app/simulate query, and a block (which it commits).
func (c *testChain) answers(tb testing.TB, tx []byte) []answer {
	tb.Helper()
	var out []answer
	check, err := c.app.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(tb, err)
	out = append(out, answer{"CheckTx", check.Code, check.Codespace, check.Log})

	_, _, err = c.app.Simulate(tx)
	codespace, code, log := errorsmod.ABCIInfo(err, false)
	out = append(out, answer{"Simulate", code, codespace, log})

	query, err := c.app.Query(context.Background(), &abci.RequestQuery{Path: "/app/simulate", Data: tx})
	require.NoError(tb, err)
	out = append(out, answer{"/app/simulate", query.Code, query.Codespace, query.Log})

	results := c.block(tb, tx)
	require.Len(tb, results, 1)
	out = append(out, answer{"FinalizeBlock", results[0].Code, results[0].Codespace, results[0].Log})
	return out
}

// requireRegistered fails unless the answer is a success or a registered
// error: code 1 ("undefined") and 111222 (the SDK's recovered panic) are
// not, and no answer may carry a Go panic or stack trace.
func requireRegistered(tb testing.TB, a answer, input []byte) {
	tb.Helper()
	require.NotEqual(tb, uint32(1), a.code, "%s answered code 1 (%s) to %x: %s", a.entry, a.codespace, input, a.log)
	require.NotEqual(tb, uint32(111222), a.code, "%s answered the SDK's panic code to %x: %s", a.entry, input, a.log)
	for _, leak := range []string{"recovered:", "goroutine ", "runtime error", "panic", ".go:"} {
		require.NotContains(tb, a.log, leak, "%s leaked a panic to %x", a.entry, input)
	}
}

// signedTx is a correctly signed tx from the funded account, its parts
// left to the caller to change afterwards (for the fuzz seeds).
func (c *testChain) signedTx(tb testing.TB, msgs ...sdk.Msg) []byte {
	tb.Helper()
	txConfig := c.app.TxConfig()
	b := txConfig.NewTxBuilder()
	require.NoError(tb, b.SetMsgs(msgs...))
	b.SetGasLimit(200_000)
	b.SetFeeAmount(sdk.NewCoins(sdk.NewInt64Coin(BondDenom, 5000)))
	ctx := c.app.NewContext(true)
	acc := c.app.AccountKeeper.GetAccount(ctx, c.addr)
	require.NotNil(tb, acc)
	mode := signing.SignMode_SIGN_MODE_DIRECT
	require.NoError(tb, b.SetSignatures(signing.SignatureV2{
		PubKey: c.key.PubKey(), Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: acc.GetSequence(),
	}))
	sig, err := clienttx.SignWithPrivKey(ctx, mode, authsigning.SignerData{
		Address: c.addr.String(), ChainID: testChainID, AccountNumber: acc.GetAccountNumber(),
		Sequence: acc.GetSequence(), PubKey: c.key.PubKey(),
	}, b, c.key, txConfig, acc.GetSequence())
	require.NoError(tb, err)
	require.NoError(tb, b.SetSignatures(sig))
	bz, err := txConfig.TxEncoder()(b.GetTx())
	require.NoError(tb, err)
	return bz
}

func (c *testChain) send(amount int64) sdk.Msg {
	return banktypes.NewMsgSend(c.addr, c.addr, sdk.NewCoins(sdk.NewInt64Coin(BondDenom, amount)))
}
