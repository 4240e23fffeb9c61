package protocol

import "strconv"

// The decoding fast path. Offers, answers and candidates are most of what
// the daemon reads, and they come in one shape: {"type":..., "to":..., and
// the payload}; broadcast, watch and leave in another: {"type":...,
// "stream_id":...}. decodeFast reads those shapes in one pass that also
// validates the payload as JSON, instead of encoding/json's three (validate
// the whole message, decode it, scan the payload again to keep it raw).
// Anything else — another type, another key, an escape or non-ASCII byte in
// a string, a stream id spelt other than in plain digits, a deeply nested
// payload — is left to the general decoder, so the two can only differ in
// speed (FuzzDecodeFast compares them).

// decodeFast decodes data if it is a message of a simple shape; ok is
// false when it is not (and says nothing about validity).
func decodeFast(data []byte) (m ClientMessage, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return m, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return m, false
	}
	var seen uint8 // the keys read so far: a repeated key is the general decoder's to refuse
	for {
		key, j, ok := plainString(data, i)
		if !ok {
			return m, false
		}
		bit := fastKeyBit(key)
		if bit == 0 || seen&bit != 0 {
			return m, false
		}
		seen |= bit
		j = skipSpace(data, j)
		if j >= len(data) || data[j] != ':' {
			return m, false
		}
		j = skipSpace(data, j+1)
		switch key {
		case "type", "to":
			s, end, ok := plainString(data, j)
			if !ok {
				return m, false
			}
			if key == "type" {
				m.Type = s
			} else {
				m.To = s
			}
			j = end
		case "sdp", "candidate":
			end, ok := skipValue(data, j, 0)
			if !ok {
				return m, false
			}
			raw := append([]byte(nil), data[j:end]...)
			if key == "sdp" {
				m.SDP = raw
			} else {
				m.Candidate = raw
			}
			j = end
		case "stream_id":
			id, end, ok := plainStreamID(data, j)
			if !ok {
				return m, false
			}
			m.StreamID, j = id, end
		default:
			return m, false
		}
		j = skipSpace(data, j)
		if j >= len(data) {
			return m, false
		}
		if data[j] == '}' {
			i = j + 1
			break
		}
		if data[j] != ',' {
			return m, false
		}
		i = skipSpace(data, j+1)
	}
	if skipSpace(data, i) != len(data) {
		return m, false
	}
	switch m.Type {
	case TypeOffer, TypeAnswer, TypeCandidate, TypeBroadcast, TypeWatch, TypeLeave:
		return m, true
	}
	return ClientMessage{}, false
}

// fastKeyBit is key's bit in decodeFast's record of keys read, 0 for a key
// it does not take.
func fastKeyBit(key string) uint8 {
	switch key {
	case "type":
		return 1
	case "to":
		return 2
	case "sdp":
		return 4
	case "candidate":
		return 8
	case "stream_id":
		return 16
	}
	return 0
}

// plainStreamID reads a stream id written as decimal digits, quoted or not,
// that StreamID.UnmarshalJSON would take as those digits: a quoted one is
// parsed as it parses it, a bare one must be a JSON integer (no leading
// zero). Anything else (an exponent, a fraction, a sign) is left to it.
func plainStreamID(data []byte, i int) (id StreamID, end int, ok bool) {
	quoted := i < len(data) && data[i] == '"'
	start := i
	if quoted {
		start++
	}
	j := start
	for j < len(data) && data[j] >= '0' && data[j] <= '9' {
		j++
	}
	if j == start || j-start > 20 {
		return 0, 0, false
	}
	digits := data[start:j]
	if quoted {
		if j >= len(data) || data[j] != '"' {
			return 0, 0, false
		}
		j++
	} else if digits[0] == '0' && len(digits) > 1 {
		return 0, 0, false
	}
	if j < len(data) && (data[j] == '.' || data[j] == 'e' || data[j] == 'E') {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return StreamID(v), j, true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// plainString reads a JSON string of printable ASCII without escapes at
// data[i], whose Go value is its bytes.
func plainString(data []byte, i int) (s string, end int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return string(data[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", 0, false
		}
	}
	return "", 0, false
}

// maxFastDepth bounds the nesting skipValue follows; deeper payloads go to
// the general decoder.
const maxFastDepth = 32

// skipValue returns the end of the JSON value at data[i], validating it as
// encoding/json does (any byte from 0x20 up inside strings, as there).
func skipValue(data []byte, i, depth int) (end int, ok bool) {
	if i >= len(data) {
		return 0, false
	}
	switch c := data[i]; {
	case c == '{' || c == '[':
		if depth >= maxFastDepth {
			return 0, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i, ok = skipString(data, i); !ok {
					return 0, false
				}
				i = skipSpace(data, i)
				if i >= len(data) || data[i] != ':' {
					return 0, false
				}
				i = skipSpace(data, i+1)
			}
			if i, ok = skipValue(data, i, depth+1); !ok {
				return 0, false
			}
			i = skipSpace(data, i)
			if i >= len(data) {
				return 0, false
			}
			if data[i] == closing {
				return i + 1, true
			}
			if data[i] != ',' {
				return 0, false
			}
			i = skipSpace(data, i+1)
		}
	case c == '"':
		return skipString(data, i)
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(data, i)
	case c == 't':
		return skipLiteral(data, i, "true")
	case c == 'f':
		return skipLiteral(data, i, "false")
	case c == 'n':
		return skipLiteral(data, i, "null")
	}
	return 0, false
}

func skipLiteral(data []byte, i int, lit string) (int, bool) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

func skipString(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			j++
			if j >= len(data) {
				return 0, false
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(data)-j < 5 {
					return 0, false
				}
				for _, h := range data[j+1 : j+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				j += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func skipNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = skipDigits(data, i)
	default:
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		j := skipDigits(data, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := skipDigits(data, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func skipDigits(data []byte, i int) int {
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i
}
