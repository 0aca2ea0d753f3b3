package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/web"
)

func newApp(t *testing.T, set ...func(*config.Config)) *app.App {
	t.Helper()
	cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range set {
		f(&cfg)
	}
	cfg.Database = storetest.DSN(t, store.SQLite)
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestHealthAndMetrics(t *testing.T) {
	a := newApp(t)
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/framework/norm-h": 200, "/framework/norm-c": 200, "/api/v1/states/FR": 200, "/nowhere": 404} {
		if code, _ := get(t, srv.URL+path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	// Without a metrics token, nothing is said.
	for _, auth := range []string{"", "Bearer dtt_nonsense", "Bearer " + token(t, a, actor.ScopeRead)} {
		code, body := getWith(t, srv.URL+"/metrics", auth)
		if code != http.StatusUnauthorized && code != http.StatusForbidden || strings.Contains(body, "detente_") {
			t.Errorf("metrics with %q: %d %q, want 401 or 403 and no figures", auth, code, body)
		}
	}
	code, body := getWith(t, srv.URL+"/metrics", "Bearer "+token(t, a, access.ScopeMetrics))
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`detente_http_requests_total{route="GET /framework/{id}",method="GET",code="200"} 2`,
		`route="GET /healthz"`,
		`detente_db_open_connections `,
		"\ndetente_jobs_queued ",
		"\ndetente_jobs_failed 0\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s\n%s", want, body)
		}
	}
	// Raw paths never become labels: ids would make unbounded series.
	if strings.Contains(body, "norm-h") || strings.Contains(body, `route="/framework/norm-c"`) {
		t.Error("metrics carry raw request paths")
	}

	a.DB.Close()
	if code, _ := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d, want 503", code)
	}
}

