package keeper_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/collections"

	pruningtypes "github.com/cosmos/cosmos-sdk/store/v2/pruning/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// moduleStateBytes sums the keys and values of the streaming store as the
// context sees it: the logical state, without the IAVL tree's own nodes.
func moduleStateBytes(b *testing.B, f *testkeeper.Fixture) int {
	it := f.Ctx.KVStore(f.StoreKey).Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n += len(it.Key()) + len(it.Value())
	}
	return n
}

// BenchmarkStateBytes reports the state one stream and one subscription
// add, index entries and counters included (the benchmark streams' texts:
// a 9-byte title, an 18-byte description, a 29-byte link).
func BenchmarkStateBytes(b *testing.B) {
	b.Run("stream", func(b *testing.B) {
		f := testkeeper.NewFixture(b)
		setParams(b, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 10_000 })
		star := f.Addr(b, "star")
		createProfile(b, f, star, "Star")
		before := moduleStateBytes(b, f)
		for i := 0; i < b.N; i++ {
			newStreamAt(b, f, star, i%10_000)
			if i%10_000 == 9_999 {
				f.At(f.Ctx.BlockTime().Add(30 * 24 * time.Hour)) // the schedule is full
			}
		}
		b.ReportMetric(float64(moduleStateBytes(b, f)-before)/float64(b.N), "bytes/stream")
	})
	b.Run("subscription", func(b *testing.B) {
		f := testkeeper.NewFixture(b)
		star := f.Addr(b, "star")
		createProfile(b, f, star, "Star")
		for i := 0; i < b.N; i++ {
			createProfile(b, f, f.AddrN(b, i), "fan")
		}
		before := moduleStateBytes(b, f)
		for i := 0; i < b.N; i++ {
			subscribe(b, f, f.AddrN(b, i), star)
		}
		b.ReportMetric(float64(moduleStateBytes(b, f)-before)/float64(b.N), "bytes/subscription")
	})
}

// BenchmarkRetentionTimeline runs a steady schedule on a goleveldb store on
// disk: each op is one block an hour after the last, in which 100
// broadcasters each schedule a one-hour stream, the end blocker prunes, and
// the block commits (IAVL keeping two versions, as pruning=everything, so
// the disk follows the live state). 1000 ops schedule 100,000 streams over
// six weeks. "on" keeps ended streams a day at the default 100 prunes per
// block; "off" keeps them for the 10-year ceiling, i.e. for ever here.
func BenchmarkRetentionTimeline(b *testing.B) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
	}{{"on", 24 * time.Hour}, {"off", types.MaxEndedStreamRetentionCeiling}} {
		b.Run("retention="+tc.name, func(b *testing.B) {
			dir := b.TempDir()
			db, err := dbm.NewGoLevelDB("application", dir, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			f := testkeeper.NewFixtureOnDB(b, db)
			f.CMS.SetPruning(pruningtypes.NewPruningOptions(pruningtypes.PruningEverything))
			setParams(b, f, func(p *types.Params) { p.EndedStreamRetention = tc.retention })
			const broadcasters = 100
			for i := range broadcasters {
				createProfile(b, f, f.AddrN(b, i), "broadcaster")
			}
			f.Commit()

			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range broadcasters {
					start := f.Ctx.BlockTime().Add(time.Minute)
					if _, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
						Broadcaster: f.AddrN(b, j), Title: fmt.Sprintf("Show %d", i), Description: "A steady schedule",
						ImgLink: "https://example.com/cover.png", StartTime: start, EndTime: start.Add(time.Hour),
					}); err != nil {
						b.Fatal(err)
					}
				}
				f.At(f.Ctx.BlockTime().Add(time.Hour))
				if _, err := f.Keeper.PruneEndedStreams(f.Ctx); err != nil {
					b.Fatal(err)
				}
				f.Commit()
			}
			b.StopTimer()

			kept := 0
			if err := f.Keeper.Streams.Walk(f.Ctx, nil, func(uint64, types.Stream) (bool, error) { kept++; return false, nil }); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*broadcasters), "streams-scheduled")
			b.ReportMetric(float64(kept), "streams-kept")
			b.ReportMetric(float64(moduleStateBytes(b, f))/1e6, "state-MB")
			b.ReportMetric(float64(dirBytes(b, dir))/1e6, "db-MB")
			if err := db.ForceCompact(nil, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(dirBytes(b, dir))/1e6, "db-compacted-MB")
		})
	}
}

func dirBytes(b *testing.B, dir string) int64 {
	var n int64
	if err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // compacted away while walking
		}
		if err == nil {
			n += info.Size()
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return n
}

