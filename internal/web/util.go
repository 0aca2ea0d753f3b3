package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/validate"
)

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// clientAddr is the peer address used for sign-in throttling. Proxies are
// not trusted: a deployment behind one should set the address at the proxy.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func sortedStrings(v []string) []string {
	out := append([]string(nil), v...)
	slices.Sort(out)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// checkText refuses a request carrying text no database can store
// (validate.Encoding) in its path or its query parameters, naming the
// parameter, so that every engine answers alike (PostgreSQL refuses such
// text, SQLite stores it). A path holding it names no page. Form fields
// are the services' to validate, so that the form comes back with the
// field marked.
func checkText(p *i18n.Printer, r *http.Request) error {
	if validate.Encoding(r.URL.Path) != "" {
		return errNotFound
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	return badParameter(p, query)
}

// badParameter refuses the first address parameter whose name or value
// no database can store, saying in p's language what is wrong with it.
func badParameter(p *i18n.Printer, values url.Values) error {
	for _, k := range slices.Sorted(maps.Keys(values)) {
		name := strings.ToValidUTF8(k, "\uFFFD")
		if problem := validate.Encoding(k); problem != "" {
			return &errs.Error{Code: errs.Malformed, Fields: map[string]string{name: problem},
				Message: p.T("The name of the address parameter “{name}” {problem}. Go back, correct it and try again.", "name", name, "problem", p.Known(problem))}
		}
		for _, v := range values[k] {
			if problem := validate.Encoding(v); problem != "" {
				return &errs.Error{Code: errs.Malformed, Fields: map[string]string{name: problem},
					Message: p.T("The address parameter “{name}” {problem}. Go back, correct it and try again.", "name", name, "problem", p.Known(problem))}
			}
		}
	}
	return nil
}