// token creates an API token with one scope for a fresh secretariat account.
func token(t *testing.T, a *app.App, scope actor.Scope) string {
	t.Helper()
	ctx := context.Background()
	email := "sec-" + string(scope) + "@un.test.invalid"
	acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: "sec", Role: actor.Secretariat})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := a.Access.CreateToken(ctx, acc.Actor(), "scraper", []actor.Scope{scope}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func getWith(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestMetricsOnTheirOwnListener(t *testing.T) {
	a := newApp(t, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" })
	h, mh, err := server.Handlers(a, web.Options{})
	if err != nil || mh == nil {
		t.Fatalf("handlers: %v, metrics handler %v", err, mh)
	}
	main, metrics := httptest.NewServer(h), httptest.NewServer(mh)
	defer main.Close()
	defer metrics.Close()
	if code, body := getWith(t, main.URL+"/metrics", "Bearer "+token(t, a, access.ScopeMetrics)); code != http.StatusNotFound || strings.Contains(body, "detente_") {
		t.Errorf("main listener /metrics: %d, want 404 when metrics have a listener of their own", code)
	}
	if code, body := get(t, metrics.URL+"/metrics"); code != 200 || !strings.Contains(body, "detente_jobs_queued") {
		t.Errorf("metrics listener: %d\n%s", code, body)
	}
	if code, _ := get(t, metrics.URL+"/directory"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves pages: %d", code)
	}
}

func TestClientAddrBehindProxies(t *testing.T) {
	trusted, err := config.ParsePrefixes("10.0.0.0/8, 192.0.2.10, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer, header string
		values             []string
		want               string
	}{
		{"no proxy", "198.51.100.7:5000", "X-Forwarded-For", nil, "198.51.100.7"},
		{"untrusted peer's header is ignored", "198.51.100.7:5000", "X-Forwarded-For", []string{"203.0.113.9"}, "198.51.100.7"},
		{"untrusted peer's Forwarded is ignored", "198.51.100.7:5000", "Forwarded", []string{"for=203.0.113.9"}, "198.51.100.7"},
		{"trusted proxy", "10.0.0.2:5000", "X-Forwarded-For", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client spoofs a left-hand entry", "10.0.0.2:5000", "X-Forwarded-For", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"client spoofs a trusted address", "10.0.0.2:5000", "X-Forwarded-For", []string{"10.9.9.9, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted hops", "10.0.0.2:5000", "X-Forwarded-For", []string{"1.2.3.4, 203.0.113.9, 192.0.2.10"}, "203.0.113.9"},
		{"header split over lines", "10.0.0.2:5000", "X-Forwarded-For", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{"only trusted hops", "10.0.0.2:5000", "X-Forwarded-For", []string{"10.1.1.1"}, "10.1.1.1"},
		{"no header from the proxy", "10.0.0.2:5000", "X-Forwarded-For", nil, "10.0.0.2"},
		{"garbage from the proxy", "10.0.0.2:5000", "X-Forwarded-For", []string{"203.0.113.9, not-an-address"}, "10.0.0.2"},
		{"with a port", "10.0.0.2:5000", "X-Forwarded-For", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"IPv6", "[2001:db8::1]:5000", "X-Forwarded-For", []string{"[2001:db9::5]:80"}, "2001:db9::5"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:5000", "X-Forwarded-For", []string{"203.0.113.9"}, "203.0.113.9"},
		{"Forwarded", "10.0.0.2:5000", "Forwarded", []string{`for=1.2.3.4, for="[2001:db9::5]:4711";proto=https`}, "2001:db9::5"},
		{"Forwarded obfuscated", "10.0.0.2:5000", "Forwarded", []string{"for=_hidden"}, "10.0.0.2"},
		{"X-Forwarded-For is not read when Forwarded is the header", "10.0.0.2:5000", "Forwarded", nil, "10.0.0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.values {
				h.Add(tc.header, v)
			}
			if tc.header == "Forwarded" {
				h.Add("X-Forwarded-For", "203.0.113.200") // set by the client, not by the proxy
			}
			got, ok := server.ClientAddr(tc.peer, h, trusted, tc.header)
			if !ok || got.String() != tc.want {
				t.Errorf("ClientAddr = %v %v, want %s", got, ok, tc.want)
			}
		})
	}
}

// signIn posts the sign-in form as a browser at peer would, behind
// whatever forwarded-for header it sends, and returns the status.
func signIn(t *testing.T, h http.Handler, peer, forwarded, email, password string) int {
	t.Helper()
	const csrf = "0123456789abcdefghijklmnopqrstuvwxyz"
	form := url.Values{"email": {email}, "password": {password}, "csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-detente-csrf", Value: csrf})
	req.RemoteAddr = peer
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestSignInThrottleSeesClientsBehindTheProxy(t *testing.T) {
	a := newApp(t, func(c *config.Config) { c.TrustedProxies, _ = config.ParsePrefixes("10.0.0.2") })
	ctx := context.Background()
	const pw = "correct horse battery staple"
	for _, email := range []string{"poc@fr.test.invalid", "viewer@fr.test.invalid"} {
		if _, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: "x", Role: actor.Viewer, State: "FR", Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const proxy = "10.0.0.2:40000"
	// An attacker behind the proxy floods both accounts with guesses.
	for i := 0; i < 30; i++ {
		email := []string{"poc@fr.test.invalid", "viewer@fr.test.invalid"}[i%2]
		if code := signIn(t, h, proxy, "203.0.113.66", email, "a wrong guess"); code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if code := signIn(t, h, proxy, "203.0.113.66", "poc@fr.test.invalid", pw); code != http.StatusTooManyRequests {
		t.Errorf("the attacker with the right password: %d, want 429", code)
	}
	// Another person behind the same proxy is not caught by it.
	if code := signIn(t, h, proxy, "198.51.100.20", "poc@fr.test.invalid", pw); code != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: %d, want 303 (signed in)", code)
	}
	// A client talking to the server directly cannot claim to be someone
	// else behind the proxy: its header is ignored and its own address counts.
	for i := 0; i < 25; i++ {
		signIn(t, h, "192.0.2.99:5000", "198.51.100.21", "viewer@fr.test.invalid", "a wrong guess")
	}
	if code := signIn(t, h, proxy, "198.51.100.21", "viewer@fr.test.invalid", pw); code != http.StatusSeeOther {
		t.Errorf("the client whose address was spoofed: %d, want 303 (signed in)", code)
	}
	if code := signIn(t, h, "192.0.2.99:5000", "198.51.100.22", "viewer@fr.test.invalid", pw); code != http.StatusTooManyRequests {
		t.Errorf("the spoofing client: %d, want 429", code)
	}
}

func TestRunDrainsInFlightRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte("finished"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), ln, h, 5*time.Second) }()
	got := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel() // shutdown begins while the request is in flight
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
