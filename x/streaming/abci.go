package streaming

import (
	"context"

	"cosmossdk.io/core/appmodule"
)

var _ appmodule.HasEndBlocker = AppModule{}

// EndBlock prunes ended streams whose retention period has passed and ends
// subscriptions whose expiry has passed, each a bounded number per block
// (params.max_prunes_per_block, params.max_expirations_per_block).
func (am AppModule) EndBlock(ctx context.Context) error {
	if _, err := am.keeper.PruneEndedStreams(ctx); err != nil {
		return err
	}
	_, err := am.keeper.ExpireSubscriptions(ctx)
	return err
}
