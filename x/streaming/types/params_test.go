package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())

	cases := map[string]func(*types.Params){
		"zero name length":           func(p *types.Params) { p.MaxNameLength = 0 },
		"zero surname length":        func(p *types.Params) { p.MaxSurnameLength = 0 },
		"zero title length":          func(p *types.Params) { p.MaxTitleLength = 0 },
		"huge description length":    func(p *types.Params) { p.MaxDescriptionLength = 1 << 30 },
		"zero link length":           func(p *types.Params) { p.MaxLinkLength = 0 },
		"zero time zone length":      func(p *types.Params) { p.MaxTimeZoneLength = 0 },
		"zero duration":              func(p *types.Params) { p.MaxStreamDuration = 0 },
		"negative duration":          func(p *types.Params) { p.MaxStreamDuration = -time.Hour },
		"duration above the ceiling": func(p *types.Params) { p.MaxStreamDuration = types.MaxStreamDurationCeiling + 1 },
		"zero minimum duration":      func(p *types.Params) { p.MinStreamDuration = 0 },
		"negative minimum duration":  func(p *types.Params) { p.MinStreamDuration = -time.Second },
		"minimum above the maximum":  func(p *types.Params) { p.MinStreamDuration = p.MaxStreamDuration + 1 },
		"zero lead time":             func(p *types.Params) { p.MaxScheduleAhead = 0 },
		"lead time of a century":     func(p *types.Params) { p.MaxScheduleAhead = 100 * 365 * 24 * time.Hour },
		"no retention":               func(p *types.Params) { p.EndedStreamRetention = 0 },
		"retention below the floor":  func(p *types.Params) { p.EndedStreamRetention = types.MinEndedStreamRetention - 1 },
		"retention of a century":     func(p *types.Params) { p.EndedStreamRetention = 100 * 365 * 24 * time.Hour },
		"no prunes per block":        func(p *types.Params) { p.MaxPrunesPerBlock = 0 },
		"a million prunes per block": func(p *types.Params) { p.MaxPrunesPerBlock = 1_000_000 },
		"no open streams":            func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 0 },
		"a million open streams":     func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 1_000_000 },
		"subscription period below the floor": func(p *types.Params) {
			p.MinSubscriptionPeriod = types.MinSubscriptionPeriodFloor - 1
		},
		"minimum period above the maximum": func(p *types.Params) { p.MinSubscriptionPeriod = p.MaxSubscriptionPeriod + 1 },
		"maximum period above the ceiling": func(p *types.Params) {
			p.MaxSubscriptionPeriod = types.MaxSubscriptionPeriodCeiling + 1
		},
		"no subscription price allowed":   func(p *types.Params) { p.MaxSubscriptionPrice = 0 },
		"no expirations per block":        func(p *types.Params) { p.MaxExpirationsPerBlock = 0 },
		"a million expirations per block": func(p *types.Params) { p.MaxExpirationsPerBlock = 1_000_000 },
		"zero memo length":                func(p *types.Params) { p.MaxMemoLength = 0 },
		"huge block reason length":        func(p *types.Params) { p.MaxBlockReasonLength = 1 << 30 },
	}
	equal := types.DefaultParams()
	equal.MinStreamDuration = equal.MaxStreamDuration
	require.NoError(t, equal.Validate(), "the minimum may equal the maximum")
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
}

func TestValidateText(t *testing.T) {
	require.NoError(t, types.ValidateText("f", "Grüße, 世界 🎥", 64))
	require.NoError(t, types.ValidateText("f", "", 1))
	require.ErrorIs(t, types.ValidateText("f", "abc", 2), types.ErrTextTooLong)
	for _, bad := range []string{"a\tb", "a\rb", "\x7f", "\u0085", "a\u2028b", "a\u2029b", "\xc3\x28"} {
		require.ErrorIs(t, types.ValidateText("f", bad, 64), types.ErrInvalidText, "%q", bad)
	}
	require.ErrorIs(t, types.ValidateRequiredText("f", " ", 64), types.ErrEmptyField)

	require.NoError(t, types.ValidateLink("l", "", 64))
	require.NoError(t, types.ValidateLink("l", "https://example.com/x.png", 64))
	require.NoError(t, types.ValidateLink("l", "ipfs://bafybeigdyrzt5/cover.png", 64))
	for _, bad := range []string{"http://example.com", "HTTPS//x", "https://", "ipfs://", "https://a b", "data:image/png;base64,AA", "javascript:alert(1)", "//example.com"} {
		require.ErrorIs(t, types.ValidateLink("l", bad, 64), types.ErrInvalidLink, "%q", bad)
	}
}

// gov calls ValidateBasic on a proposal's messages at submission.
func TestMsgUpdateParamsValidateBasic(t *testing.T) {
	msg := types.MsgUpdateParams{Authority: "anything", Params: types.DefaultParams()}
	require.NoError(t, msg.ValidateBasic())
	msg.Params.MaxNameLength = 0
	require.ErrorIs(t, msg.ValidateBasic(), types.ErrInvalidParams)
}
