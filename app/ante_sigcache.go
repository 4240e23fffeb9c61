package app

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"google.golang.org/protobuf/types/known/anypb"

	signingv1beta1 "cosmossdk.io/api/cosmos/tx/signing/v1beta1"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	txsigning "github.com/cosmos/cosmos-sdk/x/tx/signing"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// DefaultSigVerifyCacheSize is how many verified signatures a node
// remembers between CheckTx and FinalizeBlock when app.toml does not say:
// four times CometBFT's default mempool (5,000 txs), ~1.5 MB.
const DefaultSigVerifyCacheSize = 20_000

// sigVerifyCache remembers signatures the SDK has verified. Verifying
// (pubkey, sign bytes, signature) is a pure function, so a node that checked
// a tx in CheckTx need not check it again when the tx reaches FinalizeBlock:
// the answer cannot differ. Only successes are kept, keyed by a hash of all
// three inputs, so a changed key, body, auth info, account number, sequence,
// chain id or signature is a miss and is verified as before. Each node has
// its own cache; since a hit gives exactly the answer the verification
// would have given, validators with different caches still agree.
type sigVerifyCache struct {
	verified *lru.Cache[[sha256.Size]byte, struct{}]
	hits     atomic.Uint64
}

func newSigVerifyCache(size int) *sigVerifyCache {
	if size <= 0 {
		return nil
	}
	c, err := lru.New[[sha256.Size]byte, struct{}](size)
	if err != nil {
		panic(err) // only for size <= 0
	}
	return &sigVerifyCache{verified: c}
}

// sigKey hashes one verification's inputs, each length-prefixed so that no
// two different triples share a key.
func sigKey(pubKeyType string, pubKey, signBytes, sig []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, part := range [][]byte{[]byte(pubKeyType), pubKey, signBytes, sig} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(part)))])
		h.Write(part)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// cachedSigVerificationDecorator is the SDK's SigVerificationDecorator, told
// to skip the signature check (ctx.IsSigverifyTx, the SDK's own switch for
// it) when every signature of the tx is in the cache. Everything else the
// SDK decorator does — the signer count, the pubkey being set, the sequence
// and unordered-nonce checks — runs as before, and it consumes no gas
// (signature gas is SigGasConsumeDecorator's, which runs before it), so gas,
// events and results are the same with or without the cache. The cache is
// filled in CheckTx, after the SDK verified the tx, and read everywhere.
type cachedSigVerificationDecorator struct {
	inner   ante.SigVerificationDecorator
	ak      ante.AccountKeeper
	handler *txsigning.HandlerMap
	cache   *sigVerifyCache // nil: no cache
}

func (d cachedSigVerificationDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if d.cache == nil || simulate || ctx.IsReCheckTx() || !ctx.IsSigverifyTx() {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	keys := d.keys(ctx, tx)
	if len(keys) > 0 && d.cache.containsAll(keys) {
		d.cache.hits.Add(uint64(len(keys)))
		return d.inner.AnteHandle(ctx.WithIsSigverifyTx(false), tx, simulate,
			func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
				return next(ctx.WithIsSigverifyTx(true), tx, simulate)
			})
	}
	if len(keys) == 0 || !ctx.IsCheckTx() {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	return d.inner.AnteHandle(ctx, tx, simulate, func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		// Reached only when the SDK verified every signature.
		for _, k := range keys {
			d.cache.verified.Add(k, struct{}{})
		}
		return next(ctx, tx, simulate)
	})
}

func (c *sigVerifyCache) containsAll(keys [][sha256.Size]byte) bool {
	for _, k := range keys {
		if !c.verified.Contains(k) {
			return false
		}
	}
	return true
}

// keys returns the cache key of each signature of tx, computed from the
// same inputs SigVerificationDecorator.AnteHandle hands to
// authsigning.VerifySignature (x/auth/ante/sigverify.go, SDK v0.54.4): the
// signer account's stored pubkey, the sign bytes of the tx's sign mode for
// that signer, and the signature. It returns nil when any signature is of a
// kind left to the SDK alone (multisig, SIGN_MODE_TEXTUAL, which reads
// state), or when anything the SDK would refuse is found: the SDK then
// refuses it with its own error. The account is read on an infinite gas
// meter, so the tx's gas is untouched.
func (d cachedSigVerificationDecorator) keys(ctx sdk.Context, tx sdk.Tx) [][sha256.Size]byte {
	sigTx, ok := tx.(authsigning.Tx)
	if !ok {
		return nil
	}
	adaptable, ok := tx.(authsigning.V2AdaptableTx)
	if !ok {
		return nil
	}
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil {
		return nil
	}
	signers, err := sigTx.GetSigners()
	if err != nil || len(sigs) != len(signers) {
		return nil
	}
	readCtx := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	txData := adaptable.GetSigningTxData()
	keys := make([][sha256.Size]byte, 0, len(sigs))
	for i, sig := range sigs {
		single, ok := sig.Data.(*signing.SingleSignatureData)
		if !ok {
			return nil
		}
		var mode signingv1beta1.SignMode
		switch single.SignMode {
		case signing.SignMode_SIGN_MODE_DIRECT:
			mode = signingv1beta1.SignMode_SIGN_MODE_DIRECT
		case signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON:
			mode = signingv1beta1.SignMode_SIGN_MODE_LEGACY_AMINO_JSON
		default:
			return nil
		}
		acc := d.ak.GetAccount(readCtx, signers[i])
		if acc == nil || acc.GetPubKey() == nil {
			return nil
		}
		pubKey := acc.GetPubKey()
		var accNum uint64
		if ctx.BlockHeight() != 0 { // the SDK's genesis rule
			accNum = acc.GetAccountNumber()
		}
		anyPk, err := codectypes.NewAnyWithValue(pubKey)
		if err != nil {
			return nil
		}
		signBytes, err := d.handler.GetSignBytes(ctx, mode, txsigning.SignerData{
			Address:       acc.GetAddress().String(),
			ChainID:       ctx.ChainID(),
			AccountNumber: accNum,
			Sequence:      sig.Sequence,
			PubKey:        &anypb.Any{TypeUrl: anyPk.TypeUrl, Value: anyPk.Value},
		}, txData)
		if err != nil {
			return nil
		}
		keys = append(keys, sigKey(anyPk.TypeUrl, pubKey.Bytes(), signBytes, single.Signature))
	}
	return keys
}
