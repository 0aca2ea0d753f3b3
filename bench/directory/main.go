// Command directory measures what detente's full stack costs over serving
// the same bytes from a bare handler: the directory listing (every
// participating State's POCs) as an HTML page and as JSON, for a signed-in
// POC, over loopback HTTP. It prints each side's time per request and the
// ratio, so a regression shows as a ratio that grows.
//
//	go run ./bench/directory [-n 200]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/web"
)

func main() {
	n := flag.Int("n", 200, "requests per side and endpoint")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the timed detente requests to this file")
	flag.Parse()
	if err := run(*n, *profile); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n int, profile string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "detente-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Parse("bench", []string{"-data", dir}, func(string) string { return "" }, io.Discard)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cheap := access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &cheap, Mail: m})
	}
	seeded, err := demo.Seed(ctx, open, time.Now().UTC(), "bench-password-1234")
	if err != nil {
		return err
	}
	a, err := open(clock.System{}, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	sessionToken, _, err := a.Access.SignIn(ctx, "cert.duty@fr.demo.invalid", "bench-password-1234", "127.0.0.1", "bench")
	if err != nil {
		return err
	}
	accs, err := a.Access.Accounts(ctx, actor.Operator)
	if err != nil {
		return err
	}
	var poc actor.Actor
	for _, acc := range accs {
		if acc.Email == "cert.duty@fr.demo.invalid" {
			poc = acc.Actor()
		}
	}
	apiToken, _, err := a.Access.CreateToken(ctx, poc, "bench", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
	if err != nil {
		return err
	}
	fmt.Printf("directory: %d States participating, %d POCs; %d requests per side (SQLite, %s)\n\n",
		seeded.Participating, seeded.POCs, n, filepath.Base(dir))
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("%-28s %12s %12s %8s %10s\n", "endpoint", "detente", "baseline", "ratio", "bytes")
	for _, ep := range []struct {
		name, path string
		auth       func(*http.Request)
	}{
		{"GET /directory (HTML)", "/directory", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "__Host-detente", Value: sessionToken}) }},
		{"GET /api/v1/pocs (JSON)", "/api/v1/pocs", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+apiToken) }},
	} {
		if err := compare(srv.URL, ep.name, ep.path, ep.auth, n); err != nil {
			return err
		}
	}
	return nil
}

// compare fetches path once to capture the bytes, serves those bytes from a
// bare handler, then times n sequential requests against each.
func compare(base, name, path string, auth func(*http.Request), n int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(url string, withAuth bool) ([]byte, http.Header, error) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if withAuth {
			auth(req)
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return nil, nil, fmt.Errorf("%s: status %d", url, res.StatusCode)
		}
		return b, res.Header, err
	}
	body, hdr, err := get(base+path, true)
	if err != nil {
		return err
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", hdr.Get("Content-Type"))
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	timeIt := func(url string, withAuth bool) (time.Duration, error) {
		if _, _, err := get(url, withAuth); err != nil { // warm up
			return 0, err
		}
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, _, err := get(url, withAuth); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / time.Duration(n), nil
	}
	ours, err := timeIt(base+path, true)
	if err != nil {
		return err
	}
	baseline, err := timeIt(bare.URL, false)
	if err != nil {
		return err
	}
	fmt.Printf("%-28s %12s %12s %7.1fx %10d\n", name, ours.Round(time.Microsecond), baseline.Round(time.Microsecond), float64(ours)/float64(baseline), len(body))
	return nil
}
