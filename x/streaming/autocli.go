package streaming

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// AutoCLIOptions describes `streamd tx streaming ...` and
// `streamd q streaming ...`; autocli builds the commands from the protos.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			// GetQueryCmd supplies `state`; autocli adds the rest to it.
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show the module params (text limits, stream duration and lead time, subscription bounds)",
					Example:   "streamd q streaming params",
				},
				{
					RpcMethod:      "Profile",
					Use:            "profile [address]",
					Short:          "Show an account's profile",
					Example:        "streamd q streaming profile stream1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod:      "Stream",
					Use:            "stream [stream-id]",
					Short:          "Show a stream and its status (upcoming, live, ended)",
					Example:        "streamd q streaming stream 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod: "Streams",
					Use:       "streams",
					Short:     "List streams in start-time order, optionally of one broadcaster or status",
					Long: "List streams. Without --broadcaster they come in start-time order; with it, in the order " +
						"they were scheduled. --status takes upcoming, live or ended.",
					Example: "streamd q streaming streams --status upcoming\n" +
						"streamd q streaming streams --broadcaster stream1... --page-limit 10",
				},
				{
					RpcMethod:      "Subscribers",
					Use:            "subscribers [broadcaster]",
					Short:          "List the subscriptions to a broadcaster",
					Example:        "streamd q streaming subscribers stream1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}},
				},
				{
					RpcMethod:      "Subscriptions",
					Use:            "subscriptions [subscriber]",
					Short:          "List the broadcasters an account follows",
					Example:        "streamd q streaming subscriptions stream1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subscriber"}},
				},
				{
					RpcMethod:      "Subscription",
					Use:            "subscription [subscriber] [broadcaster]",
					Short:          "Tell whether subscriber follows broadcaster, since when and until when",
					Example:        "streamd q streaming subscription stream1viewer... stream1broadcaster...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subscriber"}, {ProtoField: "broadcaster"}},
				},
				{
					RpcMethod:      "SubscriptionTerms",
					Use:            "subscription-terms [broadcaster]",
					Short:          "Show what a broadcaster charges for a subscription (price per period; free when zero)",
					Example:        "streamd q streaming subscription-terms stream1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}},
				},
				{
					RpcMethod:      "Blocks",
					Use:            "blocks [broadcaster]",
					Short:          "List the accounts a broadcaster has blocked",
					Example:        "streamd q streaming blocks stream1... --page-limit 20",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}},
				},
				{
					RpcMethod:      "Block",
					Use:            "block [broadcaster] [account]",
					Short:          "Tell whether broadcaster has blocked account, and why",
					Example:        "streamd q streaming block stream1broadcaster... stream1viewer...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}, {ProtoField: "account"}},
				},
				{
					// Two PageRequest fields would get the same --page-* flags:
					// `state` is the hand-written command in client/cli.
					RpcMethod: "State",
					Skip:      true,
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "EditProfile",
					Use:       "edit-profile [name]",
					Short:     "Create your profile, or replace all of its fields (a field left out is cleared)",
					Example: `streamd tx streaming edit-profile Alice --surname Smith --img-link https://example.com/alice.png ` +
						`--time-zone Europe/Berlin --from alice --fees 5000ustream`,
					// autocli allows only the last positional argument to be
					// optional, so the optional fields are flags.
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "name"}},
				},
				{
					RpcMethod: "NewStream",
					Use:       "new-stream [title] [start-time] [end-time]",
					Short:     "Schedule a stream (times in RFC 3339, e.g. 2026-12-01T18:00:00Z)",
					Example: `streamd tx streaming new-stream "Live coding" 2026-12-01T18:00:00Z 2026-12-01T19:00:00Z ` +
						`--description "Building a chain" --img-link https://example.com/cover.png --from alice --fees 5000ustream`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "title"}, {ProtoField: "start_time"}, {ProtoField: "end_time"}},
				},
				{
					RpcMethod: "EditStream",
					Use:       "edit-stream [stream-id]",
					Short:     "Change the fields of a stream named in --update-mask",
					Long: "Change some fields of a stream. Only the fields named in --update-mask change " +
						"(title, description, img_link, start_time, end_time); a field named there with no value " +
						"is cleared, which is how a description is removed.",
					Example: "streamd tx streaming edit-stream 1 --title \"New title\" --update-mask title --from alice --fees 5000ustream\n" +
						"streamd tx streaming edit-stream 1 --update-mask description --from alice --fees 5000ustream   # clears the description",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod:      "DeleteStream",
					Use:            "delete-stream [stream-id]",
					Short:          "Delete one of your streams",
					Example:        "streamd tx streaming delete-stream 1 --from alice --fees 5000ustream",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod: "Subscribe",
					Use:       "subscribe [broadcaster]",
					Short:     "Follow a broadcaster, paying its price if it charges one; again to renew",
					Long: "Follow a broadcaster. A broadcaster that charges (see `streamd q streaming subscription-terms`) " +
						"is paid its price from your account in the same transaction, and the subscription expires one " +
						"period later; --max-price is the most you agree to pay, and the transaction fails rather than " +
						"charge more if the price has been raised. Subscribing again renews it from the later of now and " +
						"its expiry. A free broadcaster needs no --max-price and its subscriptions never expire.",
					Example: "streamd tx streaming subscribe stream1... --from bob --fees 5000ustream\n" +
						"streamd tx streaming subscribe stream1... --max-price 1000000ustream --from bob --fees 5000ustream",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}},
				},
				{
					RpcMethod: "Unsubscribe",
					Use:       "unsubscribe [broadcaster]",
					Short:     "Stop following a broadcaster; a paid subscription ends at once, with no refund",
					Long: "Stop following a broadcaster. Access ends at once, with no refund of what was paid for " +
						"the rest of the period.",
					Example:        "streamd tx streaming unsubscribe stream1... --from bob --fees 5000ustream",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}},
				},
				{
					RpcMethod: "SetSubscriptionTerms",
					Use:       "set-subscription-terms [price] [period]",
					Short:     "Charge a price (ustream) per period for subscriptions to you; 0ustream makes them free",
					Long: "Set what a subscription to you costs: price (e.g. 1000000ustream) for each period (e.g. 720h), " +
						"within the module params (min/max subscription period, max subscription price). New terms apply " +
						"to new subscriptions and renewals; existing subscriptions keep the expiry they paid for. " +
						"A price of 0ustream makes subscriptions free and non-expiring again (the period is then ignored).",
					Example: "streamd tx streaming set-subscription-terms 1000000ustream 720h --from alice --fees 5000ustream\n" +
						"streamd tx streaming set-subscription-terms 0ustream 0s --from alice --fees 5000ustream   # free again",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "price"}, {ProtoField: "period"}},
				},
				{
					RpcMethod: "Tip",
					Use:       "tip [broadcaster] [amount]",
					Short:     "Send a tip (ustream) to a broadcaster, optionally for one of its streams, with a memo",
					Example: `streamd tx streaming tip stream1... 50000ustream --stream-id 3 --memo "great show" ` +
						`--from bob --fees 5000ustream`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "broadcaster"}, {ProtoField: "amount"}},
				},
				{
					RpcMethod: "Block",
					Use:       "block [account]",
					Short:     "Block an account: it can no longer subscribe to or tip you, and its subscription ends at once",
					Long: "Block an account. Its subscription to you ends at once (a paid one is not refunded), and it " +
						"can no longer subscribe to or tip you until you unblock it. --reason is kept with the block.",
					Example:        `streamd tx streaming block stream1... --reason "spam in chat" --from alice --fees 5000ustream`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "account"}},
				},
				{
					RpcMethod:      "Unblock",
					Use:            "unblock [account]",
					Short:          "Lift a block: the account may subscribe to and tip you again",
					Example:        "streamd tx streaming unblock stream1... --from alice --fees 5000ustream",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "account"}},
				},
				{
					// Only the gov module account may send it: the command
					// wraps it in a governance proposal.
					RpcMethod:      "UpdateParams",
					Use:            "update-params-proposal [params]",
					Short:          "Propose new module params (JSON) to governance",
					Example:        `streamd tx streaming update-params-proposal '{"max_name_length":64,"max_surname_length":64,"max_title_length":140,"max_description_length":2000,"max_link_length":512,"max_time_zone_length":64,"max_stream_duration":"86400s","max_schedule_ahead":"31536000s","min_stream_duration":"60s","ended_stream_retention":"2592000s","max_prunes_per_block":100,"max_open_streams_per_broadcaster":100,"min_subscription_period":"3600s","max_subscription_period":"31622400s","max_subscription_price":"1000000000000","max_expirations_per_block":100,"max_memo_length":140,"max_block_reason_length":140}' --deposit 10000000ustream --title "Streaming params" --summary "..." --from alice --fees 5000ustream`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "params"}},
					GovProposal:    true,
				},
			},
		},
	}
}
