package streaming

import (
	"context"

	"cosmossdk.io/core/appmodule"
)

var _ appmodule.HasEndBlocker = AppModule{}

// EndBlock prunes ended streams whose retention period has passed, a
// bounded number per block (params.max_prunes_per_block).
func (am AppModule) EndBlock(ctx context.Context) error {
	_, err := am.keeper.PruneEndedStreams(ctx)
	return err
}
