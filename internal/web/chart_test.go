package web

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/detente/detente/internal/checks"
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
	rows := []checks.Tally{{Key: `<script>"x"</script>`, Total: 4, Acknowledged: 1, Rate: 0.25}, {Key: "technical", Total: 2, Acknowledged: 2, Rate: 1}}
	svg := string(barChart(`A & B`, rows, plainLabel))
	if strings.Contains(svg, "<script>") {
		t.Fatal("a label reached the SVG unescaped")
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{`aria-label="A &amp; B: response rates, as in the table"`, ">25%<", ">100%<", `width="65"`, `font-size="14"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s:\n%s", want, svg)
		}
	}
	// Two full-width tracks, and one full bar for the 100% row.
	if n := strings.Count(svg, `width="260"`); n != 3 {
		t.Errorf("%d full-width rectangles, want 3:\n%s", n, svg)
	}
	if strings.Contains(svg, "style=") {
		t.Error("inline style would break the CSP")
	}
}

// A chart is drawn at most 320 px wide, so its 14-unit text stays above
// 12 px down to an 18rem column: a long State name wraps onto lines that
// fit, at word boundaries, instead of running off the SVG.
func TestBarChartWrapsLongLabels(t *testing.T) {
	const long = "United Kingdom of Great Britain and Northern Ireland"
	rows := []checks.Tally{{Key: long, Rate: 0.5}, {Key: "Kenya", Rate: 1}, {Key: strings.Repeat("x", 60), Rate: 0}}
	svg := string(barChart("By State", rows, plainLabel))
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Width   int    `xml:"width,attr"`
		G       struct {
			Texts []struct {
				X    int    `xml:"x,attr"`
				Y    int    `xml:"y,attr"`
				Text string `xml:",chardata"`
			} `xml:"text"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	if doc.Width != chartW {
		t.Errorf("drawn %d wide, want %d", doc.Width, chartW)
	}
	var lines []string
	for _, tx := range doc.G.Texts {
		if float64(tx.X)+float64(len([]rune(tx.Text)))*chartFont*charAdvance > chartW {
			t.Errorf("%q at x %d runs past the chart's %d units", tx.Text, tx.X, chartW)
		}
		lines = append(lines, tx.Text)
	}
	got := strings.Join(lines, "|")
	want := "United Kingdom of Great Britain and|Northern Ireland|50%|Kenya|100%|" + strings.Repeat("x", 36) + "|" + strings.Repeat("x", 24) + "|0%"
	if got != want {
		t.Errorf("text lines\n got %s\nwant %s", got, want)
	}
	// Lines and bars never overlap: each text baseline is below the last.
	for i := 1; i < len(doc.G.Texts); i++ {
		if doc.G.Texts[i].Y <= doc.G.Texts[i-1].Y {
			t.Errorf("line %d (y %d) not below line %d (y %d)", i, doc.G.Texts[i].Y, i-1, doc.G.Texts[i-1].Y)
		}
	}
}

func TestWrapLabel(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"technical", []string{"technical"}},
		{"  two   spaces  ", []string{"two spaces"}},
		{"Latin American and Caribbean States", []string{"Latin American and Caribbean States"}},
		{"Western European and other States group", []string{"Western European and other States", "group"}},
		{strings.Repeat("é", 40), []string{strings.Repeat("é", 36), strings.Repeat("é", 4)}},
	}
	for _, tc := range tests {
		if got := wrapLabel(tc.in, chartW); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrapLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
