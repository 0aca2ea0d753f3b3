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
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/page"
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
	checkDomains(t, a, ds, want)
}

// checkDomains checks the survey, library, capacity and exercise rows the
// build claims to have added beyond the demo's, and that the library's
// full-text index, filled by the engine's own means, finds a word that
// only generated documents hold.
func checkDomains(t *testing.T, a *app.App, ds *dataset.Dataset, want dataset.Target) {
	t.Helper()
	ctx := context.Background()
	c := ds.Counts
	count := func(query string) int {
		t.Helper()
		var n int
		if err := a.DB.R.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for _, tc := range []struct {
		what             string
		query            string
		claimed, atLeast int
	}{
		// The build writes no more than a State's one report per cycle.
		{"survey reports", `SELECT COUNT(*) FROM survey_reports WHERE state_code NOT IN ('FR', 'KE', 'BR', 'JP')`, c.Reports, min(want.Reports, 2)},
		{"published survey reports", `SELECT COUNT(*) FROM survey_reports WHERE status = 'published' AND state_code NOT IN ('FR', 'KE', 'BR', 'JP')`, -1, 1},
		{"survey answers", `SELECT COUNT(*) FROM survey_answers a JOIN survey_reports r ON r.id = a.report_id WHERE r.state_code NOT IN ('FR', 'KE', 'BR', 'JP')`, -1, 3 * c.Reports},
		{"library documents", `SELECT COUNT(*) FROM library_documents WHERE link LIKE '%/library/%' OR file_name LIKE 'document-%'`, c.Documents, want.Documents},
		{"capacity offers", `SELECT COUNT(*) FROM capacity_offers WHERE description LIKE '%We offer to share%'`, c.Offers, want.Offers},
		{"capacity needs", `SELECT COUNT(*) FROM capacity_needs WHERE title NOT LIKE '%duty officers%' AND title NOT IN ('Awareness campaign for small businesses', 'Handling vulnerability reports in industrial control products')`, c.Needs, want.Needs},
		{"partnerships", `SELECT COUNT(*) FROM capacity_partnerships WHERE note = 'Could your experts help us in the coming months?'`, c.Partnerships, 1},
		{"finished exercise runs", `SELECT COUNT(*) FROM exercise_runs WHERE title LIKE '%(run %' AND status = 'ended'`, c.Runs, want.Runs},
		{"their deliveries", `SELECT COUNT(*) FROM exercise_deliveries d JOIN exercise_runs r ON r.id = d.run_id WHERE r.title LIKE '%(run %'`, -1, c.Runs},
		{"their outcomes", `SELECT COUNT(*) FROM exercise_outcomes o JOIN exercise_runs r ON r.id = o.run_id WHERE r.title LIKE '%(run %' AND o.status <> 'pending'`, -1, c.Runs},
	} {
		n := count(tc.query)
		if tc.claimed >= 0 && n != tc.claimed {
			t.Errorf("%s: %d rows, the generator claims %d", tc.what, n, tc.claimed)
		}
		if n < tc.atLeast {
			t.Errorf("%s: %d rows, want at least %d", tc.what, n, tc.atLeast)
		}
	}
	if ds.Samples.LibraryWord == "" {
		t.Fatal("no library word among the samples")
	}
	found, err := a.Library.List(ctx, actor.Operator, library.Filter{Query: ds.Samples.LibraryWord}, page.Request{Limit: page.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Items) == 0 {
		t.Errorf("the library finds no document with %q", ds.Samples.LibraryWord)
	}
	for _, d := range found.Items {
		if !strings.Contains(d.Link, "/library/") && !strings.HasPrefix(d.File.Name, "document-") {
			t.Errorf("a search for %q found %q, which the build did not write", ds.Samples.LibraryWord, d.Title)
		}
	}
}
