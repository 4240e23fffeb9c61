package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

type msgServer struct {
	k *Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServer returns the module's Msg service. Every handler validates all
// of its input before its first write, and every failure is a registered
// error, so a rejected message leaves the state as it was.
func NewMsgServer(k *Keeper) types.MsgServer {
	return msgServer{k: k}
}

func (m msgServer) EditProfile(ctx context.Context, msg *types.MsgEditProfile) (*types.MsgEditProfileResponse, error) {
	owner, ownerAddr, err := m.k.canonicalAddress("owner", msg.Owner)
	if err != nil {
		return nil, err
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}

	before, err := m.k.Profiles.Get(ctx, owner)
	created := false
	switch {
	case err == nil:
	case errorsmod.IsOf(err, collections.ErrNotFound):
		created = true
		before = types.Profile{Address: ownerAddr, CreatedAt: sdk.UnwrapSDKContext(ctx).BlockTime()}
	default:
		return nil, err
	}
	profile := msg.Apply(before)
	if created {
		err = profile.ValidateNew(params)
	} else {
		err = profile.ValidateEdit(params, before)
	}
	if err != nil {
		return nil, err
	}
	if err := m.k.Profiles.Set(ctx, owner, profile); err != nil {
		return nil, err
	}
	return &types.MsgEditProfileResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProfileEdited{Owner: ownerAddr, Created: created})
}

func (m msgServer) NewStream(ctx context.Context, msg *types.MsgNewStream) (*types.MsgNewStreamResponse, error) {
	broadcaster, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	profile, err := m.k.getProfile(ctx, broadcaster, "broadcaster")
	if err != nil {
		return nil, err
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	stream := types.Stream{
		Broadcaster: broadcasterAddr,
		Title:       msg.Title,
		Description: msg.Description,
		ImgLink:     msg.ImgLink,
		StartTime:   msg.StartTime.UTC(),
		EndTime:     msg.EndTime.UTC(),
		CreatedAt:   now,
	}
	if err := stream.ValidateNew(params, now); err != nil {
		return nil, err
	}

	if err := m.k.reserveOpenStream(ctx, broadcaster, params, now); err != nil {
		return nil, err
	}
	stream.Id, err = m.k.StreamSeq.Next(ctx)
	if err != nil {
		return nil, err
	}
	// The sequence never hands out an id twice, but a genesis file could
	// have been written by hand: never overwrite a stream.
	if has, err := m.k.Streams.Has(ctx, stream.Id); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrStreamIDUnavailable, "stream id %d is taken", stream.Id)
	}
	if err := m.k.Streams.Set(ctx, stream.Id, stream); err != nil {
		return nil, err
	}
	profile.StreamCount++
	if err := m.k.Profiles.Set(ctx, broadcaster, profile); err != nil {
		return nil, err
	}
	return &types.MsgNewStreamResponse{StreamId: stream.Id}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventStreamScheduled{StreamId: stream.Id, Broadcaster: broadcasterAddr, StartTime: stream.StartTime, EndTime: stream.EndTime})
}

func (m msgServer) EditStream(ctx context.Context, msg *types.MsgEditStream) (*types.MsgEditStreamResponse, error) {
	_, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateMask(); err != nil {
		return nil, err
	}
	stream, err := m.k.getOwnStream(ctx, msg.StreamId, broadcasterAddr)
	if err != nil {
		return nil, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	if stream.StatusAt(now) == types.STREAM_STATUS_ENDED {
		return nil, errorsmod.Wrapf(types.ErrStreamEnded, "stream %d ended at %s", stream.Id, stream.EndTime.Format(time.RFC3339))
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}

	// Values the edit leaves alone stand even if the params have been
	// tightened since they were stored.
	updated := msg.Apply(stream)
	if err := updated.ValidateEdit(params, now, stream); err != nil {
		return nil, err
	}
	if err := m.k.Streams.Set(ctx, stream.Id, updated); err != nil {
		return nil, err
	}
	return &types.MsgEditStreamResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventStreamEdited{StreamId: stream.Id, Broadcaster: broadcasterAddr, Fields: msg.UpdateMask})
}

func (m msgServer) DeleteStream(ctx context.Context, msg *types.MsgDeleteStream) (*types.MsgDeleteStreamResponse, error) {
	_, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	stream, err := m.k.getOwnStream(ctx, msg.StreamId, broadcasterAddr)
	if err != nil {
		return nil, err
	}
	if err := m.k.removeStream(ctx, stream); err != nil {
		return nil, err
	}
	return &types.MsgDeleteStreamResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventStreamDeleted{StreamId: stream.Id, Broadcaster: broadcasterAddr})
}

func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	_, authority, err := m.k.canonicalAddress("authority", msg.Authority)
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidAuthority, err.Error())
	}
	// The SDK's check: the consensus params' authority, when a chain sets
	// one, overrides the keeper's (the gov module account).
	if err := sdk.ValidateAuthority(sdk.UnwrapSDKContext(ctx), m.k.authority, authority); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidAuthority, err.Error())
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := m.k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventParamsUpdated{Params: msg.Params})
}
