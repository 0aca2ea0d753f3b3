// Package metrics keeps the few counters an operator needs and writes them
// in the Prometheus text exposition format. It is small enough that a
// client library would cost more than it saves.
package metrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// buckets are request-duration upper bounds in seconds.
var buckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type requestKey struct {
	route  string // the route pattern, never the raw path: ids would explode the series
	method string
	code   int
}

type histogram struct {
	counts [len(buckets) + 1]uint64 // last is +Inf
	sum    float64
	n      uint64
}

// Registry holds the process's metrics. The zero value is not usable; call New.
type Registry struct {
	mu       sync.Mutex
	start    time.Time
	requests map[requestKey]uint64
	duration map[string]*histogram // by route
	gauges   map[string]func() float64
	help     map[string]string
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{start: time.Now(), requests: map[requestKey]uint64{}, duration: map[string]*histogram{}, gauges: map[string]func() float64{}, help: map[string]string{}}
}

// ObserveRequest records one HTTP request.
func (r *Registry) ObserveRequest(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[requestKey{route, method, code}]++
	h := r.duration[route]
	if h == nil {
		h = &histogram{}
		r.duration[route] = h
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(buckets[:], s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// Gauge registers a value read at scrape time, e.g. open database
// connections.
func (r *Registry) Gauge(name, help string, f func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges[name] = f
	r.help[name] = help
}

func label(v string) string {
	return strconv.Quote(v) // Prometheus label escaping matches Go's for \, " and \n
}

// Write renders every metric in the text format, series sorted so scrapes
// are stable.
func (r *Registry) Write(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP detente_http_requests_total HTTP requests by route pattern, method and status.\n# TYPE detente_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.route != c.route {
			return a.route < c.route
		}
		if a.method != c.method {
			return a.method < c.method
		}
		return a.code < c.code
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "detente_http_requests_total{route=%s,method=%s,code=\"%d\"} %d\n", label(k.route), label(k.method), k.code, r.requests[k])
	}
	b.WriteString("# HELP detente_http_request_duration_seconds Time to serve HTTP requests by route pattern.\n# TYPE detente_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(r.duration))
	for k := range r.duration {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, route := range routes {
		h := r.duration[route]
		var cum uint64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "detente_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", label(route), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(buckets)]
		fmt.Fprintf(&b, "detente_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", label(route), cum)
		fmt.Fprintf(&b, "detente_http_request_duration_seconds_sum{route=%s} %s\n", label(route), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "detente_http_request_duration_seconds_count{route=%s} %d\n", label(route), h.n)
	}
	names := make([]string, 0, len(r.gauges))
	for k := range r.gauges {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		v := r.gauges[n]()
		if math.IsNaN(v) {
			continue
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", n, r.help[n], n, n, strconv.FormatFloat(v, 'g', -1, 64))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&b, "# HELP detente_uptime_seconds Seconds since the process started.\n# TYPE detente_uptime_seconds gauge\ndetente_uptime_seconds %s\n", strconv.FormatFloat(time.Since(r.start).Seconds(), 'f', 3, 64))
	fmt.Fprintf(&b, "# HELP detente_goroutines Goroutines now.\n# TYPE detente_goroutines gauge\ndetente_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(&b, "# HELP detente_heap_bytes Bytes of allocated heap objects.\n# TYPE detente_heap_bytes gauge\ndetente_heap_bytes %d\n", ms.HeapAlloc)
	_, err := io.WriteString(w, b.String())
	return err
}

type routeKey struct{}

// routeHolder lets the handler that matched a route tell the middleware
// that measures the request, which only sees the outer request.
type routeHolder struct{ pattern string }

// WithRoute returns a context in which SetRoute can record the matched
// route pattern, and a function that reads it back afterwards.
func WithRoute(ctx context.Context) (context.Context, func() string) {
	h := &routeHolder{}
	return context.WithValue(ctx, routeKey{}, h), func() string { return h.pattern }
}

// SetRoute records the route pattern that served the request in ctx.
func SetRoute(ctx context.Context, pattern string) {
	if h, ok := ctx.Value(routeKey{}).(*routeHolder); ok && pattern != "" {
		h.pattern = pattern
	}
}
