package keeper_test

import (
	"fmt"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

const month = 30 * 24 * time.Hour

// paidFixture has alice (a broadcaster charging 1,000 ustream a month) and
// bob (a funded viewer), both with profiles.
func paidFixture(t *testing.T) (f *testkeeper.Fixture, alice, bob string) {
	f = testkeeper.NewFixture(t)
	alice, bob = f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	f.Fund(t, bob, sdk.NewCoins(ustream(10_000)))
	setTerms(t, f, alice, 1_000, month)
	return f, alice, bob
}

func TestSubscriptionTerms(t *testing.T) {
	f, alice, _ := paidFixture(t)
	res, err := f.Queries.SubscriptionTerms(f.Ctx, &types.QuerySubscriptionTermsRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.False(t, res.Free)
	require.Equal(t, types.SubscriptionTerms{Broadcaster: alice, Price: ustream(1_000), Period: month}, res.Terms)

	f.ResetEvents()
	setTerms(t, f, alice, 0, 0)
	require.Equal(t, []gogoproto.Message{&types.EventSubscriptionTermsSet{Broadcaster: alice, Price: ustream(0)}}, typedEvents(t, f))
	res, err = f.Queries.SubscriptionTerms(f.Ctx, &types.QuerySubscriptionTermsRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.True(t, res.Free)
	require.True(t, res.Terms.Price.IsZero())

	// A broadcaster without a profile or terms is free to follow.
	res, err = f.Queries.SubscriptionTerms(f.Ctx, &types.QuerySubscriptionTermsRequest{Broadcaster: f.Addr(t, "nobody")})
	require.NoError(t, err)
	require.True(t, res.Free)
	_, err = f.Queries.SubscriptionTerms(f.Ctx, &types.QuerySubscriptionTermsRequest{Broadcaster: "nope"})
	requireGRPCCode(t, err, 3) // InvalidArgument
}

func TestSubscriptionTermsRejects(t *testing.T) {
	f, alice, _ := paidFixture(t)
	p := types.DefaultParams()
	cases := []struct {
		name string
		msg  types.MsgSetSubscriptionTerms
		want *errorsmodError
	}{
		{"bad address", types.MsgSetSubscriptionTerms{Broadcaster: "x", Price: ustream(1), Period: time.Hour}, types.ErrInvalidAddress},
		{"no profile", types.MsgSetSubscriptionTerms{Broadcaster: f.Addr(t, "nobody"), Price: ustream(1), Period: time.Hour}, types.ErrProfileNotFound},
		{"period below the minimum", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: ustream(1), Period: p.MinSubscriptionPeriod - 1}, types.ErrPeriodOutOfBounds},
		{"period above the maximum", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: ustream(1), Period: p.MaxSubscriptionPeriod + 1}, types.ErrPeriodOutOfBounds},
		{"no period", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: ustream(1)}, types.ErrPeriodOutOfBounds},
		{"price above the param", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: sdk.NewCoin(types.Denom, math.NewIntFromUint64(p.MaxSubscriptionPrice+1)), Period: time.Hour}, types.ErrPriceTooHigh},
		{"other denomination", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: sdk.NewInt64Coin("uatom", 1), Period: time.Hour}, types.ErrInvalidDenom},
		{"negative price", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: sdk.Coin{Denom: types.Denom, Amount: math.NewInt(-1)}, Period: time.Hour}, types.ErrInvalidAmount},
		{"no amount", types.MsgSetSubscriptionTerms{Broadcaster: alice, Price: sdk.Coin{Denom: types.Denom}, Period: time.Hour}, types.ErrInvalidAmount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.SetSubscriptionTerms(f.Ctx, &msg)
				return err
			})
		})
	}
}

