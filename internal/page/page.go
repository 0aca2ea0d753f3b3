// Package page is keyset paging, the one pattern every list follows: a
// request names a limit and an opaque cursor; the cursor holds the sort key
// of the last row already shown, so the next query starts right after it
// with an indexed comparison instead of skipping rows with OFFSET. Pages
// stay cheap however deep a reader goes, and a row inserted meanwhile never
// shifts what comes next.
//
// A service that lists fetches Limit+1 rows ordered by its key, e.g.
//
//	WHERE … AND (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3
//
// (row-value comparison works on SQLite and PostgreSQL alike) and hands them
// to Cut, which keeps Limit rows and encodes the key of the last one as the
// next cursor. The cursor is not a credential: the query's own conditions
// still decide what the caller may see, so a forged cursor can only move
// the start of a page the caller could read anyway.
package page

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/detente/detente/internal/errs"
)

const (
	// DefaultLimit is the page size when a request names none.
	DefaultLimit = 50
	// MaxLimit bounds what one request may ask for.
	MaxLimit = 200
	// maxCursor bounds the encoded cursor; real keys are far shorter.
	maxCursor = 1024
)

// errMalformed is any cursor Encode could not have made; Parse turns it
// into a field error.
var errMalformed = errors.New("malformed cursor")

// Request is one page asked for: at most Limit rows after the row whose
// sort key is After (nil for the first page).
type Request struct {
	Limit int
	After []string
}

// First is the first page at the default size.
func First() Request { return Request{Limit: DefaultLimit} }

// Size is how many rows to show: Limit when it is within 1..MaxLimit,
// else the default. Services fetch Size()+1 and Cut to Size().
func (r Request) Size() int {
	if r.Limit < 1 || r.Limit > MaxLimit {
		return DefaultLimit
	}
	return r.Limit
}

// Damaged is the field error for a cursor that decodes but does not fit
// the list it is given to (a key of the wrong length or kind).
func Damaged() error {
	var f errs.Fields
	f.Add("cursor", "this link to the next page is damaged; start again from the first page")
	return f.Err()
}

// Page is one page of rows and the cursor of the next ("" on the last).
type Page[T any] struct {
	Items []T
	Next  string
}

// Parse reads `limit` and `cursor` from a query string. Errors are field
// errors naming the parameter, so the web page and the API report them the
// same way.
func Parse(q url.Values) (Request, error) {
	r := Request{Limit: DefaultLimit}
	var fields errs.Fields
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			fields.Add("limit", "use a whole number from 1 to "+strconv.Itoa(MaxLimit))
		} else {
			r.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		key, err := Decode(c)
		if err != nil {
			fields.Add("cursor", "this link to the next page is damaged; start again from the first page")
		} else {
			r.After = key
		}
	}
	if err := fields.Err(); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Cut keeps the first limit rows of rows (fetched with limit+1) and, when
// there were more, sets Next to the cursor of the last row kept.
func Cut[T any](rows []T, limit int, key func(T) []string) Page[T] {
	if limit < 1 {
		limit = DefaultLimit
	}
	if len(rows) <= limit {
		if rows == nil {
			rows = []T{}
		}
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	return Page[T]{Items: rows, Next: Encode(key(rows[limit-1]))}
}

// Encode turns a sort key into an opaque, URL-safe cursor.
func Encode(key []string) string {
	b, _ := json.Marshal(key) // a []string always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reverses Encode. It refuses anything Encode could not have made,
// so a service receives only well-formed UTF-8 strings; each service still
// parses its own key's parts (a time, an id) and refuses what does not fit.
func Decode(cursor string) ([]string, error) {
	if len(cursor) > maxCursor {
		return nil, errMalformed
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, err
	}
	// json.Unmarshal would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(b) {
		return nil, errMalformed
	}
	var key []string
	if err := json.Unmarshal(b, &key); err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, errMalformed
	}
	for _, k := range key {
		for _, r := range k {
			if r == 0 {
				return nil, errMalformed
			}
		}
	}
	return key, nil
}

// NextURL is u with its cursor replaced by next (and every other parameter,
// such as filters and limit, kept), as a path plus query for links.
func NextURL(u *url.URL, next string) string {
	q := u.Query()
	q.Set("cursor", next)
	return u.Path + "?" + q.Encode()
}
