package metrics

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sample is one line of the text format: name{labels} value.
var sample = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? \+Inf$`)

func TestWriteIsValidExposition(t *testing.T) {
	r := New()
	r.ObserveRequest("GET /directory", "GET", 200, 30*time.Millisecond)
	r.ObserveRequest("GET /directory", "GET", 200, 3*time.Second)
	r.ObserveRequest("GET /directory", "GET", 303, time.Millisecond)
	r.ObserveRequest(`weird "route"`, "POST", 500, 20*time.Second)
	r.Gauge("detente_db_open_connections", "Open database connections.", func() float64 { return 3 })
	var b strings.Builder
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		if !sample.MatchString(line) {
			t.Errorf("not a sample line: %q", line)
		}
	}
	for _, want := range []string{
		`detente_http_requests_total{route="GET /directory",method="GET",code="200"} 2`,
		`detente_http_requests_total{route="GET /directory",method="GET",code="303"} 1`,
		`detente_http_request_duration_seconds_bucket{route="GET /directory",le="0.005"} 1`,
		`detente_http_request_duration_seconds_bucket{route="GET /directory",le="0.05"} 2`,
		`detente_http_request_duration_seconds_bucket{route="GET /directory",le="+Inf"} 3`,
		`detente_http_request_duration_seconds_count{route="GET /directory"} 3`,
		`route="weird \"route\""`,
		`detente_http_request_duration_seconds_bucket{route="weird \"route\"",le="10"} 0`,
		"detente_db_open_connections 3",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
}
