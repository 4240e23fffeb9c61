package types

import (
	"fmt"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis returns the genesis state of a new chain.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params:       DefaultParams(),
		NextStreamId: FirstStreamID,
	}
}

// Validate rejects malformed params, bad addresses, duplicates, profiles
// and streams that break the rules every stored one holds (Profile.Validate,
// Stream.Validate), and references to profiles or streams that don't exist,
// and checks that the counters kept in profiles match the lists.
func (gs GenesisState) Validate(ac address.Codec) error {
	if err := gs.Params.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidGenesis, "params: %v", err)
	}
	if gs.NextStreamId < FirstStreamID {
		return errorsmod.Wrapf(ErrInvalidGenesis, "next_stream_id must be at least %d", FirstStreamID)
	}

	// Every address must be spelled canonically: the checks below compare
	// strings, and state keeps one spelling per account.
	canonical := func(what, s string) error {
		bz, err := ac.StringToBytes(s)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %q: %v", what, s, err)
		}
		if c, err := ac.BytesToString(bz); err != nil || c != s {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %q is not in canonical form", what, s)
		}
		return nil
	}

	type counts struct{ subscribers, subscriptions, streams uint64 }
	profiles := make(map[string]*counts, len(gs.Profiles))
	for _, p := range gs.Profiles {
		if err := canonical("profile address", p.Address); err != nil {
			return err
		}
		if _, dup := profiles[p.Address]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate profile %s", p.Address)
		}
		profiles[p.Address] = &counts{}
		if err := p.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "profile %s: %v", p.Address, err)
		}
	}

	streamIDs := make(map[uint64]struct{}, len(gs.Streams))
	for _, s := range gs.Streams {
		if s.Id < FirstStreamID || s.Id >= gs.NextStreamId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "stream id %d outside [%d, next_stream_id=%d)", s.Id, FirstStreamID, gs.NextStreamId)
		}
		if _, dup := streamIDs[s.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate stream id %d", s.Id)
		}
		streamIDs[s.Id] = struct{}{}
		if err := canonical("stream broadcaster", s.Broadcaster); err != nil {
			return err
		}
		c, ok := profiles[s.Broadcaster]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "stream %d: broadcaster %s has no profile", s.Id, s.Broadcaster)
		}
		c.streams++
		if err := s.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "stream %d: %v", s.Id, err)
		}
	}

	subscriptions := make(map[[2]string]struct{}, len(gs.Subscriptions))
	for _, sub := range gs.Subscriptions {
		if err := canonical("subscriber", sub.Subscriber); err != nil {
			return err
		}
		if err := canonical("subscribed-to broadcaster", sub.Broadcaster); err != nil {
			return err
		}
		key := [2]string{sub.Subscriber, sub.Broadcaster}
		if _, dup := subscriptions[key]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate subscription %s -> %s", sub.Subscriber, sub.Broadcaster)
		}
		subscriptions[key] = struct{}{}
		if sub.Subscriber == sub.Broadcaster {
			return errorsmod.Wrapf(ErrInvalidGenesis, "self subscription of %s", sub.Subscriber)
		}
		subscriber, ok := profiles[sub.Subscriber]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "subscriber %s has no profile", sub.Subscriber)
		}
		broadcaster, ok := profiles[sub.Broadcaster]
		if !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "broadcaster %s has no profile", sub.Broadcaster)
		}
		subscriber.subscriptions++
		broadcaster.subscribers++
		if sub.ExpiresAt != nil && !sub.ExpiresAt.After(sub.Since) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "subscription %s -> %s expires at %s, not after it began", sub.Subscriber, sub.Broadcaster, sub.ExpiresAt)
		}
	}

	terms := make(map[string]struct{}, len(gs.SubscriptionTerms))
	for _, t := range gs.SubscriptionTerms {
		if err := canonical("subscription terms broadcaster", t.Broadcaster); err != nil {
			return err
		}
		if _, dup := terms[t.Broadcaster]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate subscription terms of %s", t.Broadcaster)
		}
		terms[t.Broadcaster] = struct{}{}
		if _, ok := profiles[t.Broadcaster]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "subscription terms: broadcaster %s has no profile", t.Broadcaster)
		}
		if err := t.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "subscription terms of %s: %v", t.Broadcaster, err)
		}
	}

	blocks := make(map[[2]string]struct{}, len(gs.Blocks))
	for _, b := range gs.Blocks {
		if err := canonical("blocking broadcaster", b.Broadcaster); err != nil {
			return err
		}
		if err := canonical("blocked account", b.Account); err != nil {
			return err
		}
		key := [2]string{b.Broadcaster, b.Account}
		if _, dup := blocks[key]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate block %s -> %s", b.Broadcaster, b.Account)
		}
		blocks[key] = struct{}{}
		if b.Broadcaster == b.Account {
			return errorsmod.Wrapf(ErrInvalidGenesis, "self block of %s", b.Broadcaster)
		}
		if _, ok := profiles[b.Broadcaster]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "block: broadcaster %s has no profile", b.Broadcaster)
		}
		if _, ok := subscriptions[[2]string{b.Account, b.Broadcaster}]; ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s is subscribed to %s, who blocked it", b.Account, b.Broadcaster)
		}
		if err := ValidateReason(ceilingParams(), b.Reason); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "block %s -> %s: %v", b.Broadcaster, b.Account, err)
		}
	}

	for _, p := range gs.Profiles {
		c := profiles[p.Address]
		want := fmt.Sprintf("%d/%d/%d", c.subscribers, c.subscriptions, c.streams)
		got := fmt.Sprintf("%d/%d/%d", p.SubscriberCount, p.SubscriptionCount, p.StreamCount)
		if want != got {
			return errorsmod.Wrapf(ErrInvalidGenesis, "profile %s counters subscribers/subscriptions/streams are %s, the lists give %s", p.Address, got, want)
		}
	}
	return nil
}
