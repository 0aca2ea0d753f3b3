package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/taxii"
)

// Options of a run.
type Options struct {
	Engine   string // sqlite or postgres
	DSN      string // PostgreSQL server
	Limit    int    // page size
	Queries  int    // filtered queries
	Clients  int
	Bundles  []string // by default every ATT&CK bundle
	MaxObjs  int      // keep only this many objects of each bundle (0: all); for the test
	Progress io.Writer
}

// Phase is one timed part of the run.
type Phase struct {
	Name      string
	Objects   int
	Elapsed   time.Duration
	Latencies []time.Duration // sorted
	Disk      time.Duration   // reading the same bytes from files; 0 where not compared
}

// Percentile of the phase's request latencies (100: the slowest).
func (p Phase) Percentile(n int) time.Duration {
	if len(p.Latencies) == 0 {
		return 0
	}
	return p.Latencies[(len(p.Latencies)-1)*n/100]
}

// Check is one correctness check of the run.
type Check struct {
	Name, Detail string
	OK           bool
}

// Result of a run.
type Result struct {
	Opt                               Options
	Bundles, Objects, Versions, Bytes int
	Phases                            []Phase
	Checks                            []Check
}

// OK reports whether every check passed.
func (r Result) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

func (r *Result) check(name string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// Run sets up a fresh database and server, and measures.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Limit < 1 {
		o.Limit = 1000
	}
	if o.Clients < 1 {
		o.Clients = 4
	}
	if len(o.Bundles) == 0 {
		o.Bundles = stixtest.AttackBundles()
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	res := Result{Opt: o}
	dir, err := os.MkdirTemp("", "detente-bench-taxii-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	// The bundles, written out as files for the disk baseline.
	var files []string
	want := map[string][]byte{} // "id version" → canonical JSON of the first posted
	for _, name := range o.Bundles {
		raw, err := stixtest.Attack(name)
		if err != nil {
			return res, err
		}
		if o.MaxObjs > 0 {
			if raw, err = cut(raw, o.MaxObjs); err != nil {
				return res, err
			}
		}
		b, err := stix.ParseBundle(raw, stix.DefaultLimits())
		if err != nil {
			return res, fmt.Errorf("%s: %w", name, err)
		}
		for _, obj := range b.Objects {
			k := versionKey(obj)
			if _, ok := want[k]; !ok {
				c, err := stix.Canonical(obj.Raw)
				if err != nil {
					return res, err
				}
				want[k] = c
			}
		}
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			return res, err
		}
		files = append(files, p)
		res.Bundles++
		res.Objects += len(b.Objects)
		res.Bytes += len(raw)
	}
	res.Versions = len(want)

	dsn, cleanup, err := database(ctx, o, dir)
	if err != nil {
		return res, err
	}
	defer cleanup()
	cfg, err := config.Parse("bench", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		return res, err
	}
	cfg.Database = dsn
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log, app.Options{Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		return res, err
	}
	defer a.Close()
	since := time.Now().AddDate(-1, 0, 0)
	if err := a.Directory.SetParticipation(ctx, actor.Operator, "FR", &since); err != nil {
		return res, err
	}
	acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "poc@fr.bench.invalid", DisplayName: "FR POC", Role: actor.POC, State: "FR", Password: "correct horse battery staple"})
	if err != nil {
		return res, err
	}
	token, _, err := a.Access.CreateToken(ctx, acc.Actor(), "bench", []actor.Scope{actor.ScopeRead, actor.ScopeWrite}, time.Hour)
	if err != nil {
		return res, err
	}
	srv := httptest.NewServer(taxii.NewServer(a.TAXII, a.Access, a.Text, log))
	defer srv.Close()
	c := client{hc: &http.Client{Timeout: 10 * time.Minute}, base: srv.URL + taxii.APIRoot + "collections/" + taxii.StateCollectionID("FR") + "/", token: token}

	// 1. Ingest.
	fmt.Fprintln(o.Progress, "taxii: ingesting")
	ingest := Phase{Name: "ingest (POST)", Objects: res.Objects}
	succeeded, failed := 0, 0
	start := time.Now()
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			return res, err
		}
		t0 := time.Now()
		body, status, err := c.do(ctx, http.MethodPost, "objects/", raw)
		ingest.Latencies = append(ingest.Latencies, time.Since(t0))
		if err != nil || status != http.StatusAccepted {
			return res, fmt.Errorf("POST %s: %d %v %.200s", filepath.Base(p), status, err, body)
		}
		var st struct {
			SuccessCount int `json:"success_count"`
			FailureCount int `json:"failure_count"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			return res, err
		}
		succeeded, failed = succeeded+st.SuccessCount, failed+st.FailureCount
	}
	ingest.Elapsed = time.Since(start)
	ingest.Disk = readAll(files)
	slices.Sort(ingest.Latencies)
	res.Phases = append(res.Phases, ingest)
	res.check("every object accounted for in the statuses", succeeded+failed == res.Objects, "%d succeeded, %d failed of %d", succeeded, failed, res.Objects)

	// 2. Page through every version.
	fmt.Fprintln(o.Progress, "taxii: paging")
	paging := Phase{Name: fmt.Sprintf("page all (limit %d)", o.Limit)}
	q := url.Values{"match[version]": {"all"}, "limit": {fmt.Sprint(o.Limit)}}
	var pagesFile bytes.Buffer
	got := map[string]bool{}
	var addedAt []string // a date_added of each page, for added_after queries
	same, changed, twice := 0, 0, 0
	start = time.Now()
	for {
		t0 := time.Now()
		body, hdr, status, err := c.doHeader(ctx, http.MethodGet, "objects/?"+q.Encode(), nil)
		paging.Latencies = append(paging.Latencies, time.Since(t0))
		if err != nil || status != http.StatusOK {
			return res, fmt.Errorf("GET objects: %d %v %.200s", status, err, body)
		}
		pagesFile.Write(body)
		if h := hdr.Get("X-TAXII-Date-Added-First"); h != "" {
			addedAt = append(addedAt, h)
		}
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return res, err
		}
		for _, r := range env.Objects {
			obj, err := stix.Parse(r, stix.DefaultLimits())
			if err != nil {
				return res, err
			}
			k := versionKey(obj)
			if got[k] {
				twice++
			}
			got[k] = true
			cj, err := stix.Canonical(obj.Raw)
			if err == nil && bytes.Equal(cj, want[k]) {
				same++
			} else {
				changed++
			}
		}
		paging.Objects += len(env.Objects)
		if !env.More {
			break
		}
		q.Set("next", env.Next)
	}
	paging.Elapsed = time.Since(start)
	pagesPath := filepath.Join(dir, "pages.json")
	if err := os.WriteFile(pagesPath, pagesFile.Bytes(), 0o600); err != nil {
		return res, err
	}
	paging.Disk = readAll([]string{pagesPath})
	slices.Sort(paging.Latencies)
	res.Phases = append(res.Phases, paging)
	res.check("every version read back once", len(got) == res.Versions && twice == 0, "%d of %d versions, %d twice", len(got), res.Versions, twice)
	res.check("every object identical (canonical JSON)", changed == 0 && same == res.Versions, "%d identical, %d changed", same, changed)

	// 3. Filtered queries, at random, from several clients.
	fmt.Fprintln(o.Progress, "taxii: queries")
	ids, types := []string{}, []string{}
	for k := range want {
		id, _, _ := strings.Cut(k, " ")
		ids = append(ids, id)
		typ, _, _ := strings.Cut(id, "--")
		if !slices.Contains(types, typ) {
			types = append(types, typ)
		}
	}
	slices.Sort(ids)
	slices.Sort(types)
	kinds := []struct {
		name string
		path func(r *rand.Rand) string
	}{
		{"by id (last)", func(r *rand.Rand) string { return "objects/?match[id]=" + ids[r.IntN(len(ids))] }},
		{"by id, all versions", func(r *rand.Rand) string { return "objects/?match[version]=all&match[id]=" + ids[r.IntN(len(ids))] }},
		{"object endpoint", func(r *rand.Rand) string { return "objects/" + ids[r.IntN(len(ids))] + "/" }},
		{"versions endpoint", func(r *rand.Rand) string { return "objects/" + ids[r.IntN(len(ids))] + "/versions/" }},
		{"by type, 50", func(r *rand.Rand) string { return "objects/?limit=50&match[type]=" + types[r.IntN(len(types))] }},
		{"first versions, 100", func(r *rand.Rand) string { return "objects/?match[version]=first&limit=100" }},
		{"manifest by type, 200", func(r *rand.Rand) string { return "manifest/?limit=200&match[type]=" + types[r.IntN(len(types))] }},
		{"added_after, 100", func(r *rand.Rand) string {
			return "objects/?limit=100&added_after=" + url.QueryEscape(addedAt[r.IntN(len(addedAt))])
		}},
	}
	per := max(o.Queries/len(kinds)/o.Clients, 1)
	for _, kind := range kinds {
		ph := Phase{Name: "query: " + kind.name}
		var mu sync.Mutex
		var qerr error
		start := time.Now()
		var wg sync.WaitGroup
		for i := range o.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(i), 7))
				var lat []time.Duration
				n := 0
				for range per {
					path := kind.path(r)
					t0 := time.Now()
					body, status, err := c.do(ctx, http.MethodGet, path, nil)
					lat = append(lat, time.Since(t0))
					if err == nil && status != http.StatusOK {
						err = fmt.Errorf("GET %s: %d %.200s", path, status, body)
					}
					if err != nil {
						mu.Lock()
						qerr = err
						mu.Unlock()
						return
					}
					n += countItems(body)
				}
				mu.Lock()
				ph.Latencies = append(ph.Latencies, lat...)
				ph.Objects += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		ph.Elapsed = time.Since(start)
		if qerr != nil {
			return res, qerr
		}
		slices.Sort(ph.Latencies)
		res.Phases = append(res.Phases, ph)
		res.check("query "+kind.name, len(ph.Latencies) == per*o.Clients && ph.Objects > 0, "%d queries answered 200, %d items", len(ph.Latencies), ph.Objects)
	}
	return res, nil
}

// versionKey names one version of an object.
func versionKey(o stix.Object) string {
	v, _ := o.Version()
	return o.ID + " " + stix.FormatTime(v)
}

// countItems counts the objects, manifest records or versions of an answer.
func countItems(body []byte) int {
	var v struct {
		Objects  []json.RawMessage `json:"objects"`
		Versions []string          `json:"versions"`
	}
	if json.Unmarshal(body, &v) != nil {
		return 0
	}
	return len(v.Objects) + len(v.Versions)
}

// readAll is the time to read files from disk.
func readAll(files []string) time.Duration {
	start := time.Now()
	for _, p := range files {
		if _, err := os.ReadFile(p); err != nil {
			return 0
		}
	}
	return time.Since(start)
}

// cut keeps the first n objects of a bundle.
func cut(raw []byte, n int) ([]byte, error) {
	var b map[string]json.RawMessage
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, err
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(b["objects"], &objs); err != nil {
		return nil, err
	}
	objs = objs[:min(n, len(objs))]
	b["objects"], _ = json.Marshal(objs)
	return json.Marshal(b)
}

type client struct {
	hc    *http.Client
	base  string
	token string
}

func (c client) do(ctx context.Context, method, path string, body []byte) ([]byte, int, error) {
	b, _, status, err := c.doHeader(ctx, method, path, body)
	return b, status, err
}

func (c client) doHeader(ctx context.Context, method, path string, body []byte) ([]byte, http.Header, int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, nil, 0, err
	}
	req.Header.Set("Accept", taxii.MediaTAXII)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaSTIX)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, res.Header, res.StatusCode, err
}

// database is a fresh database for the run: a SQLite file in dir, or a
// PostgreSQL database of the run's own, dropped afterwards.
func database(ctx context.Context, o Options, dir string) (string, func(), error) {
	if o.Engine != "postgres" {
		return filepath.Join(dir, "bench.db"), func() {}, nil
	}
	if o.DSN == "" {
		return "", nil, fmt.Errorf("postgres needs -dsn")
	}
	u, err := url.Parse(o.DSN)
	if err != nil {
		return "", nil, err
	}
	name := "detente_bench_taxii_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	admin, err := sql.Open("pgx", o.DSN)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		_, _ = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}, nil
}
