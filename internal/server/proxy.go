package server

import (
	"net/http"
	"net/netip"
	"strings"
)

// realClient puts the client's address in r.RemoteAddr when the peer is a
// trusted reverse proxy, so sign-in throttling and the audit log see the
// person, not the proxy. Nothing is believed from any other peer.
func realClient(trusted []netip.Prefix, header string, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := ClientAddr(r.RemoteAddr, r.Header, trusted, header); ok {
			r = r.WithContext(r.Context()) // a copy: the caller's request stays as it was
			r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		next.ServeHTTP(w, r)
	})
}

// ClientAddr finds the client behind trusted proxies. The peer's address
// counts unless the peer is trusted; then the hops its header lists
// ("X-Forwarded-For" or RFC 7239 "Forwarded") are walked from the right,
// since each proxy appends the address it saw, and the first address that
// is not a trusted proxy is the client. Whatever a client wrote itself sits
// left of that and is never reached. A hop that cannot be read stops the
// walk at the last trusted address. ok is false when the peer address
// itself cannot be read.
func ClientAddr(remoteAddr string, h http.Header, trusted []netip.Prefix, header string) (netip.Addr, bool) {
	peer, ok := parseHop(remoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	client := peer
	if !isTrusted(peer) {
		return client, true
	}
	var hops []string
	if strings.EqualFold(header, "Forwarded") {
		hops = forwardedFor(h.Values("Forwarded"))
	} else {
		for _, v := range h.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !isTrusted(a) {
			break
		}
	}
	return client, true
}

// forwardedFor lists the for= parameters of RFC 7239 Forwarded headers in
// order; elements without one count as unreadable hops.
func forwardedFor(values []string) []string {
	var out []string
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			hop := ""
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
					hop = strings.Trim(strings.TrimSpace(val), `"`)
				}
			}
			out = append(out, hop)
		}
	}
	return out
}

// parseHop reads an address with or without a port, IPv6 in brackets or
// not. "unknown" and obfuscated identifiers (RFC 7239 §6) are unreadable.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}
