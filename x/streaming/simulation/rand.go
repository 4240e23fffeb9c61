package simulation

import (
	"math/rand"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// Runes user text is drawn from. Multi-byte runes are in the mix so that the
// byte-length limits, not rune counts, are what the simulation runs into.
var (
	textLetters = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	textRunes   = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-_'\"()#@éßøñçü日本語ストリーム🎥📺✨")
	// A description comes from a textarea: lines and tabs too.
	descriptionRunes = append([]rune("\n\n\t"), textRunes...)
	hostRunes        = []rune("abcdefghijklmnopqrstuvwxyz0123456789")
	pathRunes        = []rune("abcdefghijklmnopqrstuvwxyz0123456789-._~/?=&")
	timeZones        = []string{"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Tokyo", "Australia/Lord_Howe", "Etc/GMT+12", "America/New_York"}
	linkSchemes      = []string{"https://", "ipfs://"}
)

// randTextLen picks a byte length in [1, maxLen]: usually short, sometimes
// exactly the limit, so that both the common case and the boundary are hit.
func randTextLen(r *rand.Rand, maxLen uint32) int {
	switch {
	case maxLen == 0:
		return 0
	case r.Intn(10) == 0:
		return int(maxLen)
	default:
		return 1 + r.Intn(int(min(maxLen, 48)))
	}
}

// randRequiredText returns a non-blank string of at most maxLen bytes that
// the module's text rules accept. It starts with a letter, so it is never
// blank after trimming.
func randRequiredText(r *rand.Rand, maxLen uint32) string {
	return randTextOf(r, maxLen, textRunes)
}

// randTextOf is randRequiredText drawing from runes after the first letter.
func randTextOf(r *rand.Rand, maxLen uint32, runes []rune) string {
	n := randTextLen(r, maxLen)
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteRune(textLetters[r.Intn(len(textLetters))])
	for b.Len() < n {
		c := runes[r.Intn(len(runes))]
		if b.Len()+utf8.RuneLen(c) > n {
			c = textLetters[r.Intn(len(textLetters))]
		}
		b.WriteRune(c)
	}
	return b.String()
}

// randOptionalText is randRequiredText or, one time in four, empty.
func randOptionalText(r *rand.Rand, maxLen uint32) string {
	if r.Intn(4) == 0 {
		return ""
	}
	return randRequiredText(r, maxLen)
}

// randDescription is randOptionalText with newlines and tabs in the mix.
func randDescription(r *rand.Rand, maxLen uint32) string {
	if r.Intn(4) == 0 {
		return ""
	}
	return randTextOf(r, maxLen, descriptionRunes)
}

// randLink returns an https:// or ipfs:// link of at most maxLen bytes, or
// "" when the limit leaves no room for one (and one time in four anyway).
// Its host is one label that starts and ends with a letter (so it never
// reads as a number); a path with the odd percent escape fills the rest.
func randLink(r *rand.Rand, maxLen uint32) string {
	scheme := linkSchemes[r.Intn(len(linkSchemes))]
	if r.Intn(4) == 0 || int(maxLen) < len(scheme)+1 {
		return ""
	}
	room := int(maxLen) - len(scheme)
	n := 1 + r.Intn(min(room, 64))
	if r.Intn(10) == 0 {
		n = room
	}
	hostLen := min(n, 1+r.Intn(20))
	var b strings.Builder
	b.WriteString(scheme)
	for i := range hostLen {
		if i == 0 || i == hostLen-1 {
			b.WriteRune(textLetters[r.Intn(26)])
		} else {
			b.WriteRune(hostRunes[r.Intn(len(hostRunes))])
		}
	}
	if path := n - hostLen; path > 0 {
		b.WriteByte('/')
		for left := path - 1; left > 0; {
			if left >= 3 && r.Intn(16) == 0 {
				b.WriteString("%20")
				left -= 3
				continue
			}
			b.WriteRune(pathRunes[r.Intn(len(pathRunes))])
			left--
		}
	}
	return b.String()
}

// randTimeZone returns an IANA zone name that fits in maxLen bytes, or "".
func randTimeZone(r *rand.Rand, maxLen uint32) string {
	tz := timeZones[r.Intn(len(timeZones))]
	if r.Intn(5) == 0 || uint32(len(tz)) > maxLen {
		return ""
	}
	return tz
}

// randDuration returns a duration in [lo, hi]; hi < lo gives lo.
func randDuration(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int63n(int64(hi-lo)+1))
}

// Horizons the schedules mostly stay within: the simulator advances the
// block time by 5,000-10,000 s a block, so a few days is a few dozen blocks,
// and streams end, go live and get scheduled during one run.
const (
	usualLeadTime = 3 * 24 * time.Hour
	usualDuration = 4 * time.Hour
)

// randSchedule returns a start and end a new stream scheduled at block time
// now may have under params: start in [now, now+max_schedule_ahead], end
// after start by min_stream_duration to max_stream_duration. Most streams start within
// a few days and last up to a few hours; some sit on the limits.
func randSchedule(r *rand.Rand, p types.Params, now time.Time) (start, end time.Time) {
	var lead time.Duration
	switch r.Intn(20) {
	case 0:
		lead = 0
	case 1:
		lead = p.MaxScheduleAhead
	case 2:
		lead = randDuration(r, 0, p.MaxScheduleAhead)
	default:
		lead = randDuration(r, 0, min(p.MaxScheduleAhead, usualLeadTime))
	}
	// Sometimes leave whole seconds behind: timestamps carry nanoseconds.
	if r.Intn(4) == 0 && lead+time.Second <= p.MaxScheduleAhead {
		lead += time.Duration(r.Int63n(int64(time.Second)))
	}
	start = now.Add(lead).UTC()
	return start, start.Add(randStreamDuration(r, p)).UTC()
}

// randStreamDuration returns a duration in [min_stream_duration,
// max_stream_duration], sometimes exactly on one of the limits.
func randStreamDuration(r *rand.Rand, p types.Params) time.Duration {
	shortest, longest := p.MinStreamDuration, p.MaxStreamDuration
	switch r.Intn(20) {
	case 0:
		return longest
	case 1:
		return shortest
	case 2:
		return randDuration(r, shortest, longest)
	default:
		return randDuration(r, max(shortest, min(time.Minute, longest)), max(shortest, min(longest, usualDuration)))
	}
}
