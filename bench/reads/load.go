package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Side is what one side of a comparison measured.
type Side struct {
	Requests   int
	Elapsed    time.Duration
	P50, P99   time.Duration
	CPU        time.Duration // process CPU (user+system) over the run: server, clients and GC
	NewConns   int64         // connections the server accepted during the run
	Mismatches int           // answers that were not 200 or not of the expected size
	FirstBad   string        // the first of them, described
	lat        []time.Duration
}

// add counts o's run into s; P50 and P99 are over both.
func (s *Side) add(o Side) {
	s.Requests += o.Requests
	s.Elapsed += o.Elapsed
	s.CPU += o.CPU
	s.NewConns += o.NewConns
	s.Mismatches += o.Mismatches
	if s.FirstBad == "" {
		s.FirstBad = o.FirstBad
	}
	s.lat = append(s.lat, o.lat...)
	slices.Sort(s.lat)
	s.P50, s.P99 = percentile(s.lat, 50), percentile(s.lat, 99)
}

// percentile is the p-th percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

// RPS is requests per second.
func (s Side) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}

// CPUPerRequest is the process CPU time spent per request.
func (s Side) CPUPerRequest() time.Duration {
	if s.Requests == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.Requests)
}

// newClient returns a client that keeps one connection per concurrent
// client open to the server, asks for no compression (so both sides send
// the same identity bytes) and never follows a redirect (a redirect to the
// sign-in page must show as such, not as the page it leads to).
func newClient(clients int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        2 * clients,
			MaxIdleConnsPerHost: clients,
			MaxConnsPerHost:     clients,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// target is what the load runs against: a URL, how to sign the request
// and the size an answer must have.
type target struct {
	url    string
	auth   func(*http.Request)
	size   int64
	client *http.Client
	conns  *atomic.Int64 // connections the server has accepted so far
}

// sameSizeClass reports whether a body of n bytes is the page that was
// captured (want bytes): pages that show relative times may differ by a
// few bytes from one request to the next, an error page or a sign-in form
// by far more.
func sameSizeClass(n, want int64) bool {
	d := n - want
	if d < 0 {
		d = -d
	}
	return d <= max(want/20, 64)
}

// load runs clients concurrent loops of GET requests against t until
// duration has passed or, when requests > 0, that many have been sent in
// all, and returns their latencies and throughput.
func load(ctx context.Context, t target, clients int, duration time.Duration, requests int) (Side, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		sent     atomic.Int64 // requests claimed, when counting
		mu       sync.Mutex
		bad      int
		firstBad string
		wg       sync.WaitGroup
	)
	lat := make([][]time.Duration, clients)
	stop := time.Time{}
	if requests <= 0 {
		stop = time.Now().Add(duration)
	}
	fail := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		if bad == 0 {
			firstBad = what
		}
		bad++
	}
	conns0 := t.conns.Load()
	cpu0 := processCPU()
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
			if err != nil {
				fail(err.Error())
				return
			}
			if t.auth != nil {
				t.auth(req)
			}
			own := make([]time.Duration, 0, 1024)
			defer func() { lat[i] = own }()
			for ctx.Err() == nil {
				if requests > 0 {
					if sent.Add(1) > int64(requests) {
						return
					}
				} else if time.Now().After(stop) {
					return
				}
				t0 := time.Now()
				res, err := t.client.Do(req)
				if err != nil {
					fail(err.Error())
					cancel()
					return
				}
				n, err := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				own = append(own, time.Since(t0))
				switch {
				case err != nil:
					fail(err.Error())
				case res.StatusCode != http.StatusOK:
					fail(fmt.Sprintf("status %d (Location %q)", res.StatusCode, res.Header.Get("Location")))
				case !sameSizeClass(n, t.size):
					fail(fmt.Sprintf("%d bytes, captured %d", n, t.size))
				}
			}
		}()
	}
	wg.Wait()
	s := Side{Elapsed: time.Since(start), CPU: processCPU() - cpu0, NewConns: t.conns.Load() - conns0, Mismatches: bad, FirstBad: firstBad}
	s.lat = slices.Concat(lat...)
	slices.Sort(s.lat)
	s.Requests = len(s.lat)
	s.P50, s.P99 = percentile(s.lat, 50), percentile(s.lat, 99)
	if bad > 0 {
		return s, fmt.Errorf("%d of %d answers were wrong, the first: %s", bad, s.Requests, firstBad)
	}
	return s, nil
}
