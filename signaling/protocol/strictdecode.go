package protocol

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The general decoder, for every message the fast path (fastdecode.go)
// leaves. encoding/json would match keys case-insensitively ("tYpE" fills
// Type) and let the last of two equal keys win, so a message could mean one
// thing here and another to any reader that is exact; it would also hand a
// number such as 1e999999 to exact big-number arithmetic. So an object is
// walked key by key: keys match exactly, a key given twice is refused, and
// stream ids are read by parseStreamID, in time bounded by their length.
// The message is read once, errors included.

// decodeStrict decodes one client message. On error the message carries
// the type when one was read, so the error can name its request.
func decodeStrict(data []byte) (ClientMessage, *ProtocolError) {
	var m ClientMessage
	var streamID json.RawMessage
	perr := walkObject(data, true, func(key string, raw json.RawMessage) *ProtocolError {
		switch key {
		case "type":
			return stringField(key, raw, &m.Type)
		case "to":
			return stringField(key, raw, &m.To)
		case "address":
			return stringField(key, raw, &m.Address)
		case "message":
			return stringField(key, raw, &m.Message)
		case "token":
			return stringField(key, raw, &m.Token)
		case "text":
			return stringField(key, raw, &m.Text)
		case "id":
			return stringField(key, raw, &m.ID)
		case "quality":
			return stringField(key, raw, &m.Quality)
		case "sdp":
			m.SDP = append(json.RawMessage(nil), raw...)
		case "candidate":
			m.Candidate = append(json.RawMessage(nil), raw...)
		case "stream_id":
			streamID = raw // read once the type is known, for the error's sake
		case "direct_capacity":
			return directCapacityField(raw, &m.DirectCapacity)
		case "signature":
			if isNull(raw) {
				return nil
			}
			if jsonKind(raw) != "object" {
				return Errorf(CodeBadMessage, "field signature has the wrong type (%s)", jsonKind(raw))
			}
			sig, perr := decodeSignature(raw)
			if perr != nil {
				return perr
			}
			m.Signature = sig
		}
		return nil
	})
	if perr == nil && streamID != nil {
		id, err := parseStreamID(streamID)
		if err != nil {
			perr = Errorf(CodeBadMessage, "%v", err)
		}
		m.StreamID = id
	}
	if perr != nil {
		typ := m.Type
		if len(typ) > maxTypeLen {
			typ = ""
		}
		return ClientMessage{Type: typ}, perr
	}
	return m, nil
}

func decodeSignature(data []byte) (*StdSignature, *ProtocolError) {
	var sig StdSignature
	perr := walkObject(data, false, func(key string, raw json.RawMessage) *ProtocolError {
		switch key {
		case "signature":
			return stringField("signature.signature", raw, &sig.Signature)
		case "pub_key":
			if isNull(raw) {
				return nil
			}
			if jsonKind(raw) != "object" {
				return Errorf(CodeBadMessage, "field signature.pub_key has the wrong type (%s)", jsonKind(raw))
			}
			return walkObject(raw, false, func(key string, raw json.RawMessage) *ProtocolError {
				switch key {
				case "type":
					return stringField("signature.pub_key.type", raw, &sig.PubKey.Type)
				case "value":
					return stringField("signature.pub_key.value", raw, &sig.PubKey.Value)
				}
				return nil
			})
		}
		return nil
	})
	if perr != nil {
		return nil, perr
	}
	return &sig, nil
}

