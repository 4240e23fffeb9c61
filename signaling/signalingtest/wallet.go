package signalingtest

import (
	"encoding/base64"
	"encoding/json"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Wallet is a secp256k1 account that signs the way Keplr's signArbitrary
// does. Its sign document is built independently of the server's code: a
// generic JSON object whose keys encoding/json sorts, as CosmJS's
// sortedJsonStringify does.
type Wallet struct {
	Priv    *secp256k1.PrivKey
	Address string
}

// NewWallet makes a wallet with a fresh random key and a "stream" address.
func NewWallet() *Wallet { return WalletFromKey(secp256k1.GenPrivKey().Key) }

// WalletFromKey makes a wallet from a 32-byte private key.
func WalletFromKey(key []byte) *Wallet {
	priv := &secp256k1.PrivKey{Key: key}
	addr, err := bech32.ConvertAndEncode("stream", priv.PubKey().Address())
	if err != nil {
		panic(err)
	}
	return &Wallet{Priv: priv, Address: addr}
}

// SignDoc is the ADR-036 amino sign document for data signed by signer,
// serialised like CosmJS's serializeSignDoc (sorted keys, no whitespace).
func SignDoc(signer string, data []byte) []byte {
	doc := map[string]any{
		"chain_id":       "",
		"account_number": "0",
		"sequence":       "0",
		"fee":            map[string]any{"gas": "0", "amount": []any{}},
		"msgs": []any{map[string]any{
			"type": "sign/MsgSignData",
			"value": map[string]any{
				"signer": signer,
				"data":   base64.StdEncoding.EncodeToString(data),
			},
		}},
		"memo": "",
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// SignArbitrary returns what Keplr's signArbitrary(chainId, w.Address, text)
// returns: the compressed public key and a 64-byte low-S r||s signature over
// SHA-256 of the ADR-036 sign document.
func (w *Wallet) SignArbitrary(text string) protocol.StdSignature {
	return w.SignBytes(SignDoc(w.Address, []byte(text)))
}

// SignBytes signs arbitrary bytes (SHA-256, secp256k1) in the StdSignature
// shape; tests use it to produce signatures over the wrong document.
func (w *Wallet) SignBytes(msg []byte) protocol.StdSignature {
	sig, err := w.Priv.Sign(msg)
	if err != nil {
		panic(err)
	}
	return protocol.StdSignature{
		PubKey:    protocol.PubKeyJSON{Type: "tendermint/PubKeySecp256k1", Value: base64.StdEncoding.EncodeToString(w.Priv.PubKey().Bytes())},
		Signature: base64.StdEncoding.EncodeToString(sig),
	}
}

// AuthMessage is the auth message answering a challenge.
func (w *Wallet) AuthMessage(challengeText string) map[string]any {
	return map[string]any{
		"type":      "auth",
		"address":   w.Address,
		"message":   challengeText,
		"signature": w.SignArbitrary(challengeText),
	}
}
