package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
)

// countChart draws how many incidents fall under each key as horizontal
// bars in inline SVG, laid out as barChart lays out rates (a label on its
// own lines above each bar, mirrored in a right-to-left language): each
// bar is as long as its count against the largest, with the count beside
// it, written as the language writes numbers. The page puts the same
// figures in a table beside it. Counts are of incidents, never of States.
func countChart(p *i18n.Printer, title string, rows []incident.Count, label func(string) string) template.HTML {
	rtl := p.Language().RTL()
	flip := func(x, w int) int {
		if rtl {
			return chartW - x - w
		}
		return x
	}
	textX := 2
	if rtl {
		textX = chartW - 2
	}
	most := 1
	for _, r := range rows {
		most = max(most, r.N)
	}
	var body strings.Builder
	y := 0
	for _, r := range rows {
		for _, line := range wrapLabel(label(r.Key), chartW) {
			y += chartLine
			fmt.Fprintf(&body, `<text x="%d" y="%d">%s</text>`, textX, y-4, template.HTMLEscapeString(line))
		}
		top := y + 2
		filled := r.N * barTrack / most
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="#e6eaee"/>`, flip(0, barTrack), top, barTrack, barH)
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="#0b4f8a"/>`, flip(0, filled), top, filled, barH)
		nX := barTrack + 6
		if rtl {
			nX = chartW - barTrack - 6
		}
		fmt.Fprintf(&body, `<text x="%d" y="%d">%s</text>`, nX, top+barH-2, template.HTMLEscapeString(p.Number(r.N)))
		y = top + barH + rowGap
	}
	h := max(y-rowGap+2, 1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" direction="%s">`,
		template.HTMLEscapeString(p.T("{chart}: numbers of incidents, as in the table", "chart", title)), chartW, h, chartW, h, p.Language().Dir())
	fmt.Fprintf(&b, `<g font-size="%d" fill="#1b1f24">`, chartFont)
	b.WriteString(body.String())
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}
