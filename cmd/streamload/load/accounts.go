package load

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/app"
)

// DefaultSeed is the seed the devnet funds and streamload uses unless told
// otherwise. The keys it derives are public: devnets only.
const DefaultSeed = "streamload"

// Account is a deterministic secp256k1 account.
type Account struct {
	Index   int
	Key     *secp256k1.PrivKey
	Address sdk.AccAddress
	// Bech32 is Address as stream1...
	Bech32 string
}

var addressCodec = address.NewBech32Codec(app.AccountAddressPrefix)

// DeriveAccount returns account index of seed. Its private key is
// secp256k1.GenPrivKeyFromSecret("<seed>/<index>"): the same seed and index
// give the same account on every machine.
func DeriveAccount(seed string, index int) Account {
	key := secp256k1.GenPrivKeyFromSecret([]byte(seed + "/" + strconv.Itoa(index)))
	addr := sdk.AccAddress(key.PubKey().Address())
	bech, err := addressCodec.BytesToString(addr)
	if err != nil {
		// A 20-byte address always encodes.
		panic(fmt.Errorf("encode address: %w", err))
	}
	return Account{Index: index, Key: key, Address: addr, Bech32: bech}
}

// DeriveAccounts returns accounts 0..n-1 of seed.
func DeriveAccounts(seed string, n int) []Account {
	accs := make([]Account, n)
	for i := range accs {
		accs[i] = DeriveAccount(seed, i)
	}
	return accs
}

// GenesisAccountsJSON returns the file `streamd genesis
// bulk-add-genesis-account` reads: every account funded with coins.
func GenesisAccountsJSON(accs []Account, coins sdk.Coins) ([]byte, error) {
	type entry struct {
		Address string    `json:"address"`
		Coins   sdk.Coins `json:"coins"`
	}
	entries := make([]entry, len(accs))
	for i, a := range accs {
		entries[i] = entry{Address: a.Bech32, Coins: coins}
	}
	return json.MarshalIndent(entries, "", " ")
}
