package simulation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Every factory below builds a message the keeper must accept, or skips when
// the state offers nothing to act on; a rejected delivery fails the run.
// The Msg...ByOtherFactory and MsgSubscribeSelfFactory factories are the
// opposite: they build a message the keeper must reject with one given error.
//
// A factory must return as soon as it calls reporter.Skip: the skip cancels
// the operation, and the factory must not touch the state after that.

// MsgEditProfileFactory creates or rewrites the profile of a random account.
func MsgEditProfileFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgEditProfile] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgEditProfile) {
		r := testData.Rand().Rand
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		owner := testData.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{owner}, &types.MsgEditProfile{
			Owner:    owner.AddressBech32,
			Name:     randRequiredText(r, params.MaxNameLength),
			Surname:  randOptionalText(r, params.MaxSurnameLength),
			ImgLink:  randLink(r, params.MaxLinkLength),
			TimeZone: randTimeZone(r, params.MaxTimeZoneLength),
		}
	}
}

// MsgNewStreamFactory schedules a stream for an account with a profile,
// starting between the block time and max_schedule_ahead after it.
func MsgNewStreamFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgNewStream] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgNewStream) {
		r := testData.Rand().Rand
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		broadcaster, ok := anyProfiled(ctx, k, testData, reporter, openStreamsBelow(ctx, k, params, true), "no profile is below its open-stream cap")
		if !ok {
			return nil, nil
		}
		b := broadcaster.acc
		start, end := randSchedule(r, params, simsx.BlockTime(ctx))
		return []simsx.SimAccount{b}, &types.MsgNewStream{
			Broadcaster: b.AddressBech32,
			Title:       randRequiredText(r, params.MaxTitleLength),
			Description: randDescription(r, params.MaxDescriptionLength),
			ImgLink:     randLink(r, params.MaxLinkLength),
			StartTime:   start,
			EndTime:     end,
		}
	}
}

// MsgEditStreamFactory edits a random non-empty set of fields of a stream
// that has not ended, sent by its broadcaster. New times are drawn within
// today's params; the factory skips when the module's own rule
// (Stream.ValidateEdit) says the edit it drew would be refused.
func MsgEditStreamFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgEditStream] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgEditStream) {
		r := testData.Rand().Rand
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		now := simsx.BlockTime(ctx)
		streams, err := openStreams(ctx, k, testData, now)
		if err != nil {
			reporter.Skipf("list open streams: %s", err)
			return nil, nil
		}
		if len(streams) == 0 {
			reporter.Skip("no stream that has not ended")
			return nil, nil
		}
		stream := simsx.OneOf(r, streams)
		broadcaster := testData.GetAccount(reporter, stream.Broadcaster)
		if reporter.IsSkipped() {
			return nil, nil
		}

		// A random non-empty mask, in random order.
		fields := types.EditableStreamFields()
		r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		mask := make(map[string]bool)
		for _, f := range fields[:1+r.Intn(len(fields))] {
			mask[f] = true
		}

		start, end := stream.StartTime, stream.EndTime
		switch {
		case mask[types.StreamFieldStartTime] && mask[types.StreamFieldEndTime]:
			start, end = randSchedule(r, params, now)
		case mask[types.StreamFieldStartTime]:
			// Keep the end: the new start lies in [now, now+ahead], between
			// max_stream_duration and min_stream_duration before the end.
			lo := later(now, end.Add(-params.MaxStreamDuration))
			hi := earlier(end.Add(-params.MinStreamDuration), now.Add(params.MaxScheduleAhead))
			if hi.Before(lo) {
				mask[types.StreamFieldEndTime] = true
				start, end = randSchedule(r, params, now)
			} else {
				start = lo.Add(randDuration(r, 0, hi.Sub(lo))).UTC()
			}
		case mask[types.StreamFieldEndTime]:
			// Keep the start: the new end lies after the block time, between
			// min_stream_duration and max_stream_duration after the start.
			lo, hi := later(start.Add(params.MinStreamDuration), now.Add(time.Nanosecond)), start.Add(params.MaxStreamDuration)
			if hi.Before(lo) {
				reporter.Skipf("stream %d can no longer end within max_stream_duration %s", stream.Id, params.MaxStreamDuration)
				return nil, nil
			}
			end = lo.Add(randDuration(r, 0, hi.Sub(lo))).UTC()
		}

		msg := &types.MsgEditStream{Broadcaster: stream.Broadcaster, StreamId: stream.Id}
		for _, f := range fields {
			if !mask[f] {
				continue
			}
			msg.UpdateMask = append(msg.UpdateMask, f)
			switch f {
			case types.StreamFieldTitle:
				msg.Title = randRequiredText(r, params.MaxTitleLength)
			case types.StreamFieldDescription:
				msg.Description = randDescription(r, params.MaxDescriptionLength)
			case types.StreamFieldImgLink:
				msg.ImgLink = randLink(r, params.MaxLinkLength)
			case types.StreamFieldStartTime:
				msg.StartTime = &start
			case types.StreamFieldEndTime:
				msg.EndTime = &end
			}
		}
		if err := msg.Apply(stream).ValidateEdit(params, now, stream); err != nil {
			reporter.Skipf("stream %d: the edit drawn would be refused: %s", stream.Id, err)
			return nil, nil
		}
		return []simsx.SimAccount{broadcaster}, msg
	}
}