func TestPaidSubscribe(t *testing.T) {
	f, alice, bob := paidFixture(t)
	f.ResetEvents()
	expires := paySubscribe(t, f, bob, alice, 1_000)
	require.Equal(t, testkeeper.GenesisTime.Add(month), expires)
	require.EqualValues(t, 9_000, balance(t, f, bob))
	require.EqualValues(t, 1_000, balance(t, f, alice))
	require.Equal(t, []gogoproto.Message{&types.EventSubscribed{
		Subscriber: bob, Broadcaster: alice, Paid: coinPtr(ustream(1_000)), ExpiresAt: &expires,
	}}, typedEvents(t, f))

	sub := subscription(t, f, bob, alice)
	require.True(t, sub.Subscribed)
	require.Equal(t, expires, *sub.ExpiresAt)
	subs, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	require.Equal(t, expires, *subs.Subscriptions[0].ExpiresAt)
	require.EqualValues(t, 1, profile(t, f, alice).SubscriberCount)
	requireConsistent(t, f)

	// Unsubscribing ends it at once, without a refund.
	f.ResetEvents()
	_, err = f.Msgs.Unsubscribe(f.Ctx, &types.MsgUnsubscribe{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	require.Equal(t, []gogoproto.Message{&types.EventUnsubscribed{Subscriber: bob, Broadcaster: alice}}, typedEvents(t, f))
	require.False(t, subscription(t, f, bob, alice).Subscribed)
	require.EqualValues(t, 9_000, balance(t, f, bob))
	require.EqualValues(t, 0, profile(t, f, alice).SubscriberCount)
	requireConsistent(t, f)
	n, err := f.Keeper.ExpireSubscriptions(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestFreeSubscriptionNeedsNoMaxPrice(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	// A client older than paid subscriptions sends no max_price, and its
	// account holds nothing.
	res, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	require.Nil(t, res.ExpiresAt)
	require.Nil(t, subscription(t, f, bob, alice).ExpiresAt)
	// A free subscription never expires, so there is nothing to renew.
	requireRejected(t, f, types.ErrAlreadySubscribed, func() error {
		_, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice, MaxPrice: coinPtr(ustream(5))})
		return err
	})
	// Neither does a price set later: terms apply to new subscriptions and
	// renewals only.
	setTerms(t, f, alice, 1_000, month)
	f.At(testkeeper.GenesisTime.Add(2 * month))
	require.True(t, subscription(t, f, bob, alice).Subscribed)
	requireConsistent(t, f)
}

func TestPaidSubscribeRejects(t *testing.T) {
	f, alice, bob := paidFixture(t)
	carol := f.Addr(t, "carol")
	createProfile(t, f, carol, "Carol")
	f.Fund(t, carol, sdk.NewCoins(ustream(999)))
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: f.Addr(t, "mallory")})
	require.NoError(t, err)
	mallory := f.Addr(t, "mallory")
	createProfile(t, f, mallory, "Mallory")
	f.Fund(t, mallory, sdk.NewCoins(ustream(10_000)))

	cases := []struct {
		name string
		msg  types.MsgSubscribe
		want *errorsmodError
	}{
		{"no max price", types.MsgSubscribe{Subscriber: bob, Broadcaster: alice}, types.ErrPriceAboveMax},
		{"max price below the price", types.MsgSubscribe{Subscriber: bob, Broadcaster: alice, MaxPrice: coinPtr(ustream(999))}, types.ErrPriceAboveMax},
		{"max price in another denomination", types.MsgSubscribe{Subscriber: bob, Broadcaster: alice, MaxPrice: coinPtr(sdk.NewInt64Coin("uatom", 5_000))}, types.ErrInvalidDenom},
		{"negative max price", types.MsgSubscribe{Subscriber: bob, Broadcaster: alice, MaxPrice: &sdk.Coin{Denom: types.Denom, Amount: math.NewInt(-1)}}, types.ErrInvalidAmount},
		{"insufficient funds", types.MsgSubscribe{Subscriber: carol, Broadcaster: alice, MaxPrice: coinPtr(ustream(1_000))}, types.ErrInsufficientFunds},
		{"blocked", types.MsgSubscribe{Subscriber: mallory, Broadcaster: alice, MaxPrice: coinPtr(ustream(1_000))}, types.ErrBlocked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejectedKeepsFunds(t, f, tc.want, []string{alice, bob, carol, mallory}, func() error {
				_, err := f.Msgs.Subscribe(f.Ctx, &msg)
				return err
			})
		})
	}

	// A price raised between signing and inclusion fails the message.
	setTerms(t, f, alice, 2_000, month)
	requireRejectedKeepsFunds(t, f, types.ErrPriceAboveMax, []string{alice, bob}, func() error {
		_, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice, MaxPrice: coinPtr(ustream(1_000))})
		return err
	})
}

