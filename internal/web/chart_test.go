package web

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/i18n"
)

// printer is the catalogue's printer for l; a message the catalogue lacks
// fails the test.
func printer(t *testing.T, l i18n.Language) *i18n.Printer {
	t.Helper()
	c, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	return c.Printer(l)
}

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
	if n := len(rateBands(printer(t, i18n.English))); n != 4 {
		t.Errorf("%d bands for 4 band indices", n)
	}
}

func TestBarChart(t *testing.T) {
	rows := []checks.Tally{{Key: `<script>"x"</script>`, Total: 4, Acknowledged: 1, Rate: 0.25}, {Key: "technical", Total: 2, Acknowledged: 2, Rate: 1}}
	svg := string(barChart(printer(t, i18n.English), `A & B`, rows, plainLabel))
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
	svg := string(barChart(printer(t, i18n.English), "By State", rows, plainLabel))
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

// In a right-to-left language the chart is mirrored: it says so (the page's
// dir would otherwise anchor its text wrongly), labels start at the right
// edge and wrap to fit, each bar grows leftwards from the right edge, and
// each rate, written as the language writes percentages, sits left of its
// track without running off the chart.
func TestBarChartRightToLeft(t *testing.T) {
	p := printer(t, i18n.Arabic)
	rows := []checks.Tally{
		{Key: "مجموعة دول أمريكا اللاتينية ومنطقة البحر الكاريبي والدول الأخرى", Rate: 0.25},
		{Key: "Kenya", Rate: 1},
		{Key: "x", Rate: 0},
	}
	svg := string(barChart(p, "حسب الدولة", rows, plainLabel))
	type box struct {
		X     int    `xml:"x,attr"`
		Y     int    `xml:"y,attr"`
		Width int    `xml:"width,attr"`
		Fill  string `xml:"fill,attr"`
		Text  string `xml:",chardata"`
	}
	var doc struct {
		Direction string `xml:"direction,attr"`
		Label     string `xml:"aria-label,attr"`
		G         struct {
			Texts []box `xml:"text"`
			Rects []box `xml:"rect"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	if doc.Direction != "rtl" {
		t.Errorf("direction %q, want rtl", doc.Direction)
	}
	if want := p.T("{chart}: response rates, as in the table", "chart", "حسب الدولة"); doc.Label != want {
		t.Errorf("aria-label %q, want %q", doc.Label, want)
	}
	var bars []box
	for _, r := range doc.G.Rects {
		if r.X+r.Width != chartW {
			t.Errorf("a bar from %d, %d wide, does not end at the right edge (%d)", r.X, r.Width, chartW)
		}
		if r.Fill == "#0b4f8a" {
			bars = append(bars, r)
		}
	}
	if len(bars) != 3 || bars[0].Width != barTrack/4 || bars[1].Width != barTrack || bars[2].Width != 0 {
		t.Errorf("bars %+v, want a quarter, a full and an empty one", bars)
	}
	rates := map[string]bool{p.Percent(0.25): true, p.Percent(1.0): true, p.Percent(0.0): true}
	var labels int
	for _, tx := range doc.G.Texts {
		// Text anchored at its start runs leftwards from x.
		if float64(tx.X)-float64(len([]rune(tx.Text)))*chartFont*charAdvance < 0 {
			t.Errorf("%q at x %d runs past the chart's left edge", tx.Text, tx.X)
		}
		switch {
		case rates[tx.Text]:
			if tx.X != chartW-barTrack-6 {
				t.Errorf("rate %q at x %d, want left of its track at %d", tx.Text, tx.X, chartW-barTrack-6)
			}
		case tx.X == chartW-2:
			labels++
		default:
			t.Errorf("text %q at x %d is neither a label nor a rate", tx.Text, tx.X)
		}
	}
	if labels != 4 { // the long label wraps onto two lines
		t.Errorf("%d label lines, want 4:\n%s", labels, svg)
	}
	for i := 1; i < len(doc.G.Texts); i++ {
		if doc.G.Texts[i].Y <= doc.G.Texts[i-1].Y {
			t.Errorf("line %d (y %d) not below line %d (y %d)", i, doc.G.Texts[i].Y, i-1, doc.G.Texts[i-1].Y)
		}
	}
	if ltr := string(barChart(printer(t, i18n.French), "Par État", rows, plainLabel)); !strings.Contains(ltr, `direction="ltr"`) || !strings.Contains(ltr, `<rect x="0" `) {
		t.Errorf("a French chart is not drawn left to right:\n%s", ltr)
	}
}
