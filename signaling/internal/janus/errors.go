package janus

import (
	"errors"
	"fmt"
)

// Three kinds of failure, told apart with errors.Is, because a caller acts
// differently on each: an unreachable Janus is a reason to try another
// instance (sfu_unavailable), a rejected request is the caller's mistake or
// a state conflict, a malformed answer is a Janus we do not understand.
var (
	// ErrUnreachable: Janus could not be reached, the connection was lost,
	// or it did not answer in time. The request may or may not have run.
	ErrUnreachable = errors.New("janus: unreachable")
	// ErrRejected: Janus (core or plugin) answered with an error; the
	// *Error in the chain carries its code.
	ErrRejected = errors.New("janus: request rejected")
	// ErrMalformed: Janus's answer could not be understood.
	ErrMalformed = errors.New("janus: malformed answer")
	// ErrClosed: the Client, Session or Handle was closed on our side.
	ErrClosed = errors.New("janus: closed")
)

// Finer classes of rejection, matched by errors.Is on an *Error.
var (
	ErrUnauthorized   = errors.New("janus: unauthorized")         // bad api/admin secret, room secret
	ErrSessionGone    = errors.New("janus: no such session")      // timed out or destroyed
	ErrHandleGone     = errors.New("janus: no such handle")       // detached or its session gone
	ErrNoSuchRoom     = errors.New("janus: no such room")         // VideoRoom 426
	ErrRoomExists     = errors.New("janus: room exists")          // VideoRoom 427
	ErrNoSuchFeed     = errors.New("janus: no such feed")         // VideoRoom 428
	ErrInvalidRequest = errors.New("janus: invalid request")      // missing/invalid element, bad JSON
	ErrInvalidSDP     = errors.New("janus: invalid SDP")          // VideoRoom 437, core 465
	ErrState          = errors.New("janus: wrong state for this") // already published, not joined...
)

// Error is an error answer from Janus. Core errors come in a "janus":"error"
// frame; plugin errors in the plugin's data ("error_code", "error").
type Error struct {
	Plugin bool // a VideoRoom error rather than a core one
	Code   int
	Reason string
}

func (e *Error) Error() string {
	src := "janus"
	if e.Plugin {
		src = "janus videoroom"
	}
	return fmt.Sprintf("%s: error %d: %s", src, e.Code, e.Reason)
}

// Janus core error codes (janus/apierror.h).
const (
	codeUnauthorized         = 403
	codeUnauthorizedPlugin   = 405
	codeMissingRequest       = 452
	codeUnknownRequest       = 453
	codeInvalidJSON          = 454
	codeInvalidJSONObject    = 455
	codeMissingMandatory     = 456
	codeInvalidRequestPath   = 457
	codeSessionNotFound      = 458
	codeHandleNotFound       = 459
	codePluginNotFound       = 460
	codeJSEPUnknownType      = 464
	codeJSEPInvalidSDP       = 465
	codeTrickleInvalidStream = 466
	codeInvalidElementType   = 467
	codeUnexpectedAnswer     = 469
	codeWebRTCState          = 471
	codeNotAcceptingSessions = 472
)

// VideoRoom plugin error codes (plugins/janus_videoroom.c).
const (
	vrNoMessage        = 421
	vrInvalidJSON      = 422
	vrInvalidRequest   = 423
	vrJoinFirst        = 424
	vrAlreadyJoined    = 425
	vrNoSuchRoom       = 426
	vrRoomExists       = 427
	vrNoSuchFeed       = 428
	vrMissingElement   = 429
	vrInvalidElement   = 430
	vrInvalidSDPType   = 431
	vrPublishersFull   = 432
	vrUnauthorized     = 433
	vrAlreadyPublished = 434
	vrNotPublished     = 435
	vrIDExists         = 436
	vrInvalidSDP       = 437
)

// Is maps Janus's codes onto the classes above; every *Error is also
// ErrRejected.
func (e *Error) Is(target error) bool {
	if target == ErrRejected {
		return true
	}
	var class error
	if e.Plugin {
		switch e.Code {
		case vrUnauthorized:
			class = ErrUnauthorized
		case vrNoSuchRoom:
			class = ErrNoSuchRoom
		case vrRoomExists, vrIDExists:
			class = ErrRoomExists
		case vrNoSuchFeed:
			class = ErrNoSuchFeed
		case vrNoMessage, vrInvalidJSON, vrInvalidRequest, vrMissingElement, vrInvalidElement:
			class = ErrInvalidRequest
		case vrInvalidSDPType, vrInvalidSDP:
			class = ErrInvalidSDP
		case vrJoinFirst, vrAlreadyJoined, vrPublishersFull, vrAlreadyPublished, vrNotPublished:
			class = ErrState
		}
	} else {
		switch e.Code {
		case codeUnauthorized, codeUnauthorizedPlugin:
			class = ErrUnauthorized
		case codeSessionNotFound:
			class = ErrSessionGone
		case codeHandleNotFound:
			class = ErrHandleGone
		case codeMissingRequest, codeUnknownRequest, codeInvalidJSON, codeInvalidJSONObject,
			codeMissingMandatory, codeInvalidRequestPath, codePluginNotFound, codeInvalidElementType,
			codeJSEPUnknownType, codeTrickleInvalidStream:
			class = ErrInvalidRequest
		case codeJSEPInvalidSDP:
			class = ErrInvalidSDP
		case codeUnexpectedAnswer, codeWebRTCState, codeNotAcceptingSessions:
			class = ErrState
		}
	}
	return class != nil && class == target
}

// unreachable wraps a transport failure as ErrUnreachable.
func unreachable(op string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrUnreachable, op, err)
}

// malformed wraps a parse failure as ErrMalformed.
func malformed(op string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrMalformed, op, err)
}