func TestRenewal(t *testing.T) {
	f, alice, bob := paidFixture(t)
	first := paySubscribe(t, f, bob, alice, 1_000)

	// Before expiry: the new period starts at the current expiry.
	f.At(testkeeper.GenesisTime.Add(10 * 24 * time.Hour))
	f.ResetEvents()
	second := paySubscribe(t, f, bob, alice, 1_000)
	require.Equal(t, first.Add(month), second)
	require.Equal(t, []gogoproto.Message{&types.EventSubscribed{
		Subscriber: bob, Broadcaster: alice, Paid: coinPtr(ustream(1_000)), ExpiresAt: &second, Renewed: true,
	}}, typedEvents(t, f))
	require.EqualValues(t, 1, profile(t, f, alice).SubscriberCount, "a renewal is not a new subscriber")
	require.Equal(t, testkeeper.GenesisTime, *subscription(t, f, bob, alice).Since)
	requireConsistent(t, f)

	// Terms changed mid-period: the paid-for expiry stands; the renewal
	// pays the new price for the new period.
	setTerms(t, f, alice, 3_000, 7*24*time.Hour)
	require.Equal(t, second, *subscription(t, f, bob, alice).ExpiresAt)

	// After expiry, before the end blocker removed it: from now. It gives
	// no access in between.
	late := second.Add(time.Hour)
	f.At(late)
	require.False(t, subscription(t, f, bob, alice).Subscribed)
	third := paySubscribe(t, f, bob, alice, 3_000)
	require.Equal(t, late.Add(7*24*time.Hour), third)
	require.EqualValues(t, 10_000-1_000-1_000-3_000, balance(t, f, bob))
	require.EqualValues(t, 5_000, balance(t, f, alice))
	requireConsistent(t, f)

	// Free terms: a renewal makes it non-expiring and leaves the queue.
	setTerms(t, f, alice, 0, 0)
	res, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	require.Nil(t, res.ExpiresAt)
	require.Nil(t, subscription(t, f, bob, alice).ExpiresAt)
	requireConsistent(t, f)
	f.At(third.Add(month))
	n, err := f.Keeper.ExpireSubscriptions(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	require.True(t, subscription(t, f, bob, alice).Subscribed)
}

// After expiry the subscription is removed by the end blocker, at most
// max_expirations_per_block a block, earliest first; the rest carry over.
func TestExpiryIsBoundedPerBlock(t *testing.T) {
	f, alice, _ := paidFixture(t)
	params := types.DefaultParams()
	params.MaxExpirationsPerBlock = 3
	_, err := f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: params})
	require.NoError(t, err)

	const viewers = 10
	var addrs []string
	for i := range viewers {
		v := f.AddrN(t, i)
		addrs = append(addrs, v)
		createProfile(t, f, v, fmt.Sprintf("Viewer %d", i))
		f.Fund(t, v, sdk.NewCoins(ustream(1_000)))
		// Two groups: the first five subscribe an hour before the rest.
		if i == 5 {
			f.At(f.Ctx.BlockTime().Add(time.Hour))
		}
		paySubscribe(t, f, v, alice, 1_000)
	}
	require.EqualValues(t, viewers, profile(t, f, alice).SubscriberCount)

	// Before any expiry: nothing to do.
	f.At(testkeeper.GenesisTime.Add(month - time.Second))
	n, err := f.Keeper.ExpireSubscriptions(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	// All are due: 3, 3, 3, 1, 0 over five blocks, earliest first.
	f.At(testkeeper.GenesisTime.Add(2 * month))
	for _, a := range addrs {
		require.False(t, subscription(t, f, a, alice).Subscribed, "expired subscriptions give no access while they wait")
	}
	var ended []string
	for block, want := range []int{3, 3, 3, 1, 0} {
		f.ResetEvents()
		n, err := f.Keeper.ExpireSubscriptions(f.Ctx)
		require.NoError(t, err)
		require.Equal(t, want, n, "block %d", block)
		for _, ev := range typedEvents(t, f) {
			switch e := ev.(type) {
			case *types.EventSubscriptionExpired:
				ended = append(ended, e.Subscriber)
				require.Equal(t, alice, e.Broadcaster)
			case *types.EventUnsubscribed:
			default:
				t.Fatalf("unexpected event %T", ev)
			}
		}
		require.Len(t, typedEvents(t, f), 2*want, "each expiry emits EventSubscriptionExpired and EventUnsubscribed")
		requireConsistent(t, f)
		f.At(f.Ctx.BlockTime().Add(time.Second))
	}
	require.Len(t, ended, viewers)
	require.ElementsMatch(t, addrs[:5], ended[:5], "the earlier expiries go first")
	require.EqualValues(t, 0, profile(t, f, alice).SubscriberCount)
	for _, a := range addrs {
		require.EqualValues(t, 0, profile(t, f, a).SubscriptionCount)
	}
}

