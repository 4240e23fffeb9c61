package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// TxSpec is the content of one tx: its messages, gas limit and fee.
type TxSpec struct {
	Msgs []sdk.Msg
	Gas  uint64
	Fee  sdk.Coins
	Memo string
}

// SignedTx is a signed, encoded tx ready to broadcast.
type SignedTx struct {
	Account  int    // Account.Index of the signer
	Sequence uint64 // the sequence it was signed with
	Bytes    []byte
	// Hash is the tx hash as CometBFT reports it: upper-case hex SHA-256
	// of Bytes.
	Hash string
}

// TxHash returns the CometBFT hash of encoded tx bytes.
func TxHash(tx []byte) string {
	sum := sha256.Sum256(tx)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Signer signs txs offline in SIGN_MODE_DIRECT for one chain.
type Signer struct {
	chainID  string
	txConfig client.TxConfig
}

// NewSigner returns a Signer for chainID.
func NewSigner(chainID string) (*Signer, error) {
	txConfig, _, err := newTxConfig()
	if err != nil {
		return nil, fmt.Errorf("tx config: %w", err)
	}
	return &Signer{chainID: chainID, txConfig: txConfig}, nil
}

// Sign builds and signs spec for acc with the given account number and
// sequence. Nothing is read from the chain: a wrong number or sequence gives
// a tx the node rejects, which is what fault and counting tests want.
func (s *Signer) Sign(acc Account, accountNumber, sequence uint64, spec TxSpec) (SignedTx, error) {
	b := s.txConfig.NewTxBuilder()
	if err := b.SetMsgs(spec.Msgs...); err != nil {
		return SignedTx{}, err
	}
	b.SetGasLimit(spec.Gas)
	b.SetFeeAmount(spec.Fee)
	b.SetMemo(spec.Memo)

	mode := signing.SignMode_SIGN_MODE_DIRECT
	pub := acc.Key.PubKey()
	// Direct mode signs the auth info, which holds the signer's public key
	// and sequence: set them, with an empty signature, before signing.
	empty := signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: sequence}
	if err := b.SetSignatures(empty); err != nil {
		return SignedTx{}, err
	}
	signerData := authsigning.SignerData{
		Address:       acc.Bech32,
		ChainID:       s.chainID,
		AccountNumber: accountNumber,
		Sequence:      sequence,
		PubKey:        pub,
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), mode, signerData, b, acc.Key, s.txConfig, sequence)
	if err != nil {
		return SignedTx{}, err
	}
	if err := b.SetSignatures(sig); err != nil {
		return SignedTx{}, err
	}
	bz, err := s.txConfig.TxEncoder()(b.GetTx())
	if err != nil {
		return SignedTx{}, err
	}
	return SignedTx{Account: acc.Index, Sequence: sequence, Bytes: bz, Hash: TxHash(bz)}, nil
}

// Funded is an account with the number and next sequence the chain holds
// for it (see Client.Accounts).
type Funded struct {
	Account
	Number   uint64
	Sequence uint64
}

// PreSign signs perAccount txs for every account, with sequences
// Sequence, Sequence+1, ...; build(acc, k) gives the k-th tx of acc.
// Accounts are signed in parallel, one worker per CPU. The result has one
// queue per account, in sequence order, as Client.Send takes it.
func (s *Signer) PreSign(accs []Funded, perAccount int, build func(acc Funded, k int) TxSpec) ([][]SignedTx, error) {
	queues := make([][]SignedTx, len(accs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, acc := range accs {
		g.Go(func() error {
			q := make([]SignedTx, perAccount)
			for k := range q {
				tx, err := s.Sign(acc.Account, acc.Number, acc.Sequence+uint64(k), build(acc, k))
				if err != nil {
					return fmt.Errorf("sign tx %d of account %d: %w", k, acc.Index, err)
				}
				q[k] = tx
			}
			queues[i] = q
			return nil
		})
	}
	return queues, g.Wait()
}
