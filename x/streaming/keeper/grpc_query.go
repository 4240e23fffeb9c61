package keeper

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/streamchain/streamchain/x/streaming/types"
)

type queryServer struct {
	k *Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServer returns the module's Query service. Malformed input is
// InvalidArgument, a missing profile or stream NotFound, and a failure to
// read the store Internal: all input, pagination included, is checked
// before the store is read, so a failure after that is never the caller's.
func NewQueryServer(k *Keeper) types.QueryServer {
	return queryServer{k: k}
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QueryParamsResponse{Params: params}, nil
}

func (q queryServer) Profile(ctx context.Context, req *types.QueryProfileRequest) (*types.QueryProfileResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.queryAddress("address", req.Address)
	if err != nil {
		return nil, err
	}
	profile, err := q.k.Profiles.Get(ctx, addr)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "%s has no profile", req.Address)
	}
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QueryProfileResponse{Profile: profile}, nil
}

func (q queryServer) Stream(ctx context.Context, req *types.QueryStreamRequest) (*types.QueryStreamResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if req.StreamId == 0 {
		return nil, status.Error(codes.InvalidArgument, "stream_id must be set")
	}
	stream, err := q.k.Streams.Get(ctx, req.StreamId)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return nil, status.Error(codes.NotFound, q.k.missingStream(ctx, req.StreamId))
	}
	if err != nil {
		return nil, storeFailure(err)
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	return &types.QueryStreamResponse{Stream: stream, Status: stream.StatusAt(now), BlockTime: now}, nil
}

func (q queryServer) Streams(ctx context.Context, req *types.QueryStreamsRequest) (*types.QueryStreamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.StreamStatus_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown status %d", req.Status)
	}
	page, err := capPage(req.Pagination)
	if err != nil {
		return nil, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	withStatus := func(s types.Stream) types.StreamWithStatus {
		return types.StreamWithStatus{Stream: s, Status: s.StatusAt(now)}
	}

	var (
		streams []types.StreamWithStatus
		pageRes *query.PageResponse
	)
	switch {
	case req.Broadcaster != "":
		addr, badAddr := q.queryAddress("broadcaster", req.Broadcaster)
		if badAddr != nil {
			return nil, badAddr
		}
		if req.Status != types.STREAM_STATUS_UNSPECIFIED {
			streams, pageRes, err = q.broadcasterStreamsByStatus(ctx, addr, req.Status, now, page, withStatus)
			break
		}
		// One broadcaster's streams, in id (= scheduling) order.
		streams, pageRes, err = query.CollectionPaginate(ctx, q.k.Streams.Indexes.ByBroadcaster, page,
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.StreamWithStatus, error) {
				s, err := q.k.Streams.Get(ctx, key.K2())
				return withStatus(s), err
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr))
	case req.Status != types.STREAM_STATUS_UNSPECIFIED:
		streams, pageRes, err = q.streamsByStatus(ctx, req.Status, now, page, withStatus)
	default:
		streams, pageRes, err = query.CollectionPaginate(ctx, q.k.Streams.Indexes.ByStart, page,
			func(key collections.Pair[time.Time, uint64], _ collections.NoValue) (types.StreamWithStatus, error) {
				s, err := q.k.Streams.Get(ctx, key.K2())
				return withStatus(s), err
			})
	}
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QueryStreamsResponse{Streams: streams, Pagination: pageRes, BlockTime: now}, nil
}

func (q queryServer) Subscribers(ctx context.Context, req *types.QuerySubscribersRequest) (*types.QuerySubscribersResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.queryAddress("broadcaster", req.Broadcaster)
	if err != nil {
		return nil, err
	}
	page, err := capPage(req.Pagination)
	if err != nil {
		return nil, err
	}
	subs, pageRes, err := query.CollectionPaginate(ctx, q.k.Subscriptions.Indexes.ByBroadcaster, page,
		func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], _ collections.NoValue) (types.Subscription, error) {
			return q.k.Subscriptions.Get(ctx, collections.Join(key.K2(), key.K1()))
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, sdk.AccAddress](addr))
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QuerySubscribersResponse{Subscriptions: subs, Pagination: pageRes}, nil
}

