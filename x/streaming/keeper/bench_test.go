package keeper_test

import (
	"fmt"
	"testing"
	"time"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// The store sizes the benchmarks run at. The original program kept a
// profile's subscribers in one growing value, so its cost per subscribe grew
// with them; here gas per op must stay flat and time grow at most like the
// IAVL tree's depth.
var benchSizes = []int{0, 10_000, 100_000}

// meter runs one handler call on a fresh gas meter and returns its gas.
func meter(b *testing.B, f *testkeeper.Fixture, call func(ctx sdk.Context) error) uint64 {
	ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	return ctx.GasMeter().GasConsumed()
}

// BenchmarkSubscribe subscribes new followers to a broadcaster that already
// has n of them.
func BenchmarkSubscribe(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("existing=%d", n), func(b *testing.B) {
			f := testkeeper.NewFixture(b)
			star := f.Addr(b, "star")
			createProfile(b, f, star, "Star")
			for i := 0; i < n+b.N; i++ {
				createProfile(b, f, f.AddrN(b, i), "fan")
			}
			for i := 0; i < n; i++ {
				subscribe(b, f, f.AddrN(b, i), star)
			}
			f.Commit()

			var gas uint64
			b.ResetTimer()
			for i := n; i < n+b.N; i++ {
				msg := &types.MsgSubscribe{Subscriber: f.AddrN(b, i), Broadcaster: star}
				gas += meter(b, f, func(ctx sdk.Context) error { _, err := f.Msgs.Subscribe(ctx, msg); return err })
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}

// BenchmarkNewStream schedules streams when n are already stored.
func BenchmarkNewStream(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("existing=%d", n), func(b *testing.B) {
			f := testkeeper.NewFixture(b)
			star := f.Addr(b, "star")
			createProfile(b, f, star, "Star")
			setParams(b, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 10_000 })
			scheduleOthers(b, f, n)
			f.Commit()

			var gas uint64
			b.ResetTimer()
			for i := n; i < n+b.N; i++ {
				msg := streamMsg(f, star, i)
				gas += meter(b, f, func(ctx sdk.Context) error { _, err := f.Msgs.NewStream(ctx, msg); return err })
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}

// BenchmarkDeleteStream deletes streams when n others are stored.
func BenchmarkDeleteStream(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("existing=%d", n), func(b *testing.B) {
			f := testkeeper.NewFixture(b)
			star := f.Addr(b, "star")
			createProfile(b, f, star, "Star")
			setParams(b, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 10_000 })
			scheduleOthers(b, f, n)
			ids := make([]uint64, 0, b.N)
			for i := n; i < n+b.N; i++ {
				ids = append(ids, newStreamAt(b, f, star, i))
			}
			f.Commit()

			var gas uint64
			b.ResetTimer()
			for _, id := range ids {
				msg := &types.MsgDeleteStream{Broadcaster: star, StreamId: id}
				gas += meter(b, f, func(ctx sdk.Context) error { _, err := f.Msgs.DeleteStream(ctx, msg); return err })
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}

// BenchmarkBankSend is the yardstick: a bank MsgSend between two funded
// accounts, run through the same store and gas meter as our messages.
func BenchmarkBankSend(b *testing.B) {
	f := testkeeper.NewFixture(b)
	alice, bob := f.Addr(b, "alice"), f.Addr(b, "bob")
	f.Fund(b, alice, sdk.NewCoins(sdk.NewInt64Coin("ustream", 1_000_000_000)))
	f.Fund(b, bob, sdk.NewCoins(sdk.NewInt64Coin("ustream", 1_000_000_000)))
	f.Commit()
	amount := sdk.NewCoins(sdk.NewInt64Coin("ustream", 1))

	var gas uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from, to := alice, bob
		if i%2 == 1 {
			from, to = bob, alice
		}
		msg := &banktypes.MsgSend{FromAddress: from, ToAddress: to, Amount: amount}
		gas += meter(b, f, func(ctx sdk.Context) error { _, err := f.BankMsgs.Send(ctx, msg); return err })
	}
	b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
}

// streamMsg is the i-th stream of a long schedule: one-hour streams packed
// into the lead-time window so that any number of them is valid.
func streamMsg(f *testkeeper.Fixture, broadcaster string, i int) *types.MsgNewStream {
	start := f.Ctx.BlockTime().Add(time.Minute + time.Duration(i)*time.Second)
	return &types.MsgNewStream{
		Broadcaster: broadcaster, Title: fmt.Sprintf("Stream %d", i), Description: "A benchmark stream",
		ImgLink: "https://example.com/cover.png", StartTime: start, EndTime: start.Add(time.Hour),
	}
}

func newStreamAt(b *testing.B, f *testkeeper.Fixture, broadcaster string, i int) uint64 {
	res, err := f.Msgs.NewStream(f.Ctx, streamMsg(f, broadcaster, i))
	if err != nil {
		b.Fatal(err)
	}
	return res.StreamId
}

// scheduleOthers stores n streams of other broadcasters, 100 each (the
// default cap on a broadcaster's open streams).
func scheduleOthers(b *testing.B, f *testkeeper.Fixture, n int) {
	for i := 0; i < n; i++ {
		who := f.AddrN(b, 1_000_000+i/100)
		if i%100 == 0 {
			createProfile(b, f, who, "other")
		}
		newStreamAt(b, f, who, i)
	}
}
