package app

import (
	"encoding/base64"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	abci "github.com/cometbft/cometbft/abci/types"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/multisig"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// txParts is a TxRaw taken apart, so that cases (and the fuzzer) can change
// one part and keep the others well-formed.
type txParts struct {
	body, authInfo []byte
	sigs           [][]byte
}

func (p txParts) raw(tb testing.TB) []byte {
	return marshal(tb, &txtypes.TxRaw{BodyBytes: p.body, AuthInfoBytes: p.authInfo, Signatures: p.sigs})
}

func marshal(tb testing.TB, m gogoproto.Message) []byte {
	tb.Helper()
	bz, err := gogoproto.Marshal(m)
	require.NoError(tb, err)
	return bz
}

func anyOf(tb testing.TB, m gogoproto.Message) *codectypes.Any {
	tb.Helper()
	a, err := codectypes.NewAnyWithValue(m)
	require.NoError(tb, err)
	return a
}

func single() *txtypes.ModeInfo {
	return &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signing.SignMode_SIGN_MODE_DIRECT}}}
}

// malformedTxs are TxRaw shapes no client library writes, each of which
// decodes as protobuf: every part missing, empty, of the wrong size or in
// the wrong number. Each must be refused with a registered code by every
// entry point; the bool says whether that code must be ErrTxDecode.
func malformedTxs(tb testing.TB, c *testChain) map[string]malformedTx {
	body := marshal(tb, &txtypes.TxBody{Messages: []*codectypes.Any{anyOf(tb, c.send(1))}})
	pk := anyOf(tb, c.key.PubKey())
	fee := &txtypes.Fee{Amount: sdk.NewCoins(sdk.NewInt64Coin(BondDenom, 5000)), GasLimit: 200_000}
	auth := func(fee *txtypes.Fee, infos ...*txtypes.SignerInfo) []byte {
		return marshal(tb, &txtypes.AuthInfo{SignerInfos: infos, Fee: fee})
	}
	info := func(pk *codectypes.Any, mi *txtypes.ModeInfo) *txtypes.SignerInfo {
		return &txtypes.SignerInfo{PublicKey: pk, ModeInfo: mi}
	}
	sig := [][]byte{make([]byte, 64)}
	multisigKey := func(threshold uint32, keys ...cryptotypes.PubKey) *codectypes.Any {
		anys := make([]*codectypes.Any, len(keys))
		for i, k := range keys {
			anys[i] = anyOf(tb, k)
		}
		return anyOf(tb, &multisig.LegacyAminoPubKey{Threshold: threshold, PubKeys: anys})
	}
	k1, k2 := secp256k1.GenPrivKey().PubKey(), secp256k1.GenPrivKey().PubKey()
	multiMode := func(bits *cryptotypes.CompactBitArray, inner ...*txtypes.ModeInfo) *txtypes.ModeInfo {
		return &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Multi_{Multi: &txtypes.ModeInfo_Multi{Bitarray: bits, ModeInfos: inner}}}
	}
	twoOfTwo := cryptotypes.NewCompactBitArray(2)
	twoOfTwo.SetIndex(0, true)
	twoOfTwo.SetIndex(1, true)
	multiSig := marshal(tb, &cryptotypes.MultiSignature{Signatures: [][]byte{make([]byte, 64)}}) // one signature for two bits
	badCoin := &txtypes.Fee{Amount: sdk.Coins{sdk.Coin{Denom: BondDenom, Amount: sdkmath.NewInt(-5)}}, GasLimit: 200_000}
	noAmount := marshal(tb, &txtypes.AuthInfo{SignerInfos: []*txtypes.SignerInfo{info(pk, single())},
		Fee: &txtypes.Fee{Amount: sdk.Coins{sdk.Coin{Denom: BondDenom}}, GasLimit: 1}})

	type tc = malformedTx
	return map[string]tc{
		"empty bytes":                              {txParts{}, true},
		"body only":                                {txParts{body: body}, true},
		"auth_info without a fee":                  {txParts{body, auth(nil, info(pk, single())), sig}, true},
		"no messages":                              {txParts{marshal(tb, &txtypes.TxBody{Memo: "x"}), auth(fee, info(pk, single())), sig}, true},
		"fee payer not an address":                 {txParts{body, auth(&txtypes.Fee{GasLimit: 1, Payer: "stream1nope"}, info(pk, single())), sig}, true},
		"fee granter not an address":               {txParts{body, auth(&txtypes.Fee{GasLimit: 1, Granter: "stream1nope"}, info(pk, single())), sig}, true},
		"fee granter not UTF-8":                    {txParts{body, auth(&txtypes.Fee{GasLimit: 1, Granter: "stream1\xff\xfe"}, info(pk, single())), sig}, true},
		"no signer infos, one signature":           {txParts{body, auth(fee), sig}, true},
		"one signer info, no signature":            {txParts{body, auth(fee, info(pk, single())), nil}, true},
		"two signer infos, one signature":          {txParts{body, auth(fee, info(pk, single()), info(pk, single())), sig}, true},
		"mode info without a mode":                 {txParts{body, auth(fee, info(pk, &txtypes.ModeInfo{})), sig}, true},
		"multisig mode with an empty entry":        {txParts{body, auth(fee, info(pk, multiMode(twoOfTwo, single(), &txtypes.ModeInfo{}))), sig}, true},
		"multisig bit array with 9 extra bits":     {txParts{body, auth(fee, info(pk, multiMode(&cryptotypes.CompactBitArray{ExtraBitsStored: 9}))), sig}, true},
		"signer info without a mode":               {txParts{body, auth(fee, info(pk, nil)), sig}, false},
		"signer info without a key":                {txParts{body, auth(fee, info(nil, single())), sig}, false},
		"secp256k1 key of 5 bytes":                 {txParts{body, auth(fee, info(anyOf(tb, &secp256k1.PubKey{Key: []byte{2, 1, 2, 3, 4}}), single())), sig}, true},
		"secp256k1 key of 0 bytes":                 {txParts{body, auth(fee, info(anyOf(tb, &secp256k1.PubKey{}), single())), sig}, true},
		"ed25519 key of 3 bytes":                   {txParts{body, auth(fee, info(anyOf(tb, &ed25519.PubKey{Key: []byte{1, 2, 3}}), single())), sig}, true},
		"key of an unknown type":                   {txParts{body, auth(fee, info(&codectypes.Any{TypeUrl: "/no.such.Key", Value: []byte{1}}, single())), sig}, true},
		"key that is a message":                    {txParts{body, auth(fee, info(anyOf(tb, c.send(1)), single())), sig}, true},
		"multisig key of threshold 0":              {txParts{body, auth(fee, info(multisigKey(0, k1, k2), multiMode(twoOfTwo, single(), single()))), sig}, true},
		"multisig key of threshold 3 of 2":         {txParts{body, auth(fee, info(multisigKey(3, k1, k2), multiMode(twoOfTwo, single(), single()))), sig}, true},
		"multisig key with a short member":         {txParts{body, auth(fee, info(multisigKey(1, k1, &secp256k1.PubKey{Key: []byte{1}}), multiMode(twoOfTwo, single(), single()))), sig}, true},
		"multisig with fewer signatures than bits": {txParts{body, auth(fee, info(multisigKey(2, k1, k2), multiMode(twoOfTwo, single(), single()))), [][]byte{multiSig}}, false},
		"negative fee":                             {txParts{body, auth(badCoin, info(pk, single())), sig}, false},
		"fee coin without an amount":               {txParts{body, noAmount, sig}, false},
		"gas limit above the maximum":              {txParts{body, auth(&txtypes.Fee{GasLimit: 1 << 63}, info(pk, single())), sig}, false},
		"memo of 100 kB":                           {txParts{marshal(tb, &txtypes.TxBody{Messages: []*codectypes.Any{anyOf(tb, c.send(1))}, Memo: string(make([]byte, 100_000))}), auth(fee, info(pk, single())), sig}, false},
		"a message without signers":                {txParts{marshal(tb, &txtypes.TxBody{Messages: []*codectypes.Any{anyOf(tb, &banktypes.MsgMultiSend{})}}), auth(fee, info(pk, single())), sig}, true},
		"signature of 1 MB":                        {txParts{body, auth(fee, info(pk, single())), [][]byte{make([]byte, 1<<20)}}, false},
	}
}

