package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/cosmos/cosmos-sdk/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/gogoproto/proto"
)

// Client talks to one node over its CometBFT RPC (http://host:port).
type Client struct {
	url string
	rpc *rpchttp.HTTP
	cdc codec.Codec
}

// NewClient returns a client of the node at rpcURL ("tcp://" is read as
// "http://"). Many senders share it, so its HTTP transport keeps enough idle
// connections for one per sender.
func NewClient(rpcURL string) (*Client, error) {
	hc := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			// CometBFT's RPC server drops keep-alive connections idle
			// for 10 s; a client that reuses one at that moment gets
			// "connection reset". Closing them first avoids the race.
			IdleConnTimeout: 5 * time.Second,
		},
	}
	rpc, err := rpchttp.NewWithClient(rpcURL, "/websocket", hc)
	if err != nil {
		return nil, fmt.Errorf("rpc client for %s: %w", rpcURL, err)
	}
	_, cdc, err := newTxConfig()
	if err != nil {
		return nil, err
	}
	return &Client{url: rpcURL, rpc: rpc, cdc: cdc}, nil
}

// IsLoopback reports whether rpcURL names a loopback host (127.0.0.0/8,
// ::1 or localhost). Load tools refuse other hosts unless told otherwise.
func IsLoopback(rpcURL string) bool {
	u, err := url.Parse(rpcURL)
	if err != nil || u.Hostname() == "" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// Status returns the node's chain id and latest height.
func (c *Client) Status(ctx context.Context) (chainID string, height int64, err error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", 0, err
	}
	return st.NodeInfo.Network, st.SyncInfo.LatestBlockHeight, nil
}

// Accounts reads each account's number and next sequence from the chain's
// latest state (x/auth over abci_query). An account the chain does not know
// is an error: fund it in genesis first.
func (c *Client) Accounts(ctx context.Context, accs []Account) ([]Funded, error) {
	out := make([]Funded, len(accs))
	for i, a := range accs {
		var resp authtypes.QueryAccountResponse
		if err := c.Query(ctx, "/cosmos.auth.v1beta1.Query/Account", &authtypes.QueryAccountRequest{Address: a.Bech32}, &resp); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Bech32, err)
		}
		var base authtypes.BaseAccount
		if resp.Account == nil || resp.Account.TypeUrl != "/cosmos.auth.v1beta1.BaseAccount" {
			return nil, fmt.Errorf("account %s is not a base account", a.Bech32)
		}
		if err := c.cdc.Unmarshal(resp.Account.Value, &base); err != nil {
			return nil, fmt.Errorf("decode account %s: %w", a.Bech32, err)
		}
		out[i] = Funded{Account: a, Number: base.AccountNumber, Sequence: base.Sequence}
	}
	return out, nil
}

// Query runs a gRPC query method (e.g. "/cosmos.auth.v1beta1.Query/Account")
// over abci_query against the latest state and decodes the answer into resp.
func (c *Client) Query(ctx context.Context, method string, req, resp proto.Message) error {
	bz, err := c.cdc.Marshal(req)
	if err != nil {
		return err
	}
	res, err := c.rpc.ABCIQuery(ctx, method, bz)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if res.Response.Code != 0 {
		return fmt.Errorf("%s: code %d: %s", method, res.Response.Code, res.Response.Log)
	}
	return c.cdc.Unmarshal(res.Response.Value, resp)
}
