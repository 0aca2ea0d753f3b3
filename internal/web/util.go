package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"slices"
	"strconv"
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
