package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/web"
)

// Options are one run's settings.
type Options struct {
	Clients    int           // concurrent clients per side
	Duration   time.Duration // timed run per side and endpoint
	Requests   int           // if > 0, requests per side and endpoint instead of Duration
	Rounds     int           // the timed run of each side is cut in this many turns, taken alternately; 0: 1
	Filter     string        // only endpoints whose name or path contains this
	CPUProfile string        // CPU profile of the timed runs; detente's requests carry the labels side=detente and path
	MemProfile string        // heap profile at the end
	Save       string        // if set, each captured body is written in this directory
	Engine     string        // "sqlite" or "postgres"
	DSN        string        // PostgreSQL server URL, for the dataset
	Scale      float64       // 0: the demo seeded afresh; else the cached dataset of this scale (bench/internal/dataset)
	CacheDir   string        // where the dataset's SQLite files are kept; "": the dataset's default
	Progress   io.Writer     // what is being done; nil: nothing
}

// Endpoint is one page or API operation and who asks for it.
type Endpoint struct {
	Name string // as printed
	Path string
	As   string // who asks, and with what credential
	Goal bool   // the issue asks for a throughput ratio of at least GoalRatio
	auth func(*http.Request)
	html bool // a page for a signed-in person: it must show the sign-out button
}

// GoalRatio is the throughput detente should keep against the bare
// handler on the directory's main reads.
const GoalRatio = 0.5

// Measure is one endpoint's comparison.
type Measure struct {
	Endpoint
	Bytes       int
	ContentType string
	Same        bool // the bare handler answered exactly the captured bytes
	Detente     Side
	Bare        Side
}

// Ratio is detente's throughput over the bare handler's.
func (m Measure) Ratio() float64 {
	if m.Bare.RPS() == 0 {
		return 0
	}
	return m.Detente.RPS() / m.Bare.RPS()
}

// Result is a whole run.
type Result struct {
	Opt      Options
	Data     string // what the database holds
	Measures []Measure
	PeakRSS  int64 // bytes
	Load     [2]string
}

// Run opens the data, signs the bench's people in, and compares every
// selected endpoint against a bare handler serving its bytes.
func Run(ctx context.Context, opt Options) (Result, error) {
	res := Result{Opt: opt, Load: [2]string{loadAvg(), ""}}
	if opt.Clients < 1 {
		return res, errors.New("-c must be at least 1")
	}
	if opt.Requests <= 0 && opt.Duration <= 0 {
		return res, errors.New("give a duration (-d) or a number of requests (-n)")
	}
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	a, c, data, closeData, err := openData(ctx, opt, progress)
	if err != nil {
		return res, err
	}
	defer closeData()
	res.Data = data
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		return res, err
	}
	if opt.CPUProfile != "" {
		h = labelled(h)
	}
	srv, conns := serve(h)
	defer srv.Close()
	eps, err := endpoints(ctx, a, c)
	if err != nil {
		return res, err
	}
	var chosen []Endpoint
	for _, ep := range eps {
		if opt.Filter == "" || strings.Contains(ep.Name, opt.Filter) || strings.Contains(ep.Path, opt.Filter) {
			chosen = append(chosen, ep)
		}
	}
	if len(chosen) == 0 {
		return res, fmt.Errorf("no endpoint matches %q", opt.Filter)
	}
	if opt.CPUProfile != "" {
		f, err := os.Create(opt.CPUProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	for _, ep := range chosen {
		fmt.Fprintf(progress, "%s as %s…\n", ep.Name, ep.As)
		m, err := compare(ctx, srv.URL, conns, ep, opt)
		res.Measures = append(res.Measures, m)
		if err != nil {
			return res, fmt.Errorf("%s as %s: %w", ep.Name, ep.As, err)
		}
	}
	res.Load[1] = loadAvg()
	res.PeakRSS = peakRSS()
	if opt.MemProfile != "" {
		f, err := os.Create(opt.MemProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return res, err
		}
	}
	return res, nil
}

// serve starts h on a loopback port and counts the connections it accepts.
func serve(h http.Handler) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	return srv, &conns
}

// labelled marks detente's requests in a CPU profile, so that
// `go tool pprof -tagfocus side=detente` shows the server alone, and
// `-tagfocus path=/directory` one endpoint.
func labelled(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("side", "detente", "path", r.URL.Path), func(ctx context.Context) {
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	})
}

