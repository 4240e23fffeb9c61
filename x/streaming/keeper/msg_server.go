package keeper

import (
	"context"
	"slices"
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
	if err := validateProfileFields(params, msg); err != nil {
		return nil, err
	}

	profile, err := m.k.Profiles.Get(ctx, owner)
	created := false
	switch {
	case err == nil:
	case errorsmod.IsOf(err, collections.ErrNotFound):
		created = true
		profile = types.Profile{Address: ownerAddr, CreatedAt: sdk.UnwrapSDKContext(ctx).BlockTime()}
	default:
		return nil, err
	}
	profile.Name, profile.Surname, profile.ImgLink, profile.TimeZone = msg.Name, msg.Surname, msg.ImgLink, msg.TimeZone
	if err := m.k.Profiles.Set(ctx, owner, profile); err != nil {
		return nil, err
	}
	return &types.MsgEditProfileResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProfileEdited{Owner: ownerAddr, Created: created})
}

func validateProfileFields(p types.Params, msg *types.MsgEditProfile) error {
	if err := types.ValidateRequiredText("name", msg.Name, p.MaxNameLength); err != nil {
		return err
	}
	if err := types.ValidateText("surname", msg.Surname, p.MaxSurnameLength); err != nil {
		return err
	}
	if err := types.ValidateLink("img_link", msg.ImgLink, p.MaxLinkLength); err != nil {
		return err
	}
	return types.ValidateText("time_zone", msg.TimeZone, p.MaxTimeZoneLength)
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
	if err := validateStreamFields(params, stream); err != nil {
		return nil, err
	}
	if err := validateSchedule(params, now, stream.StartTime, stream.EndTime, true); err != nil {
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

func validateStreamFields(p types.Params, s types.Stream) error {
	if err := types.ValidateRequiredText("title", s.Title, p.MaxTitleLength); err != nil {
		return err
	}
	if err := types.ValidateMultilineText("description", s.Description, p.MaxDescriptionLength); err != nil {
		return err
	}
	return types.ValidateLink("img_link", s.ImgLink, p.MaxLinkLength)
}

// validateSchedule checks a stream's times against the block time. When
// startChanged is false the start may already be in the past (a live stream
// whose end is being moved).
func validateSchedule(p types.Params, now, start, end time.Time, startChanged bool) error {
	if !end.After(start) {
		return errorsmod.Wrapf(types.ErrInvalidSchedule, "start %s, end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if startChanged && start.Before(now) {
		return errorsmod.Wrapf(types.ErrStartInPast, "start %s, block time %s", start.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if !end.After(now) {
		return errorsmod.Wrapf(types.ErrStreamEnded, "end %s is not after block time %s", end.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if d := end.Sub(start); d > p.MaxStreamDuration {
		return errorsmod.Wrapf(types.ErrStreamTooLong, "%s, the maximum is %s", d, p.MaxStreamDuration)
	}
	if ahead := start.Sub(now); startChanged && ahead > p.MaxScheduleAhead {
		return errorsmod.Wrapf(types.ErrScheduledTooFar, "starts in %s, the maximum is %s", ahead, p.MaxScheduleAhead)
	}
	return nil
}

// Field names accepted in MsgEditStream.update_mask.
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldImgLink     = "img_link"
	FieldStartTime   = "start_time"
	FieldEndTime     = "end_time"
)

var editableStreamFields = []string{FieldTitle, FieldDescription, FieldImgLink, FieldStartTime, FieldEndTime}

func (m msgServer) EditStream(ctx context.Context, msg *types.MsgEditStream) (*types.MsgEditStreamResponse, error) {
	_, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if err := validateUpdateMask(msg); err != nil {
		return nil, err
	}
	stream, err := m.k.getOwnStream(ctx, msg.StreamId, broadcasterAddr)
	if err != nil {
		return nil, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	if !stream.EndTime.After(now) {
		return nil, errorsmod.Wrapf(types.ErrStreamEnded, "stream %d ended at %s", stream.Id, stream.EndTime.Format(time.RFC3339))
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}

	updated := stream
	for _, field := range msg.UpdateMask {
		switch field {
		case FieldTitle:
			updated.Title = msg.Title
		case FieldDescription:
			updated.Description = msg.Description
		case FieldImgLink:
			updated.ImgLink = msg.ImgLink
		case FieldStartTime:
			updated.StartTime = msg.StartTime.UTC()
		case FieldEndTime:
			updated.EndTime = msg.EndTime.UTC()
		}
	}
	if err := validateStreamFields(params, updated); err != nil {
		return nil, err
	}
	startChanged := !updated.StartTime.Equal(stream.StartTime)
	if err := validateSchedule(params, now, updated.StartTime, updated.EndTime, startChanged); err != nil {
		return nil, err
	}
	if err := m.k.Streams.Set(ctx, stream.Id, updated); err != nil {
		return nil, err
	}
	return &types.MsgEditStreamResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventStreamEdited{StreamId: stream.Id, Broadcaster: broadcasterAddr, Fields: msg.UpdateMask})
}

// validateUpdateMask requires a non-empty mask of known, distinct field
// names, and refuses a value given for a field the mask leaves out: such a
// value would be silently dropped, which is never what the sender meant.
func validateUpdateMask(msg *types.MsgEditStream) error {
	if len(msg.UpdateMask) == 0 {
		return errorsmod.Wrapf(types.ErrInvalidUpdateMask, "name at least one of %v", editableStreamFields)
	}
	seen := make(map[string]bool, len(msg.UpdateMask))
	for _, field := range msg.UpdateMask {
		if !slices.Contains(editableStreamFields, field) {
			return errorsmod.Wrapf(types.ErrInvalidUpdateMask, "unknown field %q; editable fields are %v", field, editableStreamFields)
		}
		if seen[field] {
			return errorsmod.Wrapf(types.ErrInvalidUpdateMask, "field %q named twice", field)
		}
		seen[field] = true
	}
	given := map[string]bool{
		FieldTitle:       msg.Title != "",
		FieldDescription: msg.Description != "",
		FieldImgLink:     msg.ImgLink != "",
		FieldStartTime:   msg.StartTime != nil,
		FieldEndTime:     msg.EndTime != nil,
	}
	for _, field := range editableStreamFields {
		if given[field] && !seen[field] {
			return errorsmod.Wrapf(types.ErrInvalidUpdateMask, "%s is set but not named in update_mask", field)
		}
	}
	if seen[FieldStartTime] && msg.StartTime == nil {
		return errorsmod.Wrap(types.ErrInvalidUpdateMask, "start_time is named in update_mask but not set")
	}
	if seen[FieldEndTime] && msg.EndTime == nil {
		return errorsmod.Wrap(types.ErrInvalidUpdateMask, "end_time is named in update_mask but not set")
	}
	return nil
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

func (m msgServer) Subscribe(ctx context.Context, msg *types.MsgSubscribe) (*types.MsgSubscribeResponse, error) {
	key, subscriberAddr, broadcasterAddr, err := m.k.subscriptionKey(msg.Subscriber, msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if key.K1().Equals(key.K2()) {
		return nil, errorsmod.Wrapf(types.ErrSelfSubscription, "%s", subscriberAddr)
	}
	subscriber, err := m.k.getProfile(ctx, key.K1(), "subscriber")
	if err != nil {
		return nil, err
	}
	broadcaster, err := m.k.getProfile(ctx, key.K2(), "broadcaster")
	if err != nil {
		return nil, err
	}
	if has, err := m.k.Subscriptions.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadySubscribed, "%s already follows %s", subscriberAddr, broadcasterAddr)
	}

	sub := types.Subscription{Subscriber: subscriberAddr, Broadcaster: broadcasterAddr, Since: sdk.UnwrapSDKContext(ctx).BlockTime()}
	if err := m.k.Subscriptions.Set(ctx, key, sub); err != nil {
		return nil, err
	}
	subscriber.SubscriptionCount++
	broadcaster.SubscriberCount++
	if err := m.k.Profiles.Set(ctx, key.K1(), subscriber); err != nil {
		return nil, err
	}
	if err := m.k.Profiles.Set(ctx, key.K2(), broadcaster); err != nil {
		return nil, err
	}
	return &types.MsgSubscribeResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventSubscribed{Subscriber: subscriberAddr, Broadcaster: broadcasterAddr})
}

func (m msgServer) Unsubscribe(ctx context.Context, msg *types.MsgUnsubscribe) (*types.MsgUnsubscribeResponse, error) {
	key, subscriberAddr, broadcasterAddr, err := m.k.subscriptionKey(msg.Subscriber, msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if has, err := m.k.Subscriptions.Has(ctx, key); err != nil {
		return nil, err
	} else if !has {
		return nil, errorsmod.Wrapf(types.ErrNotSubscribed, "%s does not follow %s", subscriberAddr, broadcasterAddr)
	}
	subscriber, err := m.k.getProfile(ctx, key.K1(), "subscriber")
	if err != nil {
		return nil, err
	}
	broadcaster, err := m.k.getProfile(ctx, key.K2(), "broadcaster")
	if err != nil {
		return nil, err
	}
	if err := m.k.Subscriptions.Remove(ctx, key); err != nil {
		return nil, err
	}
	subscriber.SubscriptionCount--
	broadcaster.SubscriberCount--
	if err := m.k.Profiles.Set(ctx, key.K1(), subscriber); err != nil {
		return nil, err
	}
	if err := m.k.Profiles.Set(ctx, key.K2(), broadcaster); err != nil {
		return nil, err
	}
	return &types.MsgUnsubscribeResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventUnsubscribed{Subscriber: subscriberAddr, Broadcaster: broadcasterAddr})
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