// walkObject calls field for each member of the JSON object data, in
// order, with its exact key and raw value, and refuses a key given twice.
// top says data is a whole message: nothing may follow the object.
func walkObject(data []byte, top bool, field func(key string, raw json.RawMessage) *ProtocolError) *ProtocolError {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return Errorf(CodeBadMessage, "not valid JSON")
	}
	if tok != json.Delim('{') {
		if d, ok := tok.(json.Delim); ok && d != '[' {
			return Errorf(CodeBadMessage, "not valid JSON")
		}
		return Errorf(CodeBadMessage, "a message must be a JSON object, not %s", jsonKind(data))
	}
	seen := make(map[string]struct{}, 4)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Errorf(CodeBadMessage, "not valid JSON")
		}
		key, _ := tok.(string) // an object's member always starts with its key
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Errorf(CodeBadMessage, "not valid JSON")
		}
		if _, dup := seen[key]; dup {
			return Errorf(CodeBadMessage, "key %.32q given twice", key)
		}
		seen[key] = struct{}{}
		if perr := field(key, raw); perr != nil {
			return perr
		}
	}
	if _, err := dec.Token(); err != nil {
		return Errorf(CodeBadMessage, "not valid JSON")
	}
	if top {
		rest := data[dec.InputOffset():]
		if i := skipSpace(rest, 0); i < len(rest) {
			if json.Valid(rest) {
				return Errorf(CodeBadMessage, "one JSON object per message")
			}
			return Errorf(CodeBadMessage, "not valid JSON")
		}
	}
	return nil
}

// stringField reads a JSON string (null leaves dst empty).
func stringField(key string, raw json.RawMessage, dst *string) *ProtocolError {
	if isNull(raw) {
		return nil
	}
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return Errorf(CodeBadMessage, "field %s has the wrong type (%s)", key, jsonKind(raw))
	}
	return nil
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// jsonKind names the kind of the JSON value raw, as encoding/json's errors
// do.
func jsonKind(raw []byte) string {
	i := skipSpace(raw, 0)
	if i >= len(raw) {
		return "nothing"
	}
	switch raw[i] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// maxStreamIDNumberLen bounds a stream id written as a JSON number in
// another spelling than plain digits (4.2e1): longer is refused unread.
const maxStreamIDNumberLen = 64

// maxExponent caps the exponent parseStreamID accumulates: beyond it a
// non-zero value cannot be a 64-bit integer either way.
const maxExponent = 1000

// parseStreamID reads a stream id: a decimal string ("42"), or a JSON
// number with an integer value (42, 42.0, 4.2e1), exactly — 1.5 and 2^64
// are refused, not rounded. The work is linear in the id's length, which
// is bounded: no big-number arithmetic, whatever the exponent says.
func parseStreamID(b []byte) (StreamID, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		v, err := strconv.ParseUint(string(b[1:len(b)-1]), 10, 64)
		if err != nil {
			return 0, errStreamIDSyntax
		}
		return StreamID(v), nil
	}
	if len(b) > maxStreamIDNumberLen || len(b) == 0 {
		return 0, errStreamIDSyntax
	}
	var digits []byte
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		digits = append(digits, b[i])
		i++
	}
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) {
		return 0, errStreamIDSyntax // a sign, a leading zero, not a number
	}
	exp := 0
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			digits = append(digits, b[i])
			exp--
			i++
		}
		if i == start {
			return 0, errStreamIDSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		neg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			neg = b[i] == '-'
			i++
		}
		start, e := i, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if e < maxExponent {
				e = e*10 + int(b[i]-'0')
			}
			i++
		}
		if i == start {
			return 0, errStreamIDSyntax
		}
		if neg {
			e = -e
		}
		exp += e
	}
	if i != len(b) {
		return 0, errStreamIDSyntax
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, nil // zero in any spelling; validate asks for an id
	}
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	if exp < 0 || len(digits)+exp > 20 {
		return 0, errStreamIDSyntax // a fraction, or more than 64 bits
	}
	for ; exp > 0; exp-- {
		digits = append(digits, '0')
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return 0, errStreamIDSyntax
	}
	return StreamID(v), nil
}

// directCapacityField reads direct_capacity: an integer from 0 to
// MaxDirectCapacity, or null for none (which the direct_capacity message
// refuses as missing).
func directCapacityField(raw json.RawMessage, dst **int) *ProtocolError {
	if isNull(raw) {
		return nil
	}
	var n int
	if jsonKind(raw) != "number" || json.Unmarshal(raw, &n) != nil || n < 0 || n > MaxDirectCapacity {
		return Errorf(CodeBadMessage, "direct_capacity must be an integer from 0 to %d", MaxDirectCapacity)
	}
	*dst = &n
	return nil
}