// MsgDeleteStreamFactory deletes a random stream, ended or not, of a random
// broadcaster, found through the by-broadcaster index.
func MsgDeleteStreamFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgDeleteStream] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeleteStream) {
		b, id, ok := anyStream(ctx, k, testData, reporter)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{b}, &types.MsgDeleteStream{Broadcaster: b.AddressBech32, StreamId: id}
	}
}

// anyStream picks a broadcaster that has streams, then one of its streams.
func anyStream(ctx context.Context, k *keeper.Keeper, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) (simsx.SimAccount, uint64, bool) {
	r := testData.Rand().Rand
	b, ok := anyProfiled(ctx, k, testData, reporter, func(p types.Profile) bool { return p.StreamCount > 0 }, "no broadcaster has a stream")
	if !ok {
		return simsx.SimAccount{}, 0, false
	}
	ids, err := streamIDsOf(ctx, k, b.acc.Address)
	if err != nil {
		reporter.Skipf("list streams of %s: %s", b.acc.AddressBech32, err)
		return simsx.SimAccount{}, 0, false
	}
	if len(ids) == 0 {
		// The post-run checks report the mismatch; nothing to delete here.
		reporter.Skipf("profile %s counts %d streams, the index holds none", b.acc.AddressBech32, b.profile.StreamCount)
		return simsx.SimAccount{}, 0, false
	}
	return b.acc, simsx.OneOf(r, ids), true
}

// MsgSubscribeFactory subscribes a profile to another it does not follow
// yet, or renews a paid subscription. To a priced broadcaster it pays the
// price, agreeing to pay that much or a little more; to a free one it
// mostly sends no max_price, as clients older than paid subscriptions do.
func MsgSubscribeFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgSubscribe] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe) {
		r := testData.Rand().Rand
		for range 5 {
			sub, bc, ok := anyPair(ctx, k, testData, reporter)
			if !ok {
				return nil, nil
			}
			if usable, ok := canSubscribe(ctx, k, reporter, sub, bc); !ok {
				return nil, nil
			} else if !usable {
				continue
			}
			terms, err := k.SubscriptionTerms.Get(ctx, bc.acc.Address)
			if err != nil && !errors.Is(err, collections.ErrNotFound) {
				reporter.Skipf("read terms: %s", err)
				return nil, nil
			}
			msg := &types.MsgSubscribe{Subscriber: sub.acc.AddressBech32, Broadcaster: bc.acc.AddressBech32}
			if err == nil {
				if !sub.acc.LiquidBalance().BlockAmount(terms.Price) {
					continue
				}
				most := terms.Price.AddAmount(math.NewInt(int64(r.Intn(3))))
				msg.MaxPrice = &most
			} else if r.Intn(4) == 0 {
				zero := sdk.NewInt64Coin(types.Denom, 0)
				msg.MaxPrice = &zero
			}
			return []simsx.SimAccount{sub.acc}, msg
		}
		reporter.Skip("drew only pairs that cannot subscribe")
		return nil, nil
	}
}

