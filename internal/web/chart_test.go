package web

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/detente/detente/internal/pingtest"
)

func TestRateBand(t *testing.T) {
	tests := []struct {
		rate float64
		want int
	}{
		{0, 0}, {0.49, 0}, {0.5, 1}, {0.74, 1}, {0.75, 2}, {0.99, 2}, {1, 3},
	}
	for _, tc := range tests {
		if got := rateBand(tc.rate); got != tc.want {
			t.Errorf("rateBand(%v) = %d, want %d", tc.rate, got, tc.want)
		}
	}
	if n := len(rateBands()); n != 4 {
		t.Errorf("%d bands for 4 band indices", n)
	}
}

func TestBarChart(t *testing.T) {
	rows := []pingtest.Tally{{Key: `<script>"x"</script>`, Total: 4, Acknowledged: 1, Rate: 0.25}, {Key: "technical", Total: 2, Acknowledged: 2, Rate: 1}}
	svg := string(barChart(`A & B`, rows, plainLabel))
	if strings.Contains(svg, "<script>") {
		t.Fatal("a label reached the SVG unescaped")
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{`aria-label="A &amp; B: response rates, as in the table"`, ">25%<", ">100%<", `width="75"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s:\n%s", want, svg)
		}
	}
	// Two full-width tracks, and one full bar for the 100% row.
	if n := strings.Count(svg, `width="300"`); n != 3 {
		t.Errorf("%d full-width rectangles, want 3:\n%s", n, svg)
	}
	if strings.Contains(svg, "style=") {
		t.Error("inline style would break the CSP")
	}
}
