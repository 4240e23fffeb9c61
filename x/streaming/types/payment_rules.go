package types

import (
	"time"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// The rules of prices, tips, terms and blocks, written once for the keeper,
// genesis and simulation.

// ValidatePayment checks an amount a message moves: in Denom and positive.
func ValidatePayment(field string, c sdk.Coin) error {
	if c.Denom != Denom {
		return errorsmod.Wrapf(ErrInvalidDenom, "%s is in %q; only %s is accepted", field, c.Denom, Denom)
	}
	if c.Amount.IsNil() || !c.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "%s must be more than 0%s", field, Denom)
	}
	return nil
}

// ValidateMaxPrice checks the most a subscriber agreed to pay: absent, or
// a non-negative amount of Denom.
func ValidateMaxPrice(c *sdk.Coin) error {
	if c == nil {
		return nil
	}
	if c.Denom != Denom {
		return errorsmod.Wrapf(ErrInvalidDenom, "max_price is in %q; only %s is accepted", c.Denom, Denom)
	}
	if c.Amount.IsNil() || c.Amount.IsNegative() {
		return errorsmod.Wrapf(ErrInvalidAmount, "max_price must not be negative")
	}
	return nil
}

// Free reports whether the terms charge nothing: subscriptions under them
// never expire.
func (t SubscriptionTerms) Free() bool {
	return t.Price.Amount.IsNil() || t.Price.Amount.IsZero()
}

// ValidateNew checks terms a broadcaster sets against params: the price in
// Denom, not negative and at most max_subscription_price, and, unless the
// price is zero, the period within [min_subscription_period,
// max_subscription_period].
func (t SubscriptionTerms) ValidateNew(p Params) error {
	if t.Price.Denom != Denom {
		return errorsmod.Wrapf(ErrInvalidDenom, "price is in %q; only %s is accepted", t.Price.Denom, Denom)
	}
	if t.Price.Amount.IsNil() || t.Price.Amount.IsNegative() {
		return errorsmod.Wrap(ErrInvalidAmount, "price must not be negative; 0 makes subscriptions free")
	}
	if t.Price.Amount.GT(math.NewIntFromUint64(p.MaxSubscriptionPrice)) {
		return errorsmod.Wrapf(ErrPriceTooHigh, "price %s is above the maximum of %d%s", t.Price, p.MaxSubscriptionPrice, Denom)
	}
	if t.Free() {
		return nil
	}
	if t.Period < p.MinSubscriptionPeriod || t.Period > p.MaxSubscriptionPeriod {
		return errorsmod.Wrapf(ErrPeriodOutOfBounds, "period %s must be between %s and %s", t.Period, p.MinSubscriptionPeriod, p.MaxSubscriptionPeriod)
	}
	return nil
}

// Validate checks what stored terms hold whatever today's params: a
// positive price in Denom and a period within the hard bounds. Free terms
// are never stored.
func (t SubscriptionTerms) Validate() error {
	if err := ValidatePayment("price", t.Price); err != nil {
		return err
	}
	if t.Period < MinSubscriptionPeriodFloor || t.Period > MaxSubscriptionPeriodCeiling {
		return errorsmod.Wrapf(ErrPeriodOutOfBounds, "period %s must be between %s and %s", t.Period, MinSubscriptionPeriodFloor, MaxSubscriptionPeriodCeiling)
	}
	return nil
}

// RenewalBase is the time a renewal's period starts from: the later of the
// block time and the current expiry, so that renewing early loses nothing
// and renewing late does not pay for time already gone.
func RenewalBase(now time.Time, expiresAt *time.Time) time.Time {
	if expiresAt != nil && expiresAt.After(now) {
		return *expiresAt
	}
	return now
}

// ActiveAt reports whether the subscription gives access at block time now:
// a free one always, a paid one until its expiry.
func (s Subscription) ActiveAt(now time.Time) bool {
	return s.ExpiresAt == nil || now.Before(*s.ExpiresAt)
}

// ValidateMemo checks a tip's memo under the rules of single-line text.
func ValidateMemo(p Params, memo string) error {
	return ValidateText("memo", memo, p.MaxMemoLength)
}

// ValidateReason checks a block's reason under the rules of single-line text.
func ValidateReason(p Params, reason string) error {
	return ValidateText("reason", reason, p.MaxBlockReasonLength)
}