type malformedTx struct {
	parts  txParts
	decode bool
}

// TestMalformedTxsAnswerRegisteredCodes sends each malformed shape through
// every entry point of an in-process app: each is refused, with ErrTxDecode
// where the shape itself is wrong, and never with code 1, the SDK's panic
// code or a stack trace. A correctly signed tx is accepted alongside, so
// the entry points are known to work.
func TestMalformedTxsAnswerRegisteredCodes(t *testing.T) {
	c := newTestChain(t)
	for name, tc := range malformedTxs(t, c) {
		t.Run(name, func(t *testing.T) {
			raw := tc.parts.raw(t)
			for _, a := range c.answers(t, raw) {
				requireRegistered(t, a, raw)
				// A simulation may accept a tx without a key or a mode
				// (wallets simulate before they sign); nothing else may.
				if a.entry != "Simulate" && a.entry != "/app/simulate" {
					require.NotZero(t, a.code, "%s accepted it", a.entry)
				}
				if tc.decode {
					require.Equal(t, sdkerrors.ErrTxDecode.Codespace(), a.codespace, "%s: %s", a.entry, a.log)
					require.Equal(t, sdkerrors.ErrTxDecode.ABCICode(), a.code, "%s: %s", a.entry, a.log)
				}
			}
		})
	}
	t.Run("CgA= (an empty body, nothing else)", func(t *testing.T) {
		raw := mustBase64(t, "CgA=")
		for _, a := range c.answers(t, raw) {
			requireRegistered(t, a, raw)
			require.Equal(t, sdkerrors.ErrTxDecode.ABCICode(), a.code, "%s: %s", a.entry, a.log)
		}
	})
	t.Run("a correctly signed tx", func(t *testing.T) {
		check, err := c.app.CheckTx(&abci.RequestCheckTx{Tx: c.signedTx(t, c.send(1)), Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Zero(t, check.Code, check.Log)
	})
}

// FuzzTxDecode feeds bytes to the app's tx decoder: it never panics, a tx
// it refuses gets a registered code, and a tx it accepts can be read
// through every accessor the ante handler uses without a panic.
func FuzzTxDecode(f *testing.F) {
	c := newTestChain(f)
	for _, tc := range malformedTxs(f, c) {
		f.Add(tc.parts.raw(f))
	}
	f.Add(c.signedTx(f, c.send(1)))
	f.Add([]byte{})
	f.Add(mustBase64(f, "CgA="))
	decode := c.app.TxDecode
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := decode(raw)
		if err != nil {
			_, code, _ := errorsmod.ABCIInfo(err, false)
			require.GreaterOrEqual(t, code, uint32(2), "refused with an unregistered error: %v", err)
			return
		}
		readEverything(t, tx)
	})
}