func TestTip(t *testing.T) {
	f, alice, bob := paidFixture(t)
	id := newStream(t, f, alice, "Live", time.Hour, time.Hour)

	f.ResetEvents()
	_, err := f.Msgs.Tip(f.Ctx, &types.MsgTip{Sender: bob, Broadcaster: alice, Amount: ustream(250), StreamId: id, Memo: "great show 🎉"})
	require.NoError(t, err)
	require.Equal(t, []gogoproto.Message{&types.EventTip{Sender: bob, Broadcaster: alice, Amount: ustream(250), StreamId: id, Memo: "great show 🎉"}}, typedEvents(t, f))
	require.EqualValues(t, 9_750, balance(t, f, bob))
	require.EqualValues(t, 250, balance(t, f, alice))

	// Without a stream and a memo; the sender needs no profile.
	dave := f.Addr(t, "dave")
	f.Fund(t, dave, sdk.NewCoins(ustream(10)))
	_, err = f.Msgs.Tip(f.Ctx, &types.MsgTip{Sender: dave, Broadcaster: alice, Amount: ustream(10)})
	require.NoError(t, err)
	require.EqualValues(t, 260, balance(t, f, alice))
}

func TestTipRejects(t *testing.T) {
	f, alice, bob := paidFixture(t)
	carol := f.Addr(t, "carol")
	createProfile(t, f, carol, "Carol")
	carolStream := newStream(t, f, carol, "Carol live", time.Hour, time.Hour)
	mallory := f.Addr(t, "mallory")
	f.Fund(t, mallory, sdk.NewCoins(ustream(100)))
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: mallory})
	require.NoError(t, err)

	tip := func(mut func(*types.MsgTip)) types.MsgTip {
		m := types.MsgTip{Sender: bob, Broadcaster: alice, Amount: ustream(5)}
		mut(&m)
		return m
	}
	cases := []struct {
		name string
		msg  types.MsgTip
		want *errorsmodError
	}{
		{"bad sender", tip(func(m *types.MsgTip) { m.Sender = "x" }), types.ErrInvalidAddress},
		{"bad broadcaster", tip(func(m *types.MsgTip) { m.Broadcaster = "" }), types.ErrInvalidAddress},
		{"self", tip(func(m *types.MsgTip) { m.Broadcaster = bob; m.Sender = bob }), types.ErrSelfTip},
		{"zero", tip(func(m *types.MsgTip) { m.Amount = ustream(0) }), types.ErrInvalidAmount},
		{"negative", tip(func(m *types.MsgTip) { m.Amount = sdk.Coin{Denom: types.Denom, Amount: math.NewInt(-5)} }), types.ErrInvalidAmount},
		{"no amount", tip(func(m *types.MsgTip) { m.Amount = sdk.Coin{} }), types.ErrInvalidDenom},
		{"other denomination", tip(func(m *types.MsgTip) { m.Amount = sdk.NewInt64Coin("uatom", 5) }), types.ErrInvalidDenom},
		{"memo with a control character", tip(func(m *types.MsgTip) { m.Memo = "hi\u0007" }), types.ErrInvalidText},
		{"memo with a bidi override", tip(func(m *types.MsgTip) { m.Memo = "\u202Egnp.exe" }), types.ErrInvalidText},
		{"memo with a newline", tip(func(m *types.MsgTip) { m.Memo = "a\nb" }), types.ErrInvalidText},
		{"memo too long", tip(func(m *types.MsgTip) { m.Memo = repeat("a", int(types.DefaultMaxMemoLength)+1) }), types.ErrTextTooLong},
		{"memo not UTF-8", tip(func(m *types.MsgTip) { m.Memo = "\xff" }), types.ErrInvalidText},
		{"broadcaster without profile", tip(func(m *types.MsgTip) { m.Broadcaster = f.Addr(t, "nobody") }), types.ErrProfileNotFound},
		{"unknown stream", tip(func(m *types.MsgTip) { m.StreamId = 999 }), types.ErrStreamNotFound},
		{"someone else's stream", tip(func(m *types.MsgTip) { m.StreamId = carolStream }), types.ErrUnauthorized},
		{"insufficient funds", tip(func(m *types.MsgTip) { m.Amount = ustream(10_001) }), types.ErrInsufficientFunds},
		{"blocked", tip(func(m *types.MsgTip) { m.Sender = mallory }), types.ErrBlocked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejectedKeepsFunds(t, f, tc.want, []string{alice, bob, mallory}, func() error {
				_, err := f.Msgs.Tip(f.Ctx, &msg)
				return err
			})
		})
	}
}