// anyPair draws two distinct profiled accounts: a subscriber and a
// broadcaster.
func anyPair(ctx context.Context, k *keeper.Keeper, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) (sub, bc profiled, ok bool) {
	sub, ok = anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
	if !ok {
		return sub, bc, false
	}
	bc, ok = anyProfiled(ctx, k, testData, reporter, func(p types.Profile) bool { return p.Address != sub.profile.Address }, "only one account has a profile")
	return sub, bc, ok
}

// canSubscribe reports whether sub may subscribe to bc now: not blocked,
// and not already following it without expiry. ok is false after a skip.
func canSubscribe(ctx context.Context, k *keeper.Keeper, reporter simsx.SimulationReporter, sub, bc profiled) (usable, ok bool) {
	blocked, err := k.Blocks.Has(ctx, collections.Join(bc.acc.Address, sub.acc.Address))
	if err != nil {
		reporter.Skipf("look up block: %s", err)
		return false, false
	}
	existing, err := k.Subscriptions.Get(ctx, collections.Join(sub.acc.Address, bc.acc.Address))
	switch {
	case errors.Is(err, collections.ErrNotFound):
		return !blocked, true
	case err != nil:
		reporter.Skipf("look up subscription: %s", err)
		return false, false
	}
	return !blocked && existing.ExpiresAt != nil, true
}

// MsgUnsubscribeFactory removes a random subscription, found half the time
// from the subscriber's side (primary key prefix) and half the time from the
// broadcaster's side (reverse index), so both stay exercised.
func MsgUnsubscribeFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgUnsubscribe] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUnsubscribe) {
		r := testData.Rand().Rand
		bySubscriber := r.Intn(2) == 0
		p, ok := anyProfiled(ctx, k, testData, reporter, func(p types.Profile) bool {
			if bySubscriber {
				return p.SubscriptionCount > 0
			}
			return p.SubscriberCount > 0
		}, "no subscriptions")
		if !ok {
			return nil, nil
		}
		var (
			keys []collections.Pair[sdk.AccAddress, sdk.AccAddress]
			err  error
		)
		if bySubscriber {
			keys, err = subscriptionKeysOf(ctx, k, p.acc.Address)
		} else {
			keys, err = subscriberKeysOf(ctx, k, p.acc.Address)
		}
		if err != nil {
			reporter.Skipf("list subscriptions of %s: %s", p.acc.AddressBech32, err)
			return nil, nil
		}
		if len(keys) == 0 {
			// The post-run checks report the mismatch.
			reporter.Skipf("profile %s counts subscriptions the store does not hold", p.acc.AddressBech32)
			return nil, nil
		}
		key := simsx.OneOf(r, keys)
		subscriber := testData.GetAccountbyAccAddr(reporter, key.K1())
		if reporter.IsSkipped() {
			return nil, nil
		}
		broadcaster, err := testData.AddressCodec().BytesToString(key.K2())
		if err != nil {
			reporter.Skipf("encode broadcaster: %s", err)
			return nil, nil
		}
		return []simsx.SimAccount{subscriber}, &types.MsgUnsubscribe{Subscriber: subscriber.AddressBech32, Broadcaster: broadcaster}
	}
}

