// Command scale measures how detente's list pages and list endpoints grow
// with the data: it builds databases of several sizes through the real
// services (package bench/internal/dataset: scale 1 is the demo plus one
// unit of traffic, scale 100 about 42,000 points of contact, 100,000
// communications, 42,000 check challenges and 1,000,000 audit entries),
// then times every list over loopback HTTP through the real handler, as a
// signed-in person of the role that sees it (session cookie for pages,
// bearer token for the API).
//
//	go run ./bench/scale [-engine sqlite|postgres|both] [-dsn URL] [-scales 1,10,100]
//	                     [-n 20] [-cache DIR] [-rebuild] [-cpuprofile FILE] [-v]
//
// It prints, per engine, one row per endpoint: the median time at each
// scale, the ratio of the largest scale to the smallest (the goal is at
// most 2x), and the response sizes; a status other than 200 is flagged
// beside its figure. Databases are built on first use and kept: SQLite
// files under -cache, PostgreSQL databases named detente_bench_s<scale>_<fp>
// on the server of -dsn. Each endpoint gets -n requests or -max-time,
// whichever ends first, so a run stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/bench/internal/dataset"
	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/web"
)

// Options are one run's settings.
type Options struct {
	Engines []string
	DSN     string
	Scales  []float64
	N       int           // requests per endpoint and scale
	MaxTime time.Duration // per endpoint and scale
	Cache   string
	Rebuild bool
	Profile string
	Out     io.Writer // the tables
	Log     io.Writer // build progress
}