// streamsGenesis is a genesis of n streams of broadcasters, ending at
// end(i), every one a valid stream, with the profiles' counters to match.
func streamsGenesis(f *testkeeper.Fixture, b *testing.B, broadcasters []string, n int, end func(i int) time.Time) *types.GenesisState {
	gs := types.DefaultGenesis()
	gs.Params.MaxOpenStreamsPerBroadcaster = 10_000
	counts := make([]uint64, len(broadcasters))
	for i := range n {
		who := i % len(broadcasters)
		e := end(i)
		gs.Streams = append(gs.Streams, types.Stream{
			Id: uint64(i) + types.FirstStreamID, Broadcaster: broadcasters[who], Title: fmt.Sprintf("Stream %d", i),
			Description: "A benchmark stream", ImgLink: "https://example.com/cover.png",
			StartTime: e.Add(-time.Hour), EndTime: e, CreatedAt: e.Add(-2 * time.Hour),
		})
		counts[who]++
	}
	for i, who := range broadcasters {
		gs.Profiles = append(gs.Profiles, types.Profile{Address: who, Name: "broadcaster", StreamCount: counts[i]})
	}
	gs.NextStreamId = uint64(n) + types.FirstStreamID
	return gs
}

// BenchmarkPruneEndBlocker times one end blocker with 10,000 streams in
// state, none or all of them due for pruning; each op runs on a branch of
// the same state, so every op finds the same backlog and prunes the
// default bound, 100 of them.
func BenchmarkPruneEndBlocker(b *testing.B) {
	for _, due := range []bool{false, true} {
		name := map[bool]string{false: "due=0", true: "due=10000"}[due]
		b.Run(name, func(b *testing.B) {
			f := testkeeper.NewFixture(b)
			var who []string
			for i := range 100 {
				who = append(who, f.AddrN(b, i))
			}
			now := f.Ctx.BlockTime()
			gs := streamsGenesis(f, b, who, 10_000, func(i int) time.Time {
				if due {
					return now.Add(-types.DefaultEndedStreamRetention - time.Duration(i+1)*time.Second)
				}
				return now.Add(-time.Duration(i+1) * time.Second) // ended, retention not over
			})
			if err := f.Keeper.InitGenesis(f.Ctx, gs); err != nil {
				b.Fatal(err)
			}
			f.Commit()

			var gas uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx, _ := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter()).CacheContext()
				n, err := f.Keeper.PruneEndedStreams(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if want := map[bool]int{false: 0, true: int(types.DefaultMaxPrunesPerBlock)}[due]; n != want {
					b.Fatalf("pruned %d, want %d", n, want)
				}
				gas += ctx.GasMeter().GasConsumed()
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}

// BenchmarkStreamsByStatus asks for one broadcaster's upcoming streams, a
// page of 50, when it has n streams of which the newest 100 are upcoming
// and the rest ended (the shape of the account with 6,202 streams). "scan"
// is the query before the end-time index: the broadcaster's streams in id
// order, each read and filtered by status; "index" is the query now.
func BenchmarkStreamsByStatus(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		f := testkeeper.NewFixture(b)
		star := f.Addr(b, "star")
		now := f.Ctx.BlockTime()
		gs := streamsGenesis(f, b, []string{star}, n, func(i int) time.Time {
			return now.Add(time.Duration(i-(n-100)) * time.Hour)
		})
		if err := f.Keeper.InitGenesis(f.Ctx, gs); err != nil {
			b.Fatal(err)
		}
		f.Commit()
		req := &types.QueryStreamsRequest{Broadcaster: star, Status: types.STREAM_STATUS_UPCOMING, Pagination: &query.PageRequest{Limit: 50}}
		for _, path := range []string{"scan", "index"} {
			b.Run(fmt.Sprintf("streams=%d/%s", n, path), func(b *testing.B) {
				var gas uint64
				for i := 0; i < b.N; i++ {
					ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
					var got int
					if path == "scan" {
						got = scanByStatus(b, f, ctx, req)
					} else {
						res, err := f.Queries.Streams(ctx, req)
						if err != nil {
							b.Fatal(err)
						}
						got = len(res.Streams)
					}
					if got != 50 {
						b.Fatalf("%d streams, want 50", got)
					}
					gas += ctx.GasMeter().GasConsumed()
				}
				b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
			})
		}
	}
}

// scanByStatus is the status filter as it was: every stream of the
// broadcaster in id order, read and tested until the page is full.
func scanByStatus(b *testing.B, f *testkeeper.Fixture, ctx sdk.Context, req *types.QueryStreamsRequest) int {
	addr, err := f.AddressCode.StringToBytes(req.Broadcaster)
	if err != nil {
		b.Fatal(err)
	}
	now := ctx.BlockTime()
	streams, _, err := query.CollectionFilteredPaginate(ctx, f.Keeper.Streams.Indexes.ByBroadcaster, req.Pagination,
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (bool, error) {
			s, err := f.Keeper.Streams.Get(ctx, key.K2())
			return err == nil && s.StatusAt(now) == req.Status, err
		},
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Stream, error) {
			return f.Keeper.Streams.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](sdk.AccAddress(addr)))
	if err != nil {
		b.Fatal(err)
	}
	return len(streams)
}
