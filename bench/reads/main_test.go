package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/detente/detente/bench/internal/dataset"
	"github.com/detente/detente/internal/store/storetest"
)

// TestReads runs the whole benchmark with a few requests and asserts only
// what makes its figures honest, never the figures: every endpoint
// answered 200 as a signed-in person, the bare handler served the same
// bytes, and every timed answer was the captured page. It runs on the
// demo data, and on a tiny dataset of each engine.
func TestReads(t *testing.T) {
	for _, tc := range []struct {
		name   string
		engine string
		scale  float64
	}{
		{"demo on sqlite", dataset.SQLite, 0},
		{"dataset on sqlite", dataset.SQLite, 0.05},
		// Not bench/scale's test size: the two packages' tests run at
		// once, and a PostgreSQL dataset is named for its scale.
		{"dataset on postgres", dataset.Postgres, 0.04},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Clients: 3, Requests: 12, Rounds: 3, Engine: tc.engine, Scale: tc.scale, CacheDir: t.TempDir()}
			if tc.engine == dataset.Postgres {
				storetest.RequirePostgres(t) // skips without DETENTE_TEST_POSTGRES, fails in CI
				o.DSN = os.Getenv(storetest.EnvPostgres)
				t.Cleanup(func() {
					if err := dataset.Remove(context.Background(), dataset.Options{Engine: o.Engine, DSN: o.DSN, Scale: o.Scale}); err != nil {
						t.Error(err)
					}
				})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res, err := Run(ctx, o)
			var out bytes.Buffer
			Print(&out, res)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			checkHonest(t, res, o.Requests)
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
}

// checkHonest asserts that every endpoint was measured on the page it
// names, n requests a side.
func checkHonest(t *testing.T, res Result, n int) {
	t.Helper()
	want := []string{"directory", "api pocs", "State page", "catalogue", "api states", "inbox", "message search", "thread",
		"checks", "check report", "audit log", "accounts", "api audit", "api accounts",
		"State profile", "profiles compared", "policy library", "library search", "api library", "survey cycles", "survey cycle", "capacity needs",
		"api capacity offers", "exercise runs", "scenarios", "meetings"}
	got := map[string]Measure{}
	for _, m := range res.Measures {
		got[m.Name] = m
	}
	for _, name := range want {
		m, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s was not measured", name)
		case !m.Same || m.Bytes == 0:
			t.Errorf("%s: the bare handler did not serve detente's %d bytes", name, m.Bytes)
		case m.Detente.Requests != n || m.Bare.Requests != n:
			t.Errorf("%s: %d and %d requests timed, want %d each", name, m.Detente.Requests, m.Bare.Requests, n)
		case m.Detente.Mismatches+m.Bare.Mismatches > 0:
			t.Errorf("%s: wrong answers while timed: %s%s", name, m.Detente.FirstBad, m.Bare.FirstBad)
		}
	}
	if len(res.Measures) != len(want) {
		t.Errorf("%d endpoints measured, want %d", len(res.Measures), len(want))
	}
}

// TestFilter runs one endpoint only.
func TestFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo data")
	}
	res, err := Run(context.Background(), Options{Clients: 2, Requests: 4, Filter: "/api/v1/states"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Measures) != 1 || res.Measures[0].Name != "api states" {
		t.Fatalf("measured %v, want api states alone", res.Measures)
	}
}

// TestRefusesWrongAnswers makes sure a page that is not the one asked for
// fails the comparison instead of being timed.
func TestRefusesWrongAnswers(t *testing.T) {
	page := strings.Repeat("x", 5000) + `<form method="post" action="/logout">`
	for _, tc := range []struct {
		name string
		html bool
		h    func(calls int64) (int, string)
		want string
	}{
		{"a redirect to the sign-in page", true, func(int64) (int, string) { return http.StatusSeeOther, "" }, "status 303"},
		{"a refusal", false, func(int64) (int, string) { return http.StatusForbidden, "forbidden" }, "status 403"},
		{"a public page for nobody signed in", true, func(int64) (int, string) { return http.StatusOK, strings.Repeat("x", 5000) }, "signed-in"},
		{"a page that changes once read", true, func(n int64) (int, string) { return http.StatusOK, page[:5000/int(n)] + page[5000:] }, "second request"},
		{"an error while timed", false, func(n int64) (int, string) {
			if n > 5 {
				return http.StatusInternalServerError, "internal error"
			}
			return http.StatusOK, page
		}, "status 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv, conns := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				status, body := tc.h(calls.Add(1))
				if status == http.StatusSeeOther {
					http.Redirect(w, r, "/login", status)
					return
				}
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			ep := Endpoint{Name: "page", Path: "/page", html: tc.html}
			_, err := compare(context.Background(), srv.URL, conns, ep, Options{Clients: 2, Requests: 10})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("compare: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestSameSizeClass(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, want int64
		same    bool
	}{
		{"identical", 34079, 34079, true},
		{"a relative time a few bytes longer", 34085, 34079, true},
		{"a small page off by a few bytes", 120, 100, true},
		{"a sign-in form instead of the directory", 3100, 34079, false},
		{"an error page instead of a small page", 1500, 300, false},
		{"nothing", 0, 2551, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameSizeClass(tc.n, tc.want); got != tc.same {
				t.Errorf("sameSizeClass(%d, %d) = %v, want %v", tc.n, tc.want, got, tc.same)
			}
		})
	}
}
