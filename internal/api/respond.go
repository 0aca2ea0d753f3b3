package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/page"
)

// errInvalidToken marks an authentication failure where a token was sent
// but refused, which RFC 6750 §3.1 answers with error="invalid_token".
var errInvalidToken = errors.New("invalid bearer token")

// errorBody is the shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// fail renders err as the JSON error body, with the status errs.HTTPStatus
// gives it. The code is the same in every language; the message and the
// field messages are in the language the request's Accept-Language asks
// for where the catalogue has them (the services write them in English),
// and Content-Language names that language.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.HTTPStatus(err)
	p := s.printer(r)
	format, args := errs.TextOf(err)
	d := errorDetail{Code: string(errs.CodeOf(err)), Message: p.KnownFormat(format, args...)}
	if fields := errs.FieldsOf(err); len(fields) > 0 {
		d.Fields = make(map[string]string, len(fields))
		for k, v := range fields {
			d.Fields[k] = p.Known(v)
		}
	}
	if status >= 500 {
		// The cause goes to the log only; errs.MessageOf already gave the
		// client a generic message.
		s.app.Log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="detente"`
		if errors.Is(err, errInvalidToken) {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Language", p.Language().HTMLLang())
	w.Header().Add("Vary", "Accept-Language")
	_ = writeJSON(w, status, errorBody{Error: d})
}

// printer writes in the language the request's Accept-Language asks for,
// else English. Printer.Known translates a service's English text where
// the catalogue has it as a message of its own, and leaves the rest as it
// is.
func (s *server) printer(r *http.Request) *i18n.Printer {
	return s.app.Text.Printer(i18n.Negotiate("", "", r.Header.Get("Accept-Language")))
}

// writeJSON sends v with status. HTML escaping is off: the responses are
// served as application/json with nosniff, and "<version>" reads better
// than "\u003cversion\u003e".
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errs.Internalf(err, "encode response")
	}
	sendJSONBytes(w, status, b.Bytes())
	return nil
}

// list is the envelope of every collection response.
type list[T any] struct {
	Items []T `json:"items"`
	Count int `json:"count"`
	// Next is the address of the next page of a paged list, with the same
	// filters; it is left out on the last page.
	Next string `json:"next,omitempty"`
}

// listOf converts service values into response items; an empty result is
// [] rather than null so clients can iterate without a check.
func listOf[S, T any](in []S, conv func(S) T) list[T] {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = conv(v)
	}
	return list[T]{Items: out, Count: len(out)}
}

// pageOf is listOf for one page of a paged list, linking the next page
// of the request's own query.
func pageOf[S, T any](r *http.Request, p page.Page[S], conv func(S) T) list[T] {
	l := listOf(p.Items, conv)
	if p.Next != "" {
		l.Next = page.NextURL(r.URL, p.Next)
	}
	return l
}

// renameFields returns err with its field names translated from the
// service's vocabulary to the API's, where the two differ.
func renameFields(err error, names map[string]string) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return &errs.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e}
}
