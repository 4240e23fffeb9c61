package streaming

import (
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/streamchain/streamchain/x/streaming/simulation"
	"github.com/streamchain/streamchain/x/streaming/types"
)

var (
	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasProposalMsgsX       = AppModule{}
)

// Default weights of the module's operations; a simulation params file can
// override each as "op_weight_<name>".
const (
	WeightEditProfile         = 20
	WeightNewStream           = 30
	WeightEditStream          = 15
	WeightDeleteStream        = 10
	WeightSubscribe           = 30
	WeightUnsubscribe         = 10
	WeightEditStreamByOther   = 3
	WeightDeleteStreamByOther = 3
	WeightSubscribeSelf       = 3
	WeightNewStreamOverCap    = 3
	// Subscribers spelled in upper case: the keeper must store them in
	// canonical form (see simulation.MsgSubscribeUppercaseFactory).
	WeightSubscribeUppercase   = 5
	WeightUpdateParamsProposal = 30

	WeightSetSubscriptionTerms = 10
	WeightTip                  = 20
	WeightBlock                = 5
	WeightUnblock              = 3
	WeightSubscribeBlocked     = 3
	WeightSubscribeAboveMax    = 3
	WeightBlockSelf            = 2
	WeightTipOtherDenom        = 2
)

// GenerateGenesisState creates a randomized genesis state of the module.
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the module's store entries for the
// simulator's store-diff logs, straight from the collections schema.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is the legacy entry point module.AppModuleSimulation
// still requires. The simsx runner calls WeightedOperationsX instead and
// ignores this method when both exist, so it returns nothing.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation {
	return nil
}

// WeightedOperationsX registers the module's message factories.
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("streaming_edit_profile", WeightEditProfile), simulation.MsgEditProfileFactory(am.keeper))
	reg.Add(weights.Get("streaming_new_stream", WeightNewStream), simulation.MsgNewStreamFactory(am.keeper))
	reg.Add(weights.Get("streaming_edit_stream", WeightEditStream), simulation.MsgEditStreamFactory(am.keeper))
	reg.Add(weights.Get("streaming_delete_stream", WeightDeleteStream), simulation.MsgDeleteStreamFactory(am.keeper))
	reg.Add(weights.Get("streaming_subscribe", WeightSubscribe), simulation.MsgSubscribeFactory(am.keeper))
	reg.Add(weights.Get("streaming_unsubscribe", WeightUnsubscribe), simulation.MsgUnsubscribeFactory(am.keeper))
	reg.Add(weights.Get("streaming_set_subscription_terms", WeightSetSubscriptionTerms), simulation.MsgSetSubscriptionTermsFactory(am.keeper))
	reg.Add(weights.Get("streaming_tip", WeightTip), simulation.MsgTipFactory(am.keeper))
	reg.Add(weights.Get("streaming_block", WeightBlock), simulation.MsgBlockFactory(am.keeper))
	reg.Add(weights.Get("streaming_unblock", WeightUnblock), simulation.MsgUnblockFactory(am.keeper))
	// Messages the keeper must refuse.
	reg.Add(weights.Get("streaming_edit_stream_by_other", WeightEditStreamByOther), simulation.MsgEditStreamByOtherFactory(am.keeper))
	reg.Add(weights.Get("streaming_delete_stream_by_other", WeightDeleteStreamByOther), simulation.MsgDeleteStreamByOtherFactory(am.keeper))
	reg.Add(weights.Get("streaming_subscribe_self", WeightSubscribeSelf), simulation.MsgSubscribeSelfFactory(am.keeper))
	reg.Add(weights.Get("streaming_new_stream_over_cap", WeightNewStreamOverCap), simulation.MsgNewStreamOverCapFactory(am.keeper))
	reg.Add(weights.Get("streaming_subscribe_uppercase", WeightSubscribeUppercase), simulation.MsgSubscribeUppercaseFactory(am.keeper))
	reg.Add(weights.Get("streaming_subscribe_blocked", WeightSubscribeBlocked), simulation.MsgSubscribeBlockedFactory(am.keeper))
	reg.Add(weights.Get("streaming_subscribe_above_max", WeightSubscribeAboveMax), simulation.MsgSubscribeAboveMaxFactory(am.keeper))
	reg.Add(weights.Get("streaming_block_self", WeightBlockSelf), simulation.MsgBlockSelfFactory(am.keeper))
	reg.Add(weights.Get("streaming_tip_other_denom", WeightTipOtherDenom), simulation.MsgTipOtherDenomFactory(am.keeper))
}

// ProposalMsgsX registers the governance proposal payloads of the module.
func (am AppModule) ProposalMsgsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("streaming_msg_update_params", WeightUpdateParamsProposal), simulation.MsgUpdateParamsFactory(am.keeper))
}
