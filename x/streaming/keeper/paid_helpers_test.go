package keeper_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func ustream(n int64) sdk.Coin { return sdk.NewInt64Coin(types.Denom, n) }

func coinPtr(c sdk.Coin) *sdk.Coin { return &c }

func balance(t testing.TB, f *testkeeper.Fixture, addr string) int64 {
	t.Helper()
	raw, err := f.AddressCode.StringToBytes(addr)
	require.NoError(t, err)
	return f.BankKeeper.GetBalance(f.Ctx, raw, types.Denom).Amount.Int64()
}

// requireRejectedKeepsFunds is requireRejected that also requires the
// balances of accounts to be unchanged.
func requireRejectedKeepsFunds(t *testing.T, f *testkeeper.Fixture, want *errorsmod.Error, accounts []string, call func() error) {
	t.Helper()
	before := make([]int64, len(accounts))
	for i, a := range accounts {
		before[i] = balance(t, f, a)
	}
	requireRejected(t, f, want, call)
	for i, a := range accounts {
		require.Equal(t, before[i], balance(t, f, a), "balance of %s changed", a)
	}
}

// typedEvents returns the module's typed events of the last calls (bank's
// untyped transfer events are skipped).
func typedEvents(t testing.TB, f *testkeeper.Fixture) []gogoproto.Message {
	t.Helper()
	var out []gogoproto.Message
	for _, e := range f.Ctx.EventManager().Events() {
		msg, err := sdk.ParseTypedEvent(abci.Event(e))
		if err != nil {
			continue
		}
		out = append(out, msg)
	}
	return out
}

func setTerms(t testing.TB, f *testkeeper.Fixture, broadcaster string, price int64, period time.Duration) {
	t.Helper()
	_, err := f.Msgs.SetSubscriptionTerms(f.Ctx, &types.MsgSetSubscriptionTerms{Broadcaster: broadcaster, Price: ustream(price), Period: period})
	require.NoError(t, err)
}

func paySubscribe(t testing.TB, f *testkeeper.Fixture, subscriber, broadcaster string, maxPrice int64) time.Time {
	t.Helper()
	res, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: subscriber, Broadcaster: broadcaster, MaxPrice: coinPtr(ustream(maxPrice))})
	require.NoError(t, err)
	require.NotNil(t, res.ExpiresAt)
	return *res.ExpiresAt
}

func subscription(t testing.TB, f *testkeeper.Fixture, subscriber, broadcaster string) *types.QuerySubscriptionResponse {
	t.Helper()
	res, err := f.Queries.Subscription(f.Ctx, &types.QuerySubscriptionRequest{Subscriber: subscriber, Broadcaster: broadcaster})
	require.NoError(t, err)
	return res
}

func requireConsistent(t testing.TB, f *testkeeper.Fixture) {
	t.Helper()
	require.NoError(t, f.Keeper.CheckSubscriptionExpiries(f.Ctx))
}