// compare captures what detente answers for ep, checks that it is the
// page asked for, serves the same bytes from a bare handler, and times
// both.
func compare(ctx context.Context, base string, conns *atomic.Int64, ep Endpoint, opt Options) (Measure, error) {
	m := Measure{Endpoint: ep}
	client := newClient(opt.Clients)
	defer client.CloseIdleConnections()
	body, hdr, err := fetch(ctx, client, base+ep.Path, ep.auth)
	if err != nil {
		return m, err
	}
	m.Bytes, m.ContentType = len(body), hdr.Get("Content-Type")
	if opt.Save != "" {
		if err := os.WriteFile(filepath.Join(opt.Save, saveName(ep.Name, m.ContentType)), body, 0o644); err != nil {
			return m, err
		}
	}
	if ep.html && !bytes.Contains(body, []byte(`action="/logout"`)) {
		return m, errors.New("the page does not show a signed-in person: the session was not accepted")
	}
	// A second answer must be the same page: a page that changes as it
	// is read would make the bare side's copy a different page.
	again, _, err := fetch(ctx, client, base+ep.Path, ep.auth)
	if err != nil {
		return m, err
	}
	if !sameSizeClass(int64(len(again)), int64(len(body))) {
		return m, fmt.Errorf("a second request answered %d bytes, the first %d", len(again), len(body))
	}

	bare, bareConns := serve(bareHandler(hdr, body))
	defer bare.Close()
	bareClient := newClient(opt.Clients)
	defer bareClient.CloseIdleConnections()
	got, gotHdr, err := fetch(ctx, bareClient, bare.URL, nil)
	if err != nil {
		return m, fmt.Errorf("bare handler: %w", err)
	}
	m.Same = bytes.Equal(got, body) && gotHdr.Get("Content-Type") == m.ContentType
	if !m.Same {
		return m, fmt.Errorf("the bare handler answered %d bytes of %q, detente %d of %q", len(got), gotHdr.Get("Content-Type"), len(body), m.ContentType)
	}

	ours := target{url: base + ep.Path, auth: ep.auth, size: int64(len(body)), client: client, conns: conns}
	theirs := target{url: bare.URL, size: int64(len(body)), client: bareClient, conns: bareConns}
	// Warm up both sides with every client, so connections are open and
	// caches are filled before the clock starts.
	for _, t := range []target{ours, theirs} {
		if _, err := load(ctx, t, opt.Clients, 0, 4*opt.Clients); err != nil {
			return m, fmt.Errorf("warming up %s: %w", t.url, err)
		}
	}
	// Both sides take turns, so that a machine busy with something else
	// for a while slows both rather than one.
	rounds := max(opt.Rounds, 1)
	for i := range rounds {
		d := opt.Duration / time.Duration(rounds)
		n := 0
		if opt.Requests > 0 {
			n = opt.Requests/rounds + btoi(i < opt.Requests%rounds)
			if n == 0 {
				continue
			}
		}
		s, err := load(ctx, ours, opt.Clients, d, n)
		m.Detente.add(s)
		if err != nil {
			return m, fmt.Errorf("detente: %w", err)
		}
		s, err = load(ctx, theirs, opt.Clients, d, n)
		m.Bare.add(s)
		if err != nil {
			return m, fmt.Errorf("bare handler: %w", err)
		}
	}
	return m, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fetch GETs url once and insists on a 200.
func fetch(ctx context.Context, c *http.Client, url string, auth func(*http.Request)) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if auth != nil {
		auth(req)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d, Location %q, %d bytes", url, res.StatusCode, res.Header.Get("Location"), len(b))
	}
	return b, res.Header, nil
}

// bareHandler answers every request with the captured headers and body,
// written as detente writes a page: the headers, then the body at once.
// Date is the server's own; Content-Length is kept only where detente
// sent one, so both sides frame the body alike.
func bareHandler(hdr http.Header, body []byte) http.Handler {
	keep := hdr.Clone()
	keep.Del("Date")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range keep {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}

// saveName is the file a captured body is saved in.
func saveName(name, contentType string) string {
	ext := ".html"
	if strings.HasPrefix(contentType, "application/json") {
		ext = ".json"
	}
	return strings.ReplaceAll(name, " ", "-") + ext
}

// loadAvg is the machine's load averages, when the system says.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
