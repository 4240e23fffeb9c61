package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of the module. Codes start at 2: 0 is success and 1 is
// the SDK's "internal/undefined". Never renumber a code: clients match on them.
var (
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 2, "invalid address")
	ErrUnauthorized        = errorsmod.Register(ModuleName, 3, "not the broadcaster of this stream")
	ErrProfileNotFound     = errorsmod.Register(ModuleName, 4, "profile not found")
	ErrStreamNotFound      = errorsmod.Register(ModuleName, 5, "stream not found")
	ErrInvalidText         = errorsmod.Register(ModuleName, 6, "invalid text")
	ErrTextTooLong         = errorsmod.Register(ModuleName, 7, "text too long")
	ErrEmptyField          = errorsmod.Register(ModuleName, 8, "required field is empty")
	ErrInvalidLink         = errorsmod.Register(ModuleName, 9, "invalid link")
	ErrInvalidSchedule     = errorsmod.Register(ModuleName, 10, "end time must be after start time")
	ErrStartInPast         = errorsmod.Register(ModuleName, 11, "start time is before the block time")
	ErrStreamTooLong       = errorsmod.Register(ModuleName, 12, "stream longer than the maximum duration")
	ErrScheduledTooFar     = errorsmod.Register(ModuleName, 13, "stream starts too far ahead")
	ErrStreamEnded         = errorsmod.Register(ModuleName, 14, "stream has ended")
	ErrInvalidUpdateMask   = errorsmod.Register(ModuleName, 15, "invalid update mask")
	ErrSelfSubscription    = errorsmod.Register(ModuleName, 16, "cannot subscribe to oneself")
	ErrAlreadySubscribed   = errorsmod.Register(ModuleName, 17, "already subscribed")
	ErrNotSubscribed       = errorsmod.Register(ModuleName, 18, "not subscribed")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 19, "invalid params")
	ErrInvalidAuthority    = errorsmod.Register(ModuleName, 20, "invalid authority")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 21, "invalid genesis state")
	ErrStreamIDUnavailable = errorsmod.Register(ModuleName, 22, "stream id unavailable")
	ErrStreamTooShort      = errorsmod.Register(ModuleName, 23, "stream shorter than the minimum duration")
	// Paid subscriptions, tips and blocks.
	ErrPriceAboveMax     = errorsmod.Register(ModuleName, 24, "the broadcaster's price is above the most the subscriber agreed to pay")
	ErrPeriodOutOfBounds = errorsmod.Register(ModuleName, 25, "subscription period out of bounds")
	ErrBlocked           = errorsmod.Register(ModuleName, 26, "blocked by the broadcaster")
	ErrSelfBlock         = errorsmod.Register(ModuleName, 27, "cannot block oneself")
	ErrInvalidAmount     = errorsmod.Register(ModuleName, 28, "amount must be positive")
	ErrInvalidDenom      = errorsmod.Register(ModuleName, 29, "unknown denomination")
	ErrInsufficientFunds = errorsmod.Register(ModuleName, 32, "insufficient funds for the payment")
	ErrAlreadyBlocked    = errorsmod.Register(ModuleName, 33, "already blocked")
	ErrNotBlocked        = errorsmod.Register(ModuleName, 34, "not blocked")
	ErrSelfTip           = errorsmod.Register(ModuleName, 35, "cannot tip oneself")
	// Codes 30 and 31 are the module's bounds on state and on prices.
	ErrTooManyOpenStreams = errorsmod.Register(ModuleName, 30, "too many streams that have not ended")
	ErrPriceTooHigh       = errorsmod.Register(ModuleName, 31, "price above the maximum subscription price")
)