func TestBlockEndsSubscription(t *testing.T) {
	f, alice, bob := paidFixture(t)
	expires := paySubscribe(t, f, bob, alice, 1_000)

	f.ResetEvents()
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: bob, Reason: "spam in chat"})
	require.NoError(t, err)
	require.Equal(t, []gogoproto.Message{
		&types.EventUnsubscribed{Subscriber: bob, Broadcaster: alice},
		&types.EventBlocked{Broadcaster: alice, Account: bob, Reason: "spam in chat", Unsubscribed: true},
	}, typedEvents(t, f))
	require.False(t, subscription(t, f, bob, alice).Subscribed)
	require.EqualValues(t, 0, profile(t, f, alice).SubscriberCount)
	require.EqualValues(t, 0, profile(t, f, bob).SubscriptionCount)
	requireConsistent(t, f)
	// Its expiry entry went with it: nothing is left to expire.
	f.At(expires.Add(time.Hour))
	n, err := f.Keeper.ExpireSubscriptions(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	got, err := f.Queries.Block(f.Ctx, &types.QueryBlockRequest{Broadcaster: alice, Account: bob})
	require.NoError(t, err)
	require.True(t, got.Blocked)
	require.Equal(t, "spam in chat", got.Block.Reason)
	require.Equal(t, testkeeper.GenesisTime, got.Block.Since)
	got, err = f.Queries.Block(f.Ctx, &types.QueryBlockRequest{Broadcaster: bob, Account: alice})
	require.NoError(t, err)
	require.False(t, got.Blocked)
	require.Nil(t, got.Block)

	// Blocking someone who does not follow: no EventUnsubscribed.
	carol := f.Addr(t, "carol")
	f.ResetEvents()
	_, err = f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: carol})
	require.NoError(t, err)
	require.Equal(t, []gogoproto.Message{&types.EventBlocked{Broadcaster: alice, Account: carol}}, typedEvents(t, f))

	// Unblock: bob may subscribe again.
	f.ResetEvents()
	_, err = f.Msgs.Unblock(f.Ctx, &types.MsgUnblock{Broadcaster: alice, Account: bob})
	require.NoError(t, err)
	require.Equal(t, []gogoproto.Message{&types.EventUnblocked{Broadcaster: alice, Account: bob}}, typedEvents(t, f))
	paySubscribe(t, f, bob, alice, 1_000)
	requireConsistent(t, f)
}

