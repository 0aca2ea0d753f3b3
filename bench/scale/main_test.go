package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/bench/internal/dataset"
	"github.com/detente/detente/internal/store/storetest"
)

// TestSmallScale builds a tiny dataset, checks that it holds what the
// generator claims, and that every timed endpoint answers 200, so the
// benchmark cannot rot unnoticed. It asserts no timing.
func TestSmallScale(t *testing.T) {
	const scale = 0.05
	for _, engine := range []string{dataset.SQLite, dataset.Postgres} {
		t.Run(engine, func(t *testing.T) {
			dsn := ""
			if engine == dataset.Postgres {
				storetest.RequirePostgres(t)
				dsn = os.Getenv(storetest.EnvPostgres)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cache := t.TempDir()
			if engine == dataset.Postgres {
				t.Cleanup(func() {
					if err := dataset.Remove(context.Background(), dataset.Options{Engine: engine, DSN: dsn, Scale: scale}); err != nil {
						t.Error(err)
					}
				})
			}
			ds, err := dataset.Open(ctx, dataset.Options{Engine: engine, DSN: dsn, Scale: scale, CacheDir: cache, Rebuild: true})
			if err != nil {
				t.Fatal(err)
			}
			if !ds.Built {
				t.Fatal("a rebuild reused a cached copy")
			}
			checkCounts(t, ds, dataset.TargetFor(scale))

			// Reopening finds the complete copy instead of building again.
			again, err := dataset.Open(ctx, dataset.Options{Engine: engine, DSN: dsn, Scale: scale, CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			if again.Built || again.DSN != ds.DSN || again.Counts != ds.Counts {
				t.Errorf("second open: built %v at %s with %+v, want the cached %s with %+v", again.Built, again.DSN, again.Counts, ds.DSN, ds.Counts)
			}

			var out bytes.Buffer
			o := Options{DSN: dsn, N: 1, MaxTime: time.Second, Cache: cache, Out: &out, Log: io.Discard}
			res, err := Measure(ctx, o, engine, scale)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Timings) != len(Endpoints(ds)) {
				t.Fatalf("%d endpoints timed, want %d", len(res.Timings), len(Endpoints(ds)))
			}
			for _, tm := range res.Timings {
				if tm.Status != http.StatusOK || tm.Bytes == 0 || tm.Requests != 1 {
					t.Errorf("%s %s: status %d, %d bytes, %d requests", tm.Endpoint.Name, tm.Endpoint.Path, tm.Status, tm.Bytes, tm.Requests)
				}
			}
			Print(&out, engine, []Result{res})
			if !strings.Contains(out.String(), "API audit") || strings.Contains(out.String(), "not 200") {
				t.Errorf("table:\n%s", out.String())
			}
		})
	}
}

// checkCounts counts the rows the claims are about and compares them with
// the claims and the scale's targets.
func checkCounts(t *testing.T, ds *dataset.Dataset, want dataset.Target) {
	t.Helper()
	ctx := context.Background()
	a, err := ds.App(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c := ds.Counts
	for _, tc := range []struct {
		table   string
		claimed int
		atLeast int
	}{
		{"pocs", c.POCs, want.POCs},
		{"accounts", c.Accounts, want.Accounts},
		{"messages", c.Messages, want.Messages},
		{"deliveries", c.Deliveries, c.Messages},
		{"ping_challenges", c.Challenges, c.POCs}, // at least one check over every POC
		{"audit_log", c.AuditEntries, want.Audit},
	} {
		var n int
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+tc.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != tc.claimed {
			t.Errorf("%s: %d rows, the generator claims %d", tc.table, n, tc.claimed)
		}
		if n < tc.atLeast {
			t.Errorf("%s: %d rows, want at least %d", tc.table, n, tc.atLeast)
		}
	}
	if ds.Samples.ThreadID == "" || ds.Samples.CheckID == "" || ds.Logins.SecretariatTOTP == "" {
		t.Errorf("samples or logins missing: %+v %+v", ds.Samples, ds.Logins)
	}
}
