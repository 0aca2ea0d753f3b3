package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store/storetest"
)

// TestTAXII runs the benchmark on a few objects of each bundle and asserts
// only its correctness checks, never its timings.
func TestTAXII(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := Options{Engine: engine, Limit: 7, Queries: 40, Clients: 2, MaxObjs: 30}
			if engine == "postgres" {
				storetest.RequirePostgres(t) // skips without DETENTE_TEST_POSTGRES, fails in CI
				o.DSN = os.Getenv(storetest.EnvPostgres)
			}
			res, err := Run(context.Background(), o)
			var out bytes.Buffer
			Print(&out, res)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			if !res.OK() || len(res.Checks) != 11 || res.Bundles != 5 || len(res.Phases) != 10 {
				t.Fatalf("checks failed:\n%s", out.String())
			}
			for _, want := range []string{"ingest (POST)", "page all (limit 7)", "query: by id (last)", "query: added_after, 100", "ratio to disk"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
