package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/detente/detente/internal/checks"
)

// Bar chart layout, in viewBox units. The chart is drawn at its own width
// (chartW CSS px) and only shrinks to fit a narrower column; the narrowest
// the pages give it is an 18rem grid column (288 px), where chartFont still
// draws at more than 12 px. Each label sits on its own line(s) above its
// bar, so long State names wrap rather than run off or squeeze the bars.
const (
	chartW    = 320
	chartFont = 14
	chartLine = 18 // height of one label line
	barTrack  = 260
	barH      = 14
	rowGap    = 10
	// A generous average advance per character, as a fraction of the font
	// size: the browser picks the font, so wrapping errs on the short side.
	charAdvance = 0.62
)

// barChart draws response rates as a horizontal bar chart in inline SVG.
// The page puts the same figures in a table beside it, which is what
// screen readers and copy-paste use; the SVG is labelled as a summary.
func barChart(title string, rows []checks.Tally, label func(string) string) template.HTML {
	var body strings.Builder
	y := 0
	for _, r := range rows {
		for _, line := range wrapLabel(label(r.Key), chartW) {
			y += chartLine
			fmt.Fprintf(&body, `<text x="2" y="%d">%s</text>`, y-4, template.HTMLEscapeString(line))
		}
		top := y + 2
		rate := math.Max(0, math.Min(1, r.Rate))
		fmt.Fprintf(&body, `<rect x="0" y="%d" width="%d" height="%d" fill="#e6eaee"/>`, top, barTrack, barH)
		fmt.Fprintf(&body, `<rect x="0" y="%d" width="%d" height="%d" fill="#0b4f8a"/>`, top, int(rate*barTrack), barH)
		fmt.Fprintf(&body, `<text x="%d" y="%d">%.0f%%</text>`, barTrack+6, top+barH-2, r.Rate*100)
		y = top + barH + rowGap
	}
	h := max(y-rowGap+2, 1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(title+": response rates, as in the table"), chartW, h, chartW, h)
	fmt.Fprintf(&b, `<g font-size="%d" fill="#1b1f24">`, chartFont)
	b.WriteString(body.String())
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// wrapLabel breaks s into lines that fit width at the chart's font, at
// spaces where it can and inside a word only when the word alone is too
// long.
func wrapLabel(s string, width int) []string {
	perLine := max(int(float64(width)/(chartFont*charAdvance)), 1)
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		for utf8.RuneCountInString(word) > perLine {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			r := []rune(word)
			lines, word = append(lines, string(r[:perLine])), string(r[perLine:])
		}
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= perLine:
			line += " " + word
		default:
			lines, line = append(lines, line), word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
