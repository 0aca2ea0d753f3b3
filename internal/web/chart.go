package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/i18n"
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

// bar is one row of a horizontal bar chart: its label, how much of the
// track it fills (0 to 1) and the figure written beside it.
type bar struct {
	Label  string
	Filled float64
	Figure string
}

// bars draws rows as a horizontal bar chart in inline SVG, described to
// screen readers by summary. Each label sits on its own line(s) above its
// bar. The page puts the same figures in a table beside it, which is what
// screen readers and copy-paste use; the SVG is labelled as a summary.
//
// In a right-to-left language the chart is mirrored: labels start at the
// right edge, bars grow leftwards from it and each figure sits left of its
// track. The SVG states its direction, so that text anchored at its start
// does not take the page's direction and run off the chart.
func bars(p *i18n.Printer, summary string, rows []bar) template.HTML {
	rtl := p.Language().RTL()
	// x of where a box of width w starting at x (left to right) lands.
	flip := func(x, w int) int {
		if rtl {
			return chartW - x - w
		}
		return x
	}
	textX, figureX := 2, barTrack+6
	if rtl {
		textX, figureX = chartW-2, chartW-barTrack-6
	}
	var body strings.Builder
	y := 0
	for _, r := range rows {
		for _, line := range wrapLabel(r.Label, chartW) {
			y += chartLine
			fmt.Fprintf(&body, `<text x="%d" y="%d">%s</text>`, textX, y-4, template.HTMLEscapeString(line))
		}
		top := y + 2
		filled := int(math.Max(0, math.Min(1, r.Filled)) * barTrack)
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="#e6eaee"/>`, flip(0, barTrack), top, barTrack, barH)
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="#0b4f8a"/>`, flip(0, filled), top, filled, barH)
		fmt.Fprintf(&body, `<text x="%d" y="%d">%s</text>`, figureX, top+barH-2, template.HTMLEscapeString(r.Figure))
		y = top + barH + rowGap
	}
	h := max(y-rowGap+2, 1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" direction="%s">`,
		template.HTMLEscapeString(summary), chartW, h, chartW, h, p.Language().Dir())
	fmt.Fprintf(&b, `<g font-size="%d" fill="#1b1f24">`, chartFont)
	b.WriteString(body.String())
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// barChart draws response rates, in p's language: the title and the labels
// (label names each row's key) come translated, the rates are written as
// the language writes percentages.
func barChart(p *i18n.Printer, title string, rows []checks.Tally, label func(string) string) template.HTML {
	out := make([]bar, len(rows))
	for i, r := range rows {
		out[i] = bar{Label: label(r.Key), Filled: r.Rate, Figure: p.Percent(r.Rate)}
	}
	return bars(p, p.T("{chart}: response rates, as in the table", "chart", title), out)
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
