package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/streamchain/streamchain/x/streaming/types"
)

func (q queryServer) SubscriptionTerms(ctx context.Context, req *types.QuerySubscriptionTermsRequest) (*types.QuerySubscriptionTermsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.queryAddress("broadcaster", req.Broadcaster)
	if err != nil {
		return nil, err
	}
	canonical, err := q.k.addressCodec.BytesToString(addr)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "broadcaster: %v", err)
	}
	terms, err := q.k.termsOf(ctx, addr, canonical)
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QuerySubscriptionTermsResponse{Terms: terms, Free: terms.Free()}, nil
}

func (q queryServer) Blocks(ctx context.Context, req *types.QueryBlocksRequest) (*types.QueryBlocksResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	blocks, pageRes, err := pageByFirstAddress(ctx, q, q.k.Blocks, "broadcaster", req.Broadcaster, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &types.QueryBlocksResponse{Blocks: blocks, Pagination: pageRes}, nil
}

func (q queryServer) Block(ctx context.Context, req *types.QueryBlockRequest) (*types.QueryBlockResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	broadcaster, err := q.queryAddress("broadcaster", req.Broadcaster)
	if err != nil {
		return nil, err
	}
	account, err := q.queryAddress("account", req.Account)
	if err != nil {
		return nil, err
	}
	b, err := q.k.Blocks.Get(ctx, collections.Join(broadcaster, account))
	if isNotFound(err) {
		return &types.QueryBlockResponse{Blocked: false}, nil
	}
	if err != nil {
		return nil, storeFailure(err)
	}
	return &types.QueryBlockResponse{Blocked: true, Block: &b}, nil
}