func main() {
	var o Options
	engine := flag.String("engine", "sqlite", "sqlite, postgres or both")
	flag.StringVar(&o.DSN, "dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server URL; a database per scale is created on it and kept")
	scales := flag.String("scales", "1,10,100", "comma-separated scales; 1 is the demo's size")
	flag.IntVar(&o.N, "n", 20, "requests per endpoint and scale")
	flag.DurationVar(&o.MaxTime, "max-time", 10*time.Second, "stop timing an endpoint after this long, whatever -n says")
	flag.StringVar(&o.Cache, "cache", dataset.DefaultCacheDir(), "where built SQLite databases are kept")
	flag.BoolVar(&o.Rebuild, "rebuild", false, "build the databases again even if complete ones are cached")
	flag.StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile of the timed requests to this file")
	verbose := flag.Bool("v", false, "show build progress")
	flag.Parse()
	switch *engine {
	case "both":
		o.Engines = []string{dataset.SQLite, dataset.Postgres}
	case dataset.SQLite, dataset.Postgres:
		o.Engines = []string{*engine}
	default:
		fmt.Fprintln(os.Stderr, "bench: -engine: use sqlite, postgres or both")
		os.Exit(2)
	}
	for _, f := range strings.Split(*scales, ",") {
		s, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || s <= 0 {
			fmt.Fprintf(os.Stderr, "bench: -scales: %q is not a positive number\n", f)
			os.Exit(2)
		}
		o.Scales = append(o.Scales, s)
	}
	o.Out, o.Log = os.Stdout, io.Discard
	if *verbose {
		o.Log = os.Stderr
	}
	if err := Run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Run builds or reuses each engine's datasets, times every endpoint on each
// and prints one table per engine.
func Run(ctx context.Context, o Options) error {
	if o.N <= 0 {
		o.N = 1
	}
	if o.MaxTime <= 0 {
		o.MaxTime = time.Minute
	}
	if o.Profile != "" {
		f, err := os.Create(o.Profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, engine := range o.Engines {
		var results []Result
		for _, s := range o.Scales {
			r, err := Measure(ctx, o, engine, s)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		Print(o.Out, engine, results)
	}
	return nil
}

// Result is one dataset's timings.
type Result struct {
	Dataset *dataset.Dataset
	Open    time.Duration // finding or building the dataset
	Timings []Timing
}

// Timing is one endpoint's figures.
type Timing struct {
	Endpoint Endpoint
	Median   time.Duration
	Requests int
	Bytes    int
	Status   int // the first status other than 200, or 200
}

// Measure opens (building if needed) one dataset and times every endpoint.
func Measure(ctx context.Context, o Options, engine string, scale float64) (Result, error) {
	var res Result
	start := time.Now()
	fmt.Fprintf(o.Log, "%s scale %s: opening\n", engine, dataset.ScaleName(scale))
	ds, err := dataset.Open(ctx, dataset.Options{Engine: engine, DSN: o.DSN, Scale: scale, CacheDir: o.Cache, Rebuild: o.Rebuild, Progress: o.Log})
	if err != nil {
		return res, err
	}
	res.Dataset, res.Open = ds, time.Since(start)
	// The real clock, held still while the requests run and moved only to
	// pass the second factor with a code not used before.
	c := clock.NewFixed(time.Now())
	a, err := ds.App(ctx, c)
	if err != nil {
		return res, err
	}
	defer a.Close()
	ss, err := signIn(ctx, a, c, ds)
	if err != nil {
		return res, fmt.Errorf("%s scale %s: %w", engine, dataset.ScaleName(scale), err)
	}
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		return res, err
	}
	srv := httptest.NewServer(h) // 127.0.0.1
	defer srv.Close()
	client := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	for _, ep := range Endpoints(ds) {
		t, err := timeEndpoint(ctx, client, srv.URL, ep, ss, o.N, o.MaxTime)
		if err != nil {
			return res, fmt.Errorf("%s scale %s: %s: %w", engine, dataset.ScaleName(scale), ep.Name, err)
		}
		res.Timings = append(res.Timings, t)
	}
	return res, nil
}

// Role is who requests an endpoint.
type Role int

const (
	POC         Role = iota // France's CERT duty officer
	Secretariat             // the directory's managers
)

// Endpoint is one list to time.
type Endpoint struct {
	Name string
	Path string
	API  bool // bearer token rather than session cookie
	As   Role
}

// Endpoints are the list pages and list endpoints, with the dataset's
// samples filled in.
func Endpoints(ds *dataset.Dataset) []Endpoint {
	s := ds.Samples
	return []Endpoint{
		{"directory", "/directory", false, POC},
		{"directory search", "/directory?q=" + s.DirectoryWord, false, POC},
		{"State page", "/directory/states/" + s.State, false, POC},
		{"catalogue", "/framework", false, POC},
		{"inbox", "/messages", false, POC},
		{"sent", "/messages?box=sent", false, POC},
		{"inbox search", "/messages?q=" + s.SearchWord, false, POC},
		{"thread", "/threads/" + s.ThreadID, false, POC},
		{"checks", "/checks", false, Secretariat},
		{"check report", "/checks/" + s.CheckID, false, Secretariat},
		{"published results", "/results", false, Secretariat},
		{"audit log", "/admin/audit", false, Secretariat},
		{"accounts", "/admin/accounts", false, Secretariat},
		{"States (admin)", "/admin/states", false, Secretariat},
		{"export directory CSV", "/directory/export.csv", false, POC},
		{"export directory JSON", "/directory/export.json", false, POC},
		{"export directory vCard", "/directory/export.vcf", false, POC},
		{"export check CSV", "/checks/" + s.CheckID + "/export.csv", false, Secretariat},
		{"API pocs", "/api/v1/pocs", true, POC},
		{"API pocs search", "/api/v1/pocs?q=" + s.DirectoryWord, true, POC},
		{"API states", "/api/v1/states", true, POC},
		{"API state", "/api/v1/states/" + s.State, true, POC},
		{"API provisions", "/api/v1/framework/provisions", true, POC},
		{"API messages", "/api/v1/messages", true, POC},
		{"API messages search", "/api/v1/messages?q=" + s.SearchWord, true, POC},
		{"API thread", "/api/v1/threads/" + s.ThreadID, true, POC},
		{"API pending checks", "/api/v1/checks/pending", true, POC},
		{"API checks", "/api/v1/checks", true, Secretariat},
		{"API check", "/api/v1/checks/" + s.CheckID, true, Secretariat},
		{"API check follow-up", "/api/v1/checks/" + s.CheckID + "/follow-up", true, Secretariat},
		{"API check results", "/api/v1/check-results", true, Secretariat},
		{"API audit", "/api/v1/audit", true, Secretariat},
		{"API accounts", "/api/v1/accounts", true, Secretariat},
	}
}

// sessions are the credentials of each role.
type sessions struct {
	cookie, token map[Role]string
}

// signIn signs the POC and the secretariat in (the secretariat passes its
// second factor) and makes each a read-only API token.
func signIn(ctx context.Context, a *app.App, c *clock.Fixed, ds *dataset.Dataset) (sessions, error) {
	ss := sessions{cookie: map[Role]string{}, token: map[Role]string{}}
	for role, email := range map[Role]string{POC: ds.Logins.POC, Secretariat: ds.Logins.Secretariat} {
		token, sess, err := a.Access.SignIn(ctx, email, dataset.Password, "127.0.0.1", "bench")
		if err != nil {
			return ss, fmt.Errorf("sign in %s: %w", email, err)
		}
		// A code is good once: a run soon after another waits for the
		// next one on the held clock.
		for tries := 0; !sess.Complete(); tries++ {
			code, err := access.TOTPCode(ds.Logins.SecretariatTOTP, c.Now())
			if err != nil {
				return ss, err
			}
			next, s2, err := a.Access.CompleteTOTP(ctx, token, code)
			if errs.Is(err, errs.Invalid) && tries < 3 {
				c.Advance(30 * time.Second)
				continue
			}
			if err != nil {
				return ss, fmt.Errorf("second factor %s: %w", email, err)
			}
			token, sess = next, s2
		}
		ss.cookie[role] = token
		acc, err := a.Access.AccountByEmail(ctx, actor.Operator, email)
		if err != nil {
			return ss, err
		}
		secret, _, err := a.Access.CreateToken(ctx, acc.Actor(), "bench", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
		if err != nil {
			return ss, fmt.Errorf("token %s: %w", email, err)
		}
		ss.token[role] = secret
	}
	return ss, nil
}

// timeEndpoint requests ep once to warm up, then up to n times within
// max, and takes the median.
func timeEndpoint(ctx context.Context, client *http.Client, base string, ep Endpoint, ss sessions, n int, max time.Duration) (Timing, error) {
	t := Timing{Endpoint: ep, Status: http.StatusOK}
	get := func() (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+ep.Path, nil)
		if err != nil {
			return 0, err
		}
		if ep.API {
			req.Header.Set("Authorization", "Bearer "+ss.token[ep.As])
		} else {
			req.AddCookie(&http.Cookie{Name: "__Host-detente", Value: ss.cookie[ep.As]})
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(start)
		if err != nil {
			return 0, err
		}
		t.Bytes = len(b)
		if res.StatusCode != http.StatusOK && t.Status == http.StatusOK {
			t.Status = res.StatusCode
		}
		return took, nil
	}
	if _, err := get(); err != nil {
		return t, err
	}
	var times []time.Duration
	deadline := time.Now().Add(max)
	for len(times) < n && (len(times) == 0 || time.Now().Before(deadline)) {
		d, err := get()
		if err != nil {
			return t, err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	t.Median, t.Requests = times[len(times)/2], len(times)
	return t, nil
}

// Print writes one engine's table: an endpoint per row, a scale per
// column, the last scale over the first, and the sizes.
func Print(w io.Writer, engine string, rs []Result) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", engine)
	for _, r := range rs {
		c := r.Dataset.Counts
		how := "reused"
		if r.Dataset.Built {
			how = "built"
		}
		fmt.Fprintf(w, "  S%-5s %6d POCs %6d accounts %7d messages %7d deliveries %6d challenges %8d audit entries  (%s in %s",
			dataset.ScaleName(r.Dataset.Scale), c.POCs, c.Accounts, c.Messages, c.Deliveries, c.Challenges, c.AuditEntries, how, r.Open.Round(time.Second))
		if r.Dataset.Built {
			fmt.Fprintf(w, "; most build time in %s", topMethods(r.Dataset.Methods, 3))
		}
		fmt.Fprintln(w, ")")
	}
	first, last := rs[0], rs[len(rs)-1]
	fmt.Fprintf(w, "\n%-24s", "endpoint")
	for _, r := range rs {
		fmt.Fprintf(w, " %14s", "S"+dataset.ScaleName(r.Dataset.Scale)+" median")
	}
	fmt.Fprintf(w, " %9s %10s %10s\n", "ratio", "bytes S"+dataset.ScaleName(first.Dataset.Scale), "bytes S"+dataset.ScaleName(last.Dataset.Scale))
	bad := 0
	for i, t := range first.Timings {
		fmt.Fprintf(w, "%-24s", t.Endpoint.Name)
		for _, r := range rs {
			cell := r.Timings[i].Median.Round(10 * time.Microsecond).String()
			if st := r.Timings[i].Status; st != http.StatusOK {
				cell += fmt.Sprintf(" !%d", st)
				bad++
			}
			fmt.Fprintf(w, " %14s", cell)
		}
		ratio := float64(last.Timings[i].Median) / float64(max(t.Median, 1))
		mark := ""
		if ratio > 2 {
			mark = " *"
		}
		fmt.Fprintf(w, " %8.1fx%-2s %9d %10d\n", ratio, mark, t.Bytes, last.Timings[i].Bytes)
	}
	fmt.Fprintf(w, "(* over the goal of 2x; ratio = S%s / S%s)\n", dataset.ScaleName(last.Dataset.Scale), dataset.ScaleName(first.Dataset.Scale))
	if bad > 0 {
		fmt.Fprintf(w, "%d responses were not 200 (marked !status)\n", bad)
	}
}

func topMethods(ms []dataset.MethodStat, n int) string {
	var parts []string
	for _, m := range ms[:min(n, len(ms))] {
		parts = append(parts, fmt.Sprintf("%s %s over %d calls", m.Method, m.Total.Round(time.Second), m.Calls))
	}
	return strings.Join(parts, ", ")
}
