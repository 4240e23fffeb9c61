package keeper_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cosmossdk.io/collections"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// paidBenchSizes are the numbers of existing paid subscriptions (all to one
// broadcaster, each with its expiry entry) the paid-message benchmarks run
// at; STREAMING_BENCH_SUBSCRIPTIONS=0,10000,100000,1000000 adds the million
// (about 3 million keys: a few minutes and a few GB to build).
func paidBenchSizes(b *testing.B) []int {
	s := os.Getenv("STREAMING_BENCH_SUBSCRIPTIONS")
	if s == "" {
		return []int{0, 10_000, 100_000}
	}
	var sizes []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(part)
		if err != nil {
			b.Fatalf("STREAMING_BENCH_SUBSCRIPTIONS: %v", err)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// storePaidSubscriptions writes n paid subscriptions to star straight into
// the collections (a handler per entry would take hours at a million),
// committing every 100,000 so that no cache grows with n.
func storePaidSubscriptions(b *testing.B, f *testkeeper.Fixture, star string, n int) {
	starRaw, err := f.AddressCode.StringToBytes(star)
	if err != nil {
		b.Fatal(err)
	}
	now := f.Ctx.BlockTime()
	for i := range n {
		fan := f.AddrN(b, i)
		fanRaw, err := f.AddressCode.StringToBytes(fan)
		if err != nil {
			b.Fatal(err)
		}
		expires := now.Add(30*24*time.Hour + time.Duration(i)*time.Second)
		key := collections.Join(sdk.AccAddress(fanRaw), sdk.AccAddress(starRaw))
		if err := f.Keeper.Subscriptions.Set(f.Ctx, key, types.Subscription{Subscriber: fan, Broadcaster: star, Since: now, ExpiresAt: &expires}); err != nil {
			b.Fatal(err)
		}
		if err := f.Keeper.SubscriptionExpiries.Set(f.Ctx, collections.Join3(expires, sdk.AccAddress(fanRaw), sdk.AccAddress(starRaw))); err != nil {
			b.Fatal(err)
		}
		if i%100_000 == 99_999 {
			f.Commit()
		}
	}
	f.Commit()
}

// BenchmarkPaidMsgs measures store gas and time of each new message when
// one broadcaster already has n paid subscribers, beside a bank send
// through the same store. Each op runs on a branch of the same committed
// state, so every op meets the same n.
func BenchmarkPaidMsgs(b *testing.B) {
	for _, n := range paidBenchSizes(b) {
		f := testkeeper.NewFixture(b)
		star, fan, old := f.Addr(b, "star"), f.Addr(b, "newfan"), f.AddrN(b, 0)
		createProfile(b, f, star, "Star")
		createProfile(b, f, fan, "Fan")
		createProfile(b, f, old, "Old fan")
		f.Fund(b, fan, sdk.NewCoins(ustream(1_000_000_000)))
		f.Fund(b, old, sdk.NewCoins(ustream(1_000_000_000)))
		setTerms(b, f, star, 1_000, 30*24*time.Hour)
		storePaidSubscriptions(b, f, star, max(n, 1)) // old (AddrN 0) is always a subscriber
		blocked := f.Addr(b, "blocked")
		if _, err := f.Msgs.Block(f.Ctx, &types.MsgBlock{Broadcaster: star, Account: blocked}); err != nil {
			b.Fatal(err)
		}
		f.Commit()

		maxPrice := ustream(1_000)
		ops := []struct {
			name string
			call func(ctx sdk.Context) error
		}{
			{"BankSend", func(ctx sdk.Context) error {
				_, err := f.BankMsgs.Send(ctx, &banktypes.MsgSend{FromAddress: fan, ToAddress: star, Amount: sdk.NewCoins(ustream(1_000))})
				return err
			}},
			{"SetSubscriptionTerms", func(ctx sdk.Context) error {
				_, err := f.Msgs.SetSubscriptionTerms(ctx, &types.MsgSetSubscriptionTerms{Broadcaster: star, Price: ustream(2_000), Period: 7 * 24 * time.Hour})
				return err
			}},
			{"Subscribe", func(ctx sdk.Context) error {
				_, err := f.Msgs.Subscribe(ctx, &types.MsgSubscribe{Subscriber: fan, Broadcaster: star, MaxPrice: &maxPrice})
				return err
			}},
			{"SubscribeRenew", func(ctx sdk.Context) error {
				_, err := f.Msgs.Subscribe(ctx, &types.MsgSubscribe{Subscriber: old, Broadcaster: star, MaxPrice: &maxPrice})
				return err
			}},
			{"Unsubscribe", func(ctx sdk.Context) error {
				_, err := f.Msgs.Unsubscribe(ctx, &types.MsgUnsubscribe{Subscriber: old, Broadcaster: star})
				return err
			}},
			{"Tip", func(ctx sdk.Context) error {
				_, err := f.Msgs.Tip(ctx, &types.MsgTip{Sender: fan, Broadcaster: star, Amount: ustream(1_000), Memo: "great show"})
				return err
			}},
			{"Block", func(ctx sdk.Context) error { // ends old's paid subscription
				_, err := f.Msgs.Block(ctx, &types.MsgBlock{Broadcaster: star, Account: old, Reason: "spam in chat"})
				return err
			}},
			{"Unblock", func(ctx sdk.Context) error {
				_, err := f.Msgs.Unblock(ctx, &types.MsgUnblock{Broadcaster: star, Account: blocked})
				return err
			}},
		}
		for _, op := range ops {
			b.Run(fmt.Sprintf("existing=%d/%s", n, op.name), func(b *testing.B) {
				var gas uint64
				for range b.N {
					ctx, _ := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter()).CacheContext()
					if err := op.call(ctx); err != nil {
						b.Fatal(err)
					}
					gas += ctx.GasMeter().GasConsumed()
				}
				b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
			})
		}
	}
}

// BenchmarkExpireEndBlocker times one end blocker's expiry pass with
// 10,000 paid subscriptions in state, none or all of them past their
// expiry; each op runs on a branch of the same state, so every op finds
// the same backlog and ends the default bound, 100 of them.
func BenchmarkExpireEndBlocker(b *testing.B) {
	for _, due := range []bool{false, true} {
		name := map[bool]string{false: "due=0", true: "due=10000"}[due]
		b.Run(name, func(b *testing.B) {
			f := testkeeper.NewFixture(b)
			star := f.Addr(b, "star")
			createProfile(b, f, star, "Star")
			// The profiles the counters live on.
			for i := range 10_000 {
				createProfile(b, f, f.AddrN(b, i), "fan")
			}
			storePaidSubscriptions(b, f, star, 10_000)
			if due {
				f.At(f.Ctx.BlockTime().Add(60 * 24 * time.Hour))
			}

			var gas uint64
			b.ResetTimer()
			for range b.N {
				ctx, _ := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter()).CacheContext()
				n, err := f.Keeper.ExpireSubscriptions(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if want := map[bool]int{false: 0, true: int(types.DefaultMaxExpirationsPerBlock)}[due]; n != want {
					b.Fatalf("expired %d, want %d", n, want)
				}
				gas += ctx.GasMeter().GasConsumed()
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}
