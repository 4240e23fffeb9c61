package app

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
)

// readableFeeErrorsDecorator is the SDK's DeductFeeDecorator with answers a
// client can act on. The SDK's decorator formats the fee payer and granter
// as raw address bytes ("<20 bytes> does not allow to pay fees for <20
// bytes>", "fee payer address: <20 bytes> does not exist"), and when the
// granter never granted an allowance (or revoked it) it passes on the
// store's plain "collections: not found", which clients receive as code 1
// "undefined". Here every such answer names the accounts in bech32 and
// carries a registered code: the feegrant module's own errors (no
// allowance, limit exceeded, expired, message not allowed) and the SDK's
// unknown-address error.
type readableFeeErrorsDecorator struct {
	inner        ante.DeductFeeDecorator
	addressCodec address.Codec
}

func newReadableFeeErrorsDecorator(ak ante.AccountKeeper, bk authtypes.BankKeeper, fk ante.FeegrantKeeper, addressCodec address.Codec) readableFeeErrorsDecorator {
	grants := readableFeeGrants{keeper: fk, addressCodec: addressCodec}
	return readableFeeErrorsDecorator{
		inner:        ante.NewDeductFeeDecorator(ak, bk, grants, nil),
		addressCodec: addressCodec,
	}
}

func (d readableFeeErrorsDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	reached := false // errors of the decorators after this one are theirs
	newCtx, err := d.inner.AnteHandle(ctx, tx, simulate, func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		reached = true
		return next(ctx, tx, simulate)
	})
	if err == nil || reached {
		return newCtx, err
	}
	var refusal grantRefusal
	if errors.As(err, &refusal) {
		return newCtx, refusal.err // without the SDK's raw-bytes prefix
	}
	if feeTx, ok := tx.(sdk.FeeTx); ok && errors.Is(err, sdkerrors.ErrUnknownAddress) {
		payer := feeTx.FeePayer()
		if granter := feeTx.FeeGranter(); granter != nil {
			payer = granter
		}
		return newCtx, sdkerrors.ErrUnknownAddress.Wrapf(
			"the fee payer %s has no account yet: send it funds before it pays fees", bech32(d.addressCodec, payer))
	}
	return newCtx, err
}

// readableFeeGrants is the feegrant keeper as the fee decorator uses it,
// with its refusals rewritten as above.
type readableFeeGrants struct {
	keeper       ante.FeegrantKeeper
	addressCodec address.Codec
}

func (g readableFeeGrants) UseGrantedFees(ctx context.Context, granter, grantee sdk.AccAddress, fee sdk.Coins, msgs []sdk.Msg) error {
	err := g.keeper.UseGrantedFees(ctx, granter, grantee, fee, msgs)
	if err == nil {
		return nil
	}
	from, to := bech32(g.addressCodec, granter), bech32(g.addressCodec, grantee)
	if errors.Is(err, collections.ErrNotFound) {
		return grantRefusal{feegrant.ErrNoAllowance.Wrapf(
			"%s has no fee allowance from %s (none was granted, or it was revoked, used up or expired)", to, from)}
	}
	if _, code, _ := errorsmod.ABCIInfo(err, false); code > 1 {
		return grantRefusal{errorsmod.Wrapf(err, "the fee allowance from %s to %s does not cover this tx", from, to)}
	}
	return grantRefusal{feegrant.ErrNoAllowance.Wrapf("the fee allowance from %s to %s could not be read: %v", from, to, err)}
}

// grantRefusal marks an error of readableFeeGrants so that the decorator can
// find it under the SDK's wrapping and answer it alone.
type grantRefusal struct{ err error }

func (r grantRefusal) Error() string { return r.err.Error() }
func (r grantRefusal) Unwrap() error { return r.err }
func (r grantRefusal) Cause() error  { return r.err }

// bech32 is an account address as clients write it.
func bech32(codec address.Codec, addr []byte) string {
	if s, err := codec.BytesToString(addr); err == nil {
		return s
	}
	return fmt.Sprintf("%X", addr)
}
