// Package simulation holds the streaming module's randomized genesis, its
// simsx message factories and its governance proposal factory.
package simulation

import (
	"math/rand"
	"slices"
	"time"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// ParamsKey is the key of the module's params in a simulation params file.
const ParamsKey = "streaming_params"

// RandomParams returns valid params: mostly near the defaults, sometimes
// tight enough that messages run into the limits, never above the ceilings.
func RandomParams(r *rand.Rand) types.Params {
	textLimit := func(def uint32) uint32 {
		switch r.Intn(5) {
		case 0:
			return 1 + uint32(r.Intn(16)) // tight: some links no longer fit at all
		case 1:
			return def + uint32(r.Intn(int(def)))
		default:
			return def/2 + uint32(r.Intn(int(def/2)+1))
		}
	}
	maxDuration := randDuration(r, time.Minute, types.MaxStreamDurationCeiling)
	minDuration := types.DefaultMinStreamDuration
	switch r.Intn(5) {
	case 0:
		minDuration = randDuration(r, 1, types.DefaultMinStreamDuration) // down to 1 ns
	case 1:
		minDuration = randDuration(r, types.DefaultMinStreamDuration, maxDuration) // up to the maximum
	}
	minPeriod := randDuration(r, types.MinSubscriptionPeriodFloor, time.Hour)
	return types.Params{
		MaxNameLength:        textLimit(types.DefaultMaxNameLength),
		MaxSurnameLength:     textLimit(types.DefaultMaxSurnameLength),
		MaxTitleLength:       textLimit(types.DefaultMaxTitleLength),
		MaxDescriptionLength: textLimit(types.DefaultMaxDescriptionLength),
		MaxLinkLength:        textLimit(types.DefaultMaxLinkLength),
		MaxTimeZoneLength:    textLimit(types.DefaultMaxTimeZoneLength),
		MaxStreamDuration:    maxDuration,
		MinStreamDuration:    minDuration,
		MaxScheduleAhead:     randDuration(r, time.Hour, types.DefaultMaxScheduleAhead),

		// From minutes, so that a simulation prunes, to the default month.
		EndedStreamRetention: randDuration(r, types.MinEndedStreamRetention, types.DefaultEndedStreamRetention),
		MaxPrunesPerBlock:    1 + uint32(r.Intn(int(types.DefaultMaxPrunesPerBlock))),
		// Sometimes tight enough that broadcasters run into the cap.
		MaxOpenStreamsPerBroadcaster: 1 + uint32(r.Intn(2*int(types.DefaultMaxOpenStreamsPerBroadcaster))),

		// Periods of minutes to days, so that subscriptions expire during a
		// run (a simulated block is hours), and prices the simulation
		// accounts can pay.
		MinSubscriptionPeriod: minPeriod,
		MaxSubscriptionPeriod: randDuration(r, minPeriod, 30*24*time.Hour),
		MaxSubscriptionPrice:  1 + uint64(r.Intn(1_000_000)),
		// Sometimes tight enough that expiries carry over to later blocks.
		MaxExpirationsPerBlock: 1 + uint32(r.Intn(int(types.DefaultMaxExpirationsPerBlock))),
		MaxMemoLength:          textLimit(types.DefaultMaxMemoLength),
		MaxBlockReasonLength:   textLimit(types.DefaultMaxBlockReasonLength),
	}
}

// RandomizedGenState writes a random but valid streaming genesis: random
// params, profiles for some (or none) of the simulation accounts, streams
// that have ended, are live or are still ahead at genesis time, and
// subscriptions between profiles, with every profile's counters matching the
// lists.
func RandomizedGenState(simState *module.SimulationState) {
	var params types.Params
	simState.AppParams.GetOrGenerate(ParamsKey, &params, simState.Rand, func(r *rand.Rand) { params = RandomParams(r) })
	gs := RandomGenesis(simState.Rand, params, simState.Accounts, simState.GenTimestamp)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// RandomGenesis builds the genesis state RandomizedGenState writes.
func RandomGenesis(r *rand.Rand, params types.Params, accs []simtypes.Account, genesisTime time.Time) *types.GenesisState {
	genesisTime = genesisTime.UTC()
	gs := &types.GenesisState{Params: params, NextStreamId: types.FirstStreamID}

	// Profiles for none, a few, half or most of the accounts: a chain that
	// starts empty has to grow its state through the messages alone.
	share := []float64{0, 0.1, 0.5, 0.9}[r.Intn(4)]
	hasProfile := make(map[string]bool)
	for _, acc := range accs {
		if r.Float64() >= share || hasProfile[acc.AddressBech32] {
			continue
		}
		hasProfile[acc.AddressBech32] = true
		gs.Profiles = append(gs.Profiles, types.Profile{
			Address:   acc.AddressBech32,
			Name:      randRequiredText(r, params.MaxNameLength),
			Surname:   randOptionalText(r, params.MaxSurnameLength),
			ImgLink:   randLink(r, params.MaxLinkLength),
			TimeZone:  randTimeZone(r, params.MaxTimeZoneLength),
			CreatedAt: genesisTime.Add(-randDuration(r, 0, 90*24*time.Hour)),
		})
	}
	if len(gs.Profiles) == 0 {
		return gs
	}

	// Streams, with an occasional gap in the ids where one was deleted.
	id := types.FirstStreamID
	for range r.Intn(3 * len(gs.Profiles)) {
		p := &gs.Profiles[r.Intn(len(gs.Profiles))]
		// Scheduled some time up to a week before genesis: some have ended
		// by genesis time, some are live, some are still to come.
		scheduledAt := genesisTime.Add(-randDuration(r, 0, 7*24*time.Hour))
		start, end := randSchedule(r, params, scheduledAt)
		gs.Streams = append(gs.Streams, types.Stream{
			Id:          id,
			Broadcaster: p.Address,
			Title:       randRequiredText(r, params.MaxTitleLength),
			Description: randDescription(r, params.MaxDescriptionLength),
			ImgLink:     randLink(r, params.MaxLinkLength),
			StartTime:   start,
			EndTime:     end,
			CreatedAt:   scheduledAt,
		})
		p.StreamCount++
		id += 1 + uint64(r.Intn(4)/3) // a gap one time in four
	}
	gs.NextStreamId = id + uint64(r.Intn(3))

	// Terms for some broadcasters.
	priced := make(map[int]types.SubscriptionTerms)
	for i, p := range gs.Profiles {
		if r.Intn(3) != 0 {
			continue
		}
		t := RandTerms(r, params, p.Address, false)
		priced[i] = t
		gs.SubscriptionTerms = append(gs.SubscriptionTerms, t)
	}

	// Subscriptions between distinct profiles; those to a priced
	// broadcaster expire one period after they began, some before genesis
	// (the first blocks end them).
	seen := make(map[[2]int]bool)
	for range r.Intn(3 * len(gs.Profiles)) {
		sub, bc := r.Intn(len(gs.Profiles)), r.Intn(len(gs.Profiles))
		if sub == bc || seen[[2]int{sub, bc}] {
			continue
		}
		seen[[2]int{sub, bc}] = true
		s := types.Subscription{
			Subscriber:  gs.Profiles[sub].Address,
			Broadcaster: gs.Profiles[bc].Address,
			Since:       genesisTime.Add(-randDuration(r, 0, 30*24*time.Hour)),
		}
		if t, ok := priced[bc]; ok && r.Intn(4) != 0 {
			expires := s.Since.Add(t.Period)
			s.ExpiresAt = &expires
		}
		gs.Subscriptions = append(gs.Subscriptions, s)
		gs.Profiles[sub].SubscriptionCount++
		gs.Profiles[bc].SubscriberCount++
	}

	// Blocks between profiles and accounts that do not follow them.
	for range r.Intn(len(gs.Profiles) + 1) {
		bc := gs.Profiles[r.Intn(len(gs.Profiles))].Address
		account := accs[r.Intn(len(accs))].AddressBech32
		if bc == account || slices.ContainsFunc(gs.Subscriptions, func(s types.Subscription) bool {
			return s.Subscriber == account && s.Broadcaster == bc
		}) || slices.ContainsFunc(gs.Blocks, func(b types.Block) bool {
			return b.Broadcaster == bc && b.Account == account
		}) {
			continue
		}
		gs.Blocks = append(gs.Blocks, types.Block{
			Broadcaster: bc, Account: account, Reason: randOptionalText(r, params.MaxBlockReasonLength), Since: genesisTime,
		})
	}
	return gs
}

// RandTerms returns terms within params: a price of 1 to
// max_subscription_price ustream (0 with mayBeFree, one time in four) and
// a period within the bounds.
func RandTerms(r *rand.Rand, p types.Params, broadcaster string, mayBeFree bool) types.SubscriptionTerms {
	t := types.SubscriptionTerms{
		Broadcaster: broadcaster,
		Price:       sdk.NewCoin(types.Denom, math.NewIntFromUint64(1+uint64(r.Int63n(int64(min(p.MaxSubscriptionPrice, 1<<62)))))),
		Period:      randDuration(r, p.MinSubscriptionPeriod, p.MaxSubscriptionPeriod),
	}
	if mayBeFree && r.Intn(4) == 0 {
		t.Price.Amount = math.ZeroInt()
	}
	return t
}