func (q queryServer) Subscriptions(ctx context.Context, req *types.QuerySubscriptionsRequest) (*types.QuerySubscriptionsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	subs, pageRes, err := pageByFirstAddress(ctx, q, q.k.Subscriptions, "subscriber", req.Subscriber, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &types.QuerySubscriptionsResponse{Subscriptions: subs, Pagination: pageRes}, nil
}

// pageByFirstAddress pages through the values of a collection keyed
// (address, address) whose first address is the one given.
func pageByFirstAddress[V any, C query.Collection[collections.Pair[sdk.AccAddress, sdk.AccAddress], V]](
	ctx context.Context, q queryServer, c C, field, address string, pagination *query.PageRequest,
) ([]V, *query.PageResponse, error) {
	addr, err := q.queryAddress(field, address)
	if err != nil {
		return nil, nil, err
	}
	page, err := capPage(pagination)
	if err != nil {
		return nil, nil, err
	}
	values, pageRes, err := query.CollectionPaginate(ctx, c, page,
		func(_ collections.Pair[sdk.AccAddress, sdk.AccAddress], v V) (V, error) { return v, nil },
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, sdk.AccAddress](addr))
	if err != nil {
		return nil, nil, storeFailure(err)
	}
	return values, pageRes, nil
}

func (q queryServer) Subscription(ctx context.Context, req *types.QuerySubscriptionRequest) (*types.QuerySubscriptionResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	subscriber, err := q.queryAddress("subscriber", req.Subscriber)
	if err != nil {
		return nil, err
	}
	broadcaster, err := q.queryAddress("broadcaster", req.Broadcaster)
	if err != nil {
		return nil, err
	}
	sub, err := q.k.Subscriptions.Get(ctx, collections.Join(subscriber, broadcaster))
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return &types.QuerySubscriptionResponse{Subscribed: false}, nil
	}
	if err != nil {
		return nil, storeFailure(err)
	}
	// A paid subscription past its expiry gives no access, even while it
	// waits in the expiry queue for the end blocker.
	if !sub.ActiveAt(sdk.UnwrapSDKContext(ctx).BlockTime()) {
		return &types.QuerySubscriptionResponse{Subscribed: false, ExpiresAt: sub.ExpiresAt}, nil
	}
	return &types.QuerySubscriptionResponse{Subscribed: true, Since: &sub.Since, ExpiresAt: sub.ExpiresAt}, nil
}

func (q queryServer) State(ctx context.Context, req *types.QueryStateRequest) (*types.QueryStateResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	profilesPage, err := capPage(req.ProfilesPagination)
	if err != nil {
		return nil, err
	}
	streamsPage, err := capPage(req.StreamsPagination)
	if err != nil {
		return nil, err
	}
	profiles, profilesRes, err := query.CollectionPaginate(ctx, q.k.Profiles, profilesPage,
		func(_ sdk.AccAddress, p types.Profile) (types.Profile, error) { return p, nil })
	if err != nil {
		return nil, storeFailure(err)
	}
	streams, streamsRes, err := query.CollectionPaginate(ctx, q.k.Streams, streamsPage,
		func(_ uint64, s types.Stream) (types.Stream, error) { return s, nil })
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QueryStateResponse{
		Profiles: profiles, ProfilesPagination: profilesRes,
		Streams: streams, StreamsPagination: streamsRes,
	}, nil
}

func (q queryServer) queryAddress(field, s string) (sdk.AccAddress, error) {
	addr, err := q.k.parseAddress(field, s)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return addr, nil
}

// storeFailure is the answer when reading the store failed.
func storeFailure(err error) error {
	return status.Error(codes.Internal, err.Error())
}

// capPage checks a page request, applies the default page size and the
// cap. A page is found either by key or by offset: the SDK's pagination
// refuses both with a plain error, which would reach REST clients as HTTP
// 500, so it is refused here first. Totals are refused:
// counting would walk the whole collection, and profiles already carry
// their counters.
func capPage(req *query.PageRequest) (*query.PageRequest, error) {
	page := query.PageRequest{}
	if req != nil {
		page = *req
	}
	if page.Offset > 0 && page.Key != nil {
		return nil, status.Error(codes.InvalidArgument, "pagination takes a key or an offset, not both")
	}
	if page.CountTotal {
		return nil, status.Error(codes.InvalidArgument, "count_total is not supported: profiles carry subscriber, subscription and stream counts")
	}
	if page.Limit == 0 {
		page.Limit = types.DefaultPageLimit
	}
	if page.Limit > types.MaxPageLimit {
		page.Limit = types.MaxPageLimit
	}
	return &page, nil
}
