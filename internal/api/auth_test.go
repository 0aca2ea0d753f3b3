package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
)

// runBadTokens checks that a token that does not work is refused with 401
// and a Bearer challenge on every kind of route, never downgraded to the
// anonymous visitor.
func runBadTokens(t *testing.T, f *fixture) {
	f = f.with(t)
	ctx := context.Background()
	revoked, tok, err := f.app.Access.CreateToken(ctx, f.acc[frPOC].Actor(), "ci", []actor.Scope{actor.ScopeRead}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.Access.RevokeToken(ctx, f.acc[frPOC].Actor(), tok.ID); err != nil {
		t.Fatal(err)
	}
	disabled := f.freshViewer()
	disabledToken, _, err := f.app.Access.CreateToken(ctx, disabled.Actor(), "ci", []actor.Scope{actor.ScopeRead}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.Access.SetDisabled(ctx, actor.Operator, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	shortLived, _, err := f.app.Access.CreateToken(ctx, f.acc[kePOC].Actor(), "ci", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, header string
		expire       bool // move the clock past the short-lived token's expiry first
	}{
		{name: "not a bearer token", header: "Basic cG9jQGZyLnRlc3QuaW52YWxpZDpwYXNzd29yZA=="},
		{name: "bearer without a token", header: "Bearer "},
		{name: "not a detente token", header: "Bearer ghp_0123456789abcdef"},
		{name: "unknown token", header: "Bearer dtt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{name: "revoked token", header: "Bearer " + revoked},
		{name: "token of a disabled account", header: "Bearer " + disabledToken},
		{name: "expired token", header: "Bearer " + shortLived, expire: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := f.with(t)
			if c.expire {
				f.clock.Advance(25 * time.Hour)
			}
			for _, path := range []string{"/states", "/framework/topics", "/pocs", "/me"} {
				hr, _ := http.NewRequest(http.MethodGet, f.srv.URL+prefix+path, nil)
				hr.Header.Set("Authorization", c.header)
				res := f.send(hr)
				if res.status != http.StatusUnauthorized {
					t.Errorf("GET %s: status %d, want 401: %s", path, res.status, res.body)
				}
				if ch := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") || !strings.Contains(ch, `error="invalid_token"`) {
					t.Errorf("GET %s: WWW-Authenticate %q", path, ch)
				}
				if strings.Contains(string(res.body), "items") {
					t.Errorf("GET %s: data in a refused response: %s", path, res.body)
				}
			}
		})
	}
}

// TestBadTokens also covers revocation through the API: a token revoked
// with DELETE /me/tokens/{id} stops working at once.
func TestBadTokens(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		runRevocation(t, f)
		runBadTokens(t, f)
	})
}

func runRevocation(t *testing.T, f *fixture) {
	f = f.with(t)
	// Tokens are minted by a person signed in to the web interface.
	secret, tok, err := f.app.Access.CreateToken(context.Background(), f.acc[frPOC].Actor(), "script", []actor.Scope{actor.ScopeRead}, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	id := tok.ID
	f.token["script"] = secret
	me := f.get("script", "/me")
	if me.status != 200 || me.json(t)["read_only"] != true || me.json(t)["email"] != "poc@fr.test.invalid" {
		t.Fatalf("GET /me with the new token: %s", me)
	}
	// The listing shows the token, never its secret.
	if list := f.get(frPOC, "/me/tokens"); !strings.Contains(string(list.body), id) || strings.Contains(string(list.body), secret) {
		t.Errorf("token list: %s", list)
	}
	if res := f.do(frPOC, req{method: http.MethodDelete, path: "/me/tokens/" + id}); res.status != http.StatusNoContent {
		t.Fatalf("revoke: %s", res)
	}
	if res := f.get("script", "/me"); res.status != http.StatusUnauthorized {
		t.Errorf("revoked token still works: %s", res)
	}
	delete(f.token, "script")
}

// send performs a prepared request as is, without the role machinery,
// and checks the response against the OpenAPI document.
func (f *fixture) send(hr *http.Request) response {
	f.t.Helper()
	res, err := f.hc.Do(hr)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	got := response{status: res.StatusCode, header: res.Header, body: b}
	f.conform(hr, nil, got)
	return got
}

// TestProtocol covers what the API answers outside its routes.
func TestProtocol(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		for _, c := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{http.MethodGet, "/api/v1/nope", 404, ""},
			{http.MethodGet, "/api/v1/", 404, ""},
			{http.MethodPatch, "/api/v1/pocs", 405, "GET, HEAD"},
			{http.MethodDelete, "/api/v1/states", 405, "GET, HEAD"},
			{http.MethodPost, "/api/v1/framework/provisions/norm-h", 405, "GET, HEAD"},
			// Tokens are minted in the web interface only: an API token,
			// even a write token like this one, cannot mint a successor.
			{http.MethodPost, "/api/v1/me/tokens", 405, "GET, HEAD"},
		} {
			hr, _ := http.NewRequest(c.method, f.srv.URL+c.path, nil)
			hr.Header.Set("Authorization", "Bearer "+f.token[sec])
			res := f.send(hr)
			if res.status != c.status || res.header.Get("Allow") != c.allow {
				t.Errorf("%s %s: %d (Allow %q), want %d (Allow %q)", c.method, c.path, res.status, res.header.Get("Allow"), c.status, c.allow)
			}
			f.spec.checkBody(t, "#/components/schemas/Error", res, c.method+" "+c.path)
		}
		// Anonymous callers of a protected route are challenged without
		// being told their (absent) token is invalid.
		res := f.get(anon, "/pocs")
		if ch := res.header.Get("WWW-Authenticate"); ch != `Bearer realm="detente"` {
			t.Errorf("anonymous challenge %q", ch)
		}
		// Responses carrying directory data are not to be cached.
		if cc := f.get(frPOC, "/pocs").header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	})
}

// lockedBuffer is a log destination the server and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInternalError checks that a failure on our side is logged with its
// cause and answered with a generic message that reveals nothing of it.
func TestInternalError(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		var logs lockedBuffer
		f.api.app.Log = slog.New(slog.NewTextHandler(&logs, nil))
		f.app.DB.Close() // every query now fails
		// anon fails in the handler, frpoc already in token lookup.
		for _, role := range []string{anon, frPOC} {
			res := f.get(role, "/states")
			if res.status != http.StatusInternalServerError {
				t.Fatalf("%s: status %d: %s", role, res.status, res.body)
			}
			if msg := res.errorFields(t); msg != nil {
				t.Errorf("%s: fields in an internal error: %v", role, msg)
			}
			if b := string(res.body); !strings.Contains(b, "something went wrong on our side") || strings.Contains(b, "sql") {
				t.Errorf("%s: body %s", role, b)
			}
		}
		if l := logs.String(); !strings.Contains(l, "api request failed") || !strings.Contains(l, "sql") {
			t.Errorf("log lacks the cause: %s", l)
		}
	})
}
