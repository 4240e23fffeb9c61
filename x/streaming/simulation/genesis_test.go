package simulation_test

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/streamchain/streamchain/x/streaming/simulation"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestRandomizedGenStateIsValid(t *testing.T) {
	ac := addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	cdc := moduletestutil.MakeTestEncodingConfig().Codec
	genesisTime := time.Unix(1_800_000_000, 0)

	var profiles, streams, subscriptions int
	for seed := int64(0); seed < 300; seed++ {
		r := rand.New(rand.NewSource(seed))
		simState := &module.SimulationState{
			AppParams:    make(simtypes.AppParams),
			Cdc:          cdc,
			Rand:         r,
			GenState:     make(map[string]json.RawMessage),
			Accounts:     simtypes.RandomAccounts(r, 1+r.Intn(60)),
			GenTimestamp: genesisTime,
		}
		simulation.RandomizedGenState(simState)

		var gs types.GenesisState
		cdc.MustUnmarshalJSON(simState.GenState[types.ModuleName], &gs)
		require.NoError(t, gs.Validate(ac), "seed %d", seed)

		// Beyond what Validate checks: the streams follow the params the
		// genesis carries, as if the keeper had accepted them.
		for _, s := range gs.Streams {
			require.LessOrEqual(t, s.EndTime.Sub(s.StartTime), gs.Params.MaxStreamDuration, "seed %d stream %d", seed, s.Id)
			require.NoError(t, types.ValidateRequiredText("title", s.Title, gs.Params.MaxTitleLength), "seed %d", seed)
			require.NoError(t, types.ValidateMultilineText("description", s.Description, gs.Params.MaxDescriptionLength), "seed %d", seed)
			require.NoError(t, types.ValidateLink("img_link", s.ImgLink, gs.Params.MaxLinkLength), "seed %d", seed)
		}
		for _, p := range gs.Profiles {
			require.NoError(t, types.ValidateRequiredText("name", p.Name, gs.Params.MaxNameLength), "seed %d", seed)
			require.NoError(t, types.ValidateText("surname", p.Surname, gs.Params.MaxSurnameLength), "seed %d", seed)
			require.NoError(t, types.ValidateLink("img_link", p.ImgLink, gs.Params.MaxLinkLength), "seed %d", seed)
			require.NoError(t, types.ValidateText("time_zone", p.TimeZone, gs.Params.MaxTimeZoneLength), "seed %d", seed)
		}
		profiles += len(gs.Profiles)
		streams += len(gs.Streams)
		subscriptions += len(gs.Subscriptions)
	}
	// The generator must not degenerate into empty states.
	require.Positive(t, profiles)
	require.Positive(t, streams)
	require.Positive(t, subscriptions)
}

func TestRandomParamsAreValid(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for range 1000 {
		require.NoError(t, simulation.RandomParams(r).Validate())
	}
}

func TestParamsFromFileOverrideRandomParams(t *testing.T) {
	cdc := moduletestutil.MakeTestEncodingConfig().Codec
	want := types.DefaultParams()
	want.MaxTitleLength = 7
	bz, err := json.Marshal(want)
	require.NoError(t, err)

	r := rand.New(rand.NewSource(1))
	simState := &module.SimulationState{
		AppParams:    simtypes.AppParams{simulation.ParamsKey: bz},
		Cdc:          cdc,
		Rand:         r,
		GenState:     make(map[string]json.RawMessage),
		Accounts:     simtypes.RandomAccounts(r, 3),
		GenTimestamp: time.Unix(1_800_000_000, 0),
	}
	simulation.RandomizedGenState(simState)
	var gs types.GenesisState
	cdc.MustUnmarshalJSON(simState.GenState[types.ModuleName], &gs)
	require.Equal(t, want, gs.Params)
}