// MsgUpdateParamsFactory is the payload of a governance proposal that sets
// random valid params. The factories above read the params on every call,
// so later messages follow whatever the proposal set.
func MsgUpdateParamsFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(_ context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		gov := testData.ModuleAccountAddress(reporter, govtypes.ModuleName)
		if reporter.IsSkipped() {
			return nil, nil
		}
		if k.Authority() != gov {
			reporter.Skipf("params authority %s is not the gov module account", k.Authority())
			return nil, nil
		}
		return nil, &types.MsgUpdateParams{Authority: k.Authority(), Params: RandomParams(testData.Rand().Rand)}
	}
}

// MsgEditStreamByOtherFactory has an account edit a stream it does not
// broadcast; the keeper must refuse with ErrUnauthorized.
func MsgEditStreamByOtherFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgEditStream, simsx.SimDeliveryResultHandler) {
		r := testData.Rand().Rand
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil, nil
		}
		streams, err := openStreams(ctx, k, testData, simsx.BlockTime(ctx))
		if err != nil {
			reporter.Skipf("list open streams: %s", err)
			return nil, nil, nil
		}
		if len(streams) == 0 {
			reporter.Skip("no stream that has not ended")
			return nil, nil, nil
		}
		stream := simsx.OneOf(r, streams)
		other := testData.AnyAccountN(5, reporter, simsx.ExcludeAddresses(stream.Broadcaster))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{other}, &types.MsgEditStream{
			Broadcaster: other.AddressBech32,
			StreamId:    stream.Id,
			UpdateMask:  []string{types.StreamFieldTitle},
			Title:       randRequiredText(r, params.MaxTitleLength),
		}, expectError(types.ErrUnauthorized)
	})
}

// MsgDeleteStreamByOtherFactory has an account delete a stream it does not
// broadcast; the keeper must refuse with ErrUnauthorized.
func MsgDeleteStreamByOtherFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeleteStream, simsx.SimDeliveryResultHandler) {
		b, id, ok := anyStream(ctx, k, testData, reporter)
		if !ok {
			return nil, nil, nil
		}
		other := testData.AnyAccountN(5, reporter, simsx.ExcludeAccounts(b))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{other}, &types.MsgDeleteStream{Broadcaster: other.AddressBech32, StreamId: id}, expectError(types.ErrUnauthorized)
	})
}

// MsgSubscribeSelfFactory has a profile subscribe to itself; the keeper must
// refuse with ErrSelfSubscription.
func MsgSubscribeSelfFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe, simsx.SimDeliveryResultHandler) {
		p, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil, nil
		}
		a := p.acc
		return []simsx.SimAccount{a}, &types.MsgSubscribe{Subscriber: a.AddressBech32, Broadcaster: a.AddressBech32}, expectError(types.ErrSelfSubscription)
	})
}

// expectError accepts only a delivery that failed with want.
func expectError(want *errorsmod.Error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		switch {
		case err == nil:
			return fmt.Errorf("the keeper accepted a message it must refuse with %q", want)
		case !errors.Is(err, want):
			return fmt.Errorf("expected %q, got: %w", want, err)
		}
		return nil
	}
}

func getParams(ctx context.Context, k *keeper.Keeper, reporter simsx.SimulationReporter) (types.Params, bool) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		reporter.Skipf("read params: %s", err)
		return types.Params{}, false
	}
	return p, true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// MsgSubscribeUppercaseFactory is MsgSubscribeFactory with the subscriber's
// address written in upper case, which bech32 allows and the address codec
// accepts. The keeper must store the canonical spelling, or the state would
// name one account in two spellings and genesis export/import (run by the
// import/export sims) would fail.
func MsgSubscribeUppercaseFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgSubscribe] {
	subscribe := MsgSubscribeFactory(k)
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe) {
		signers, msg := subscribe(ctx, testData, reporter)
		if reporter.IsSkipped() {
			return nil, nil
		}
		msg.Subscriber = strings.ToUpper(msg.Subscriber)
		return signers, msg
	}
}