func TestBlocksQueryPages(t *testing.T) {
	f, alice, _ := paidFixture(t)
	for i := range 7 {
		_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: f.AddrN(t, i)})
		require.NoError(t, err)
	}
	// Someone else's blocks are not listed.
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: f.Addr(t, "bob"), Account: f.AddrN(t, 1)})
	require.NoError(t, err)

	var all []string
	var key []byte
	for {
		res, err := f.Queries.Blocks(f.Ctx, &types.QueryBlocksRequest{Broadcaster: alice, Pagination: &query.PageRequest{Key: key, Limit: 3}})
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.Blocks), 3)
		for _, b := range res.Blocks {
			require.Equal(t, alice, b.Broadcaster)
			all = append(all, b.Account)
		}
		if key = res.Pagination.NextKey; key == nil {
			break
		}
	}
	require.Len(t, all, 7)
	_, err = f.Queries.Blocks(f.Ctx, &types.QueryBlocksRequest{Broadcaster: alice, Pagination: &query.PageRequest{CountTotal: true}})
	requireGRPCCode(t, err, 3) // InvalidArgument
	_, err = f.Queries.Blocks(f.Ctx, &types.QueryBlocksRequest{Broadcaster: "nope"})
	requireGRPCCode(t, err, 3)
}

func TestBlockRejects(t *testing.T) {
	f, alice, bob := paidFixture(t)
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: alice, Account: bob})
	require.NoError(t, err)

	cases := []struct {
		name string
		msg  types.MsgBlock
		want *errorsmodError
	}{
		{"bad broadcaster", types.MsgBlock{Broadcaster: "x", Account: bob}, types.ErrInvalidAddress},
		{"bad account", types.MsgBlock{Broadcaster: alice, Account: "stream1zzz"}, types.ErrInvalidAddress},
		{"self", types.MsgBlock{Broadcaster: alice, Account: alice}, types.ErrSelfBlock},
		{"twice", types.MsgBlock{Broadcaster: alice, Account: bob}, types.ErrAlreadyBlocked},
		{"reason with a control character", types.MsgBlock{Broadcaster: alice, Account: f.Addr(t, "carol"), Reason: "\u2028"}, types.ErrInvalidText},
		{"reason too long", types.MsgBlock{Broadcaster: alice, Account: f.Addr(t, "carol"), Reason: repeat("r", int(types.DefaultMaxBlockReasonLength)+1)}, types.ErrTextTooLong},
		{"broadcaster without profile", types.MsgBlock{Broadcaster: f.Addr(t, "nobody"), Account: bob}, types.ErrProfileNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.Block(f.Ctx, &msg)
				return err
			})
		})
	}
	t.Run("unblock when not blocked", func(t *testing.T) {
		requireRejected(t, f, types.ErrNotBlocked, func() error {
			_, err := f.Msgs.Unblock(f.Ctx, &types.MsgUnblock{Broadcaster: bob, Account: alice})
			return err
		})
	})
	t.Run("unblock with bad address", func(t *testing.T) {
		requireRejected(t, f, types.ErrInvalidAddress, func() error {
			_, err := f.Msgs.Unblock(f.Ctx, &types.MsgUnblock{Broadcaster: alice, Account: ""})
			return err
		})
	})
}

func TestPaidGenesisRoundTrip(t *testing.T) {
	f, alice, bob := paidFixture(t)
	carol := f.Addr(t, "carol")
	createProfile(t, f, carol, "Carol")
	f.Fund(t, carol, sdk.NewCoins(ustream(5_000)))
	paySubscribe(t, f, bob, alice, 1_000)
	paySubscribe(t, f, carol, alice, 1_000)
	subscribe(t, f, alice, carol) // free
	_, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: carol, Account: bob, Reason: "why not"})
	require.NoError(t, err)

	exported, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, exported.SubscriptionTerms, 1)
	require.Len(t, exported.Blocks, 1)
	require.NoError(t, exported.Validate(f.AddressCode))

	g := testkeeper.NewFixture(t)
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, exported))
	again, err := g.Keeper.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	requireConsistent(t, g)
	// The rebuilt expiry queue works.
	g.At(testkeeper.GenesisTime.Add(month))
	n, err := g.Keeper.ExpireSubscriptions(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
}

