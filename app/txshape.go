package app

import (
	"fmt"

	"cosmossdk.io/core/address"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/multisig"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// checkTxShape refuses a decoded tx that the SDK's tx accessors and ante
// decorators cannot read without panicking: every part they dereference is
// present, every address they convert is one, every signer info has a
// usable mode and key. These are the invariants a tx built by any client
// library holds; the checks read nothing from state.
func checkTxShape(tx sdk.Tx, addressCodec address.Codec) error {
	p, ok := tx.(interface{ GetProtoTx() *txtypes.Tx })
	if !ok {
		return nil // not the SDK's protobuf tx: nothing known to check
	}
	t := p.GetProtoTx()
	switch {
	case t == nil || t.Body == nil:
		return fmt.Errorf("the tx has no body")
	case len(t.Body.Messages) == 0:
		return fmt.Errorf("the tx has no messages")
	case t.AuthInfo == nil:
		return fmt.Errorf("the tx has no auth_info")
	case t.AuthInfo.Fee == nil:
		return fmt.Errorf("auth_info has no fee")
	}
	for _, who := range []struct{ role, addr string }{
		{"fee payer", t.AuthInfo.Fee.Payer},
		{"fee granter", t.AuthInfo.Fee.Granter},
	} {
		if who.addr == "" {
			continue
		}
		if _, err := addressCodec.StringToBytes(who.addr); err != nil {
			return fmt.Errorf("the %s %q is not an address: %w", who.role, who.addr, err)
		}
	}
	infos := t.AuthInfo.SignerInfos
	if len(infos) != len(t.Signatures) {
		return fmt.Errorf("%d signer infos but %d signatures", len(infos), len(t.Signatures))
	}
	for i, info := range infos {
		if info == nil {
			return fmt.Errorf("signer info %d is empty", i)
		}
		// A simulation may leave the mode out (the SDK reads it as "no
		// signature yet"); a mode that is there must be complete.
		if info.ModeInfo != nil {
			if err := checkModeInfo(info.ModeInfo); err != nil {
				return fmt.Errorf("signer info %d: %w", i, err)
			}
		}
		// The key may be left out when the account already has one.
		if info.PublicKey != nil {
			if err := checkPubKeyAny(info.PublicKey); err != nil {
				return fmt.Errorf("signer info %d: %w", i, err)
			}
		}
	}
	return nil
}

// checkModeInfo requires a mode in every (nested) mode info and a
// multisignature bit array whose length matches its stored bits.
func checkModeInfo(mi *txtypes.ModeInfo) error {
	switch sum := mi.Sum.(type) {
	case *txtypes.ModeInfo_Single_:
		if sum.Single == nil {
			return fmt.Errorf("mode info has an empty single mode")
		}
	case *txtypes.ModeInfo_Multi_:
		multi := sum.Multi
		if multi == nil {
			return fmt.Errorf("mode info has an empty multisig mode")
		}
		if bits := multi.Bitarray; bits != nil && (bits.ExtraBitsStored > 7 || (bits.ExtraBitsStored > 0 && len(bits.Elems) == 0)) {
			return fmt.Errorf("malformed multisig bit array")
		}
		for _, inner := range multi.ModeInfos {
			if inner == nil {
				return fmt.Errorf("multisig mode info has an empty entry")
			}
			if err := checkModeInfo(inner); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("mode info has no sign mode")
	}
	return nil
}

// checkPubKeyAny requires a public key of a known type and of the right
// size: the SDK's keys panic when asked for the address of a key of the
// wrong length, and a multisig key with a missing member or an impossible
// threshold cannot be verified.
func checkPubKeyAny(a *codectypes.Any) error {
	pk, ok := a.GetCachedValue().(cryptotypes.PubKey)
	if !ok {
		return fmt.Errorf("public key of type %q is not a public key", a.TypeUrl)
	}
	switch k := pk.(type) {
	case *secp256k1.PubKey:
		if len(k.Key) != secp256k1.PubKeySize {
			return fmt.Errorf("secp256k1 public key of %d bytes, want %d", len(k.Key), secp256k1.PubKeySize)
		}
	case *ed25519.PubKey:
		if len(k.Key) != ed25519.PubKeySize {
			return fmt.Errorf("ed25519 public key of %d bytes, want %d", len(k.Key), ed25519.PubKeySize)
		}
	case *multisig.LegacyAminoPubKey:
		if k.Threshold == 0 || int(k.Threshold) > len(k.PubKeys) {
			return fmt.Errorf("multisig public key with threshold %d of %d keys", k.Threshold, len(k.PubKeys))
		}
		for _, member := range k.PubKeys {
			if member == nil {
				return fmt.Errorf("multisig public key with an empty member")
			}
			if err := checkPubKeyAny(member); err != nil {
				return fmt.Errorf("multisig member: %w", err)
			}
		}
	}
	// Any other kind panics here, inside the decoder's recover, rather
	// than later in the ante handler.
	_ = pk.Address()
	return nil
}
