package app_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
)

const sigCacheChainID = "sigcache-test-1"

// blockRun is what one app answered to the same CheckTx calls and block.
type blockRun struct {
	checks  []*abci.ResponseCheckTx
	results []*abci.ExecTxResult
	appHash []byte
	hits    uint64
}

// TestSigVerifyCacheChangesNoResult runs the same txs through CheckTx and
// then FinalizeBlock on two apps, one with the signature cache and one
// without: every CheckTx answer, every tx result (code, log, gas wanted and
// used, events, data) and the app hash must be equal, the cache must have
// been used for the txs CheckTx saw, and the tampered txs — a signature
// changed, and a cached signature reused on a changed body — must be
// refused by both in CheckTx and in the block.
func TestSigVerifyCacheChangesNoResult(t *testing.T) {
	accs := load.DeriveAccounts("sigcache", 4)
	signer, err := load.NewSigner(sigCacheChainID)
	require.NoError(t, err)
	fee := sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5000))
	send := func(from load.Account, amount int64) load.TxSpec {
		return load.TxSpec{
			Msgs: []sdk.Msg{&banktypes.MsgSend{
				FromAddress: from.Bech32, ToAddress: accs[3].Bech32,
				Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, amount)),
			}},
			Gas: 200_000, Fee: fee,
		}
	}
	// Genesis account numbers follow the order of the genesis accounts.
	sign := func(i int, seq uint64, spec load.TxSpec) []byte {
		tx, err := signer.Sign(accs[i], uint64(i), seq, spec)
		require.NoError(t, err)
		return tx.Bytes
	}
	a0, a1 := sign(0, 0, send(accs[0], 1)), sign(0, 1, send(accs[0], 2))
	b0 := sign(1, 0, send(accs[1], 3))
	badSig := tamper(t, sign(2, 0, send(accs[2], 4)), func(raw *txtypes.TxRaw) { raw.Signatures[0][7] ^= 1 })
	// b1's signature, cached by CheckTx, on a body that sends more.
	b1 := sign(1, 1, send(accs[1], 5))
	reused := tamper(t, sign(1, 1, send(accs[1], 500)), func(raw *txtypes.TxRaw) { raw.Signatures = rawOf(t, b1).Signatures })
	c0 := sign(2, 0, send(accs[2], 6)) // never seen by CheckTx: verified in the block
	checked := [][]byte{a0, a1, b0, badSig, b1}
	block := [][]byte{a0, a1, b0, badSig, reused, c0}

	with := runBlock(t, accs, app.DefaultSigVerifyCacheSize, checked, block)
	without := runBlock(t, accs, 0, checked, block)

	require.Equal(t, without.checks, with.checks)
	require.Equal(t, without.results, with.results)
	require.Equal(t, without.appHash, with.appHash)
	require.Zero(t, without.hits)
	require.EqualValues(t, 3, with.hits, "a0, a1 and b0 were verified in CheckTx and not again")

	for i, code := range []uint32{0, 0, 0, 4, 0} {
		require.Equal(t, code, with.checks[i].Code, "CheckTx of tx %d: %s", i, with.checks[i].Log)
	}
	for i, code := range []uint32{0, 0, 0, 4, 4, 0} {
		require.Equal(t, code, with.results[i].Code, "block tx %d: %s", i, with.results[i].Log)
	}
	require.Positive(t, with.results[0].GasUsed)
	require.NotEmpty(t, with.results[0].Events)
}

func runBlock(t *testing.T, accs []load.Account, cacheSize int, checked, block [][]byte) blockRun {
	t.Helper()
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), true,
		simtestutil.AppOptionsMap{"streamchain.sig-verify-cache-size": cacheSize}, baseapp.SetChainID(sigCacheChainID))
	genAccs := make([]authtypes.GenesisAccount, len(accs))
	balances := make([]banktypes.Balance, len(accs))
	for i, acc := range accs {
		genAccs[i] = authtypes.NewBaseAccount(acc.Address, nil, uint64(i), 0)
		balances[i] = banktypes.Balance{Address: acc.Bech32, Coins: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000))}
	}
	state, err := simtestutil.GenesisStateWithValSet(a.AppCodec(), a.DefaultGenesis(), fixedValSet, genAccs, balances...)
	require.NoError(t, err)
	stateBytes, err := cmtjson.MarshalIndent(state, "", " ")
	require.NoError(t, err)
	_, err = a.InitChain(&abci.RequestInitChain{
		ChainId: sigCacheChainID, ConsensusParams: simtestutil.DefaultConsensusParams, AppStateBytes: stateBytes,
		InitialHeight: 1, Time: genesisTime,
	})
	require.NoError(t, err)
	_, err = a.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Time: genesisTime, NextValidatorsHash: fixedValSet.Hash()})
	require.NoError(t, err)
	_, err = a.Commit()
	require.NoError(t, err)

	var run blockRun
	for _, tx := range checked {
		res, err := a.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		run.checks = append(run.checks, res)
	}
	res, err := a.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height: 2, Time: genesisTime.Add(time.Second), Txs: block, NextValidatorsHash: fixedValSet.Hash(),
	})
	require.NoError(t, err)
	_, err = a.Commit()
	require.NoError(t, err)
	run.results, run.appHash, run.hits = res.TxResults, res.AppHash, app.SigVerifyCacheHits(a)
	return run
}

// Both apps start from the same validator (random, but shared), so their
// app hashes can be compared.
var (
	genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fixedValSet = func() *cmttypes.ValidatorSet {
		vs, err := simtestutil.CreateRandomValidatorSet()
		if err != nil {
			panic(err)
		}
		return vs
	}()
)

func rawOf(t *testing.T, tx []byte) *txtypes.TxRaw {
	t.Helper()
	var raw txtypes.TxRaw
	require.NoError(t, raw.Unmarshal(tx))
	return &raw
}

func tamper(t *testing.T, tx []byte, change func(*txtypes.TxRaw)) []byte {
	t.Helper()
	raw := rawOf(t, tx)
	change(raw)
	bz, err := raw.Marshal()
	require.NoError(t, err)
	return bz
}