func TestPaidGenesisValidate(t *testing.T) {
	f, alice, bob := paidFixture(t)
	paySubscribe(t, f, bob, alice, 1_000)
	good, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, good.Validate(f.AddressCode))

	cases := map[string]func(gs *types.GenesisState){
		"blocked subscriber": func(gs *types.GenesisState) {
			gs.Blocks = append(gs.Blocks, types.Block{Broadcaster: alice, Account: bob})
		},
		"self block": func(gs *types.GenesisState) {
			gs.Blocks = append(gs.Blocks, types.Block{Broadcaster: alice, Account: alice})
		},
		"duplicate block": func(gs *types.GenesisState) {
			b := types.Block{Broadcaster: alice, Account: f.Addr(t, "x")}
			gs.Blocks = append(gs.Blocks, b, b)
		},
		"block by an account without profile": func(gs *types.GenesisState) {
			gs.Blocks = append(gs.Blocks, types.Block{Broadcaster: f.Addr(t, "nobody"), Account: alice})
		},
		"block reason with a control character": func(gs *types.GenesisState) {
			gs.Blocks = append(gs.Blocks, types.Block{Broadcaster: alice, Account: f.Addr(t, "x"), Reason: "\x00"})
		},
		"free terms stored": func(gs *types.GenesisState) { gs.SubscriptionTerms[0].Price = ustream(0) },
		"terms period zero": func(gs *types.GenesisState) { gs.SubscriptionTerms[0].Period = 0 },
		"terms other denom": func(gs *types.GenesisState) { gs.SubscriptionTerms[0].Price = sdk.NewInt64Coin("uatom", 5) },
		"duplicate terms": func(gs *types.GenesisState) {
			gs.SubscriptionTerms = append(gs.SubscriptionTerms, gs.SubscriptionTerms[0])
		},
		"terms of no profile": func(gs *types.GenesisState) { gs.SubscriptionTerms[0].Broadcaster = f.Addr(t, "nobody") },
		"expiry before it began": func(gs *types.GenesisState) {
			gs.Subscriptions[0].ExpiresAt = timePtr(gs.Subscriptions[0].Since.Add(-time.Second))
		},
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			gs, err := f.Keeper.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			mut(gs)
			require.ErrorIs(t, gs.Validate(f.AddressCode), types.ErrInvalidGenesis)
		})
	}
}

// The invariant fails on each way the expiry queue can drift from the
// subscriptions.
func TestCheckSubscriptionExpiriesFails(t *testing.T) {
	f, alice, bob := paidFixture(t)
	expires := paySubscribe(t, f, bob, alice, 1_000)
	aliceRaw, err := f.AddressCode.StringToBytes(alice)
	require.NoError(t, err)
	bobRaw, err := f.AddressCode.StringToBytes(bob)
	require.NoError(t, err)
	entry := collections.Join3(expires, sdk.AccAddress(bobRaw), sdk.AccAddress(aliceRaw))

	require.NoError(t, f.Keeper.SubscriptionExpiries.Remove(f.Ctx, entry))
	require.ErrorContains(t, f.Keeper.CheckSubscriptionExpiries(f.Ctx), "no expiry queue entry")

	stray := collections.Join3(expires.Add(time.Hour), sdk.AccAddress(bobRaw), sdk.AccAddress(aliceRaw))
	require.NoError(t, f.Keeper.SubscriptionExpiries.Set(f.Ctx, entry))
	require.NoError(t, f.Keeper.SubscriptionExpiries.Set(f.Ctx, stray))
	require.ErrorContains(t, f.Keeper.CheckSubscriptionExpiries(f.Ctx), "but the subscription expires at")

	require.NoError(t, f.Keeper.SubscriptionExpiries.Remove(f.Ctx, stray))
	require.NoError(t, f.Keeper.CheckSubscriptionExpiries(f.Ctx))
	require.NoError(t, f.Keeper.Blocks.Set(f.Ctx, collections.Join(sdk.AccAddress(aliceRaw), sdk.AccAddress(bobRaw)), types.Block{Broadcaster: alice, Account: bob}))
	require.ErrorContains(t, f.Keeper.CheckSubscriptionExpiries(f.Ctx), "who blocked it")
}
