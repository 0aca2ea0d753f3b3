// Package errs holds the one error type the services return. Edges (web,
// API, CLI) map its Code to their own vocabulary in exactly one place each.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error by what the caller can do about it.
type Code string

const (
	Invalid         Code = "invalid"         // the input is wrong; Fields says where
	NotFound        Code = "not_found"       // no such object, or not visible to the caller
	Forbidden       Code = "forbidden"       // the caller is known but may not do this
	Unauthenticated Code = "unauthenticated" // the caller must sign in first
	Conflict        Code = "conflict"        // the object changed or already exists
	TooMany         Code = "too_many"        // throttled; try later
	Internal        Code = "internal"        // our fault; the message is generic

	// Problems with the request itself rather than its content, found by
	// an edge before any service is called.
	Malformed            Code = "bad_request"            // unreadable body, bad header
	TooLarge             Code = "too_large"              // body over the limit
	UnsupportedMedia     Code = "unsupported_media_type" // not the content type we read
	PreconditionRequired Code = "precondition_required"  // an update must name the version it edits
	MethodNotAllowed     Code = "method_not_allowed"     // the path exists, but not with this method
)

// Error is the service-level error. Message is safe to show to the user;
// Err is the cause, for logs only.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string // field name → what to fix
	Err     error
	// format and args are Message before it was formatted: the message
	// catalogue knows the format, so an edge can write the message in its
	// reader's language (TextOf).
	format string
	args   []any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and a safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// Wrap records cause behind a safe message. A nil cause yields nil.
func Wrap(cause error, code Code, msg string) error {
	if cause == nil {
		return nil
	}
	return &Error{Code: code, Message: msg, Err: cause}
}

// Internalf wraps an unexpected failure; the user sees a generic message.
func Internalf(cause error, format string, args ...any) error {
	return &Error{Code: Internal, Message: "something went wrong on our side", Err: fmt.Errorf(format+": %w", append(args, cause)...)}
}

// CodeOf returns the code of err, Internal for foreign errors and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// MessageOf returns the text that may be shown to a user for err.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal && e.Message != "" {
		return e.Message
	}
	// Internal and foreign errors may carry SQL or paths: never shown.
	return "something went wrong on our side"
}

// TextOf returns MessageOf(err) as the format and arguments it was made
// from, for an edge to translate the format and fill it in; a message made
// without a format is its own format.
func TextOf(err error) (format string, args []any) {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal && e.Message != "" {
		if e.format != "" {
			return e.format, e.args
		}
		return e.Message, nil
	}
	return MessageOf(err), nil
}

// FieldsOf returns the field-level messages of err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Fields collects field-level validation problems. The zero value is ready.
type Fields map[string]string

// Add records msg for field unless one is already recorded: the first
// problem found is usually the one to fix first.
func (f *Fields) Add(field, msg string) {
	if *f == nil {
		*f = map[string]string{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = msg
	}
}

// Err returns an Invalid error listing the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "please correct the highlighted fields", Fields: f}
}
