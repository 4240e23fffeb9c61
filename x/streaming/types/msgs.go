package types

import sdk "github.com/cosmos/cosmos-sdk/types"

var _ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)

// ValidateBasic checks the proposed params without state. The gov module
// calls it on every message of a proposal at submission, so a proposal
// carrying invalid params is refused there, before a deposit is locked and
// a vote is held, rather than failing when executed. The msg server checks
// the params again.
func (m *MsgUpdateParams) ValidateBasic() error {
	return m.Params.Validate()
}