// FuzzTxEntryPoints assembles a TxRaw from fuzzed parts and sends it
// through CheckTx, simulation, /app/simulate and a block of an in-process
// app: no answer is code 1, the SDK's panic code or a stack trace.
func FuzzTxEntryPoints(f *testing.F) {
	c := newTestChain(f)
	for _, tc := range malformedTxs(f, c) {
		var sig []byte
		if len(tc.parts.sigs) > 0 {
			sig = tc.parts.sigs[0]
		}
		f.Add(tc.parts.body, tc.parts.authInfo, sig, uint8(len(tc.parts.sigs)))
	}
	var valid txtypes.TxRaw
	require.NoError(f, gogoproto.Unmarshal(c.signedTx(f, c.send(1)), &valid))
	f.Add(valid.BodyBytes, valid.AuthInfoBytes, valid.Signatures[0], uint8(1))
	f.Fuzz(func(t *testing.T, body, authInfo, sig []byte, nsigs uint8) {
		sigs := make([][]byte, nsigs%4)
		for i := range sigs {
			sigs[i] = sig
		}
		raw := txParts{body, authInfo, sigs}.raw(t)
		for _, a := range c.answers(t, raw) {
			requireRegistered(t, a, raw)
		}
	})
}

// readEverything calls what the ante decorators and baseapp read of a tx.
func readEverything(t *testing.T, tx sdk.Tx) {
	t.Helper()
	_ = tx.GetMsgs()
	_, _ = tx.GetMsgsV2()
	if v, ok := tx.(sdk.HasValidateBasic); ok {
		_ = v.ValidateBasic()
	}
	sigTx, ok := tx.(authsigning.Tx)
	require.True(t, ok, "%T is not a signing tx", tx)
	_, _ = sigTx.GetSigners()
	_, _ = sigTx.GetPubKeys()
	_, _ = sigTx.GetSignaturesV2()
	_ = sigTx.GetGas()
	_ = sigTx.GetFee()
	_ = sigTx.FeePayer()
	_ = sigTx.FeeGranter()
	_ = sigTx.GetMemo()
	_ = sigTx.GetTimeoutHeight()
	_ = sigTx.GetUnordered()
	if withTime, ok := tx.(sdk.TxWithTimeoutTimeStamp); ok {
		_ = withTime.GetTimeoutTimeStamp()
	}
	if v2, ok := tx.(authsigning.V2AdaptableTx); ok {
		_ = v2.GetSigningTxData()
	}
	if pks, err := sigTx.GetPubKeys(); err == nil {
		for _, pk := range pks {
			if pk != nil {
				_ = pk.Address()
			}
		}
	}
}

func mustBase64(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(tb, err)
	return b
}
