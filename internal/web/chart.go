package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/detente/detente/internal/pingtest"
)

// barChart draws response rates as a horizontal bar chart in inline SVG.
// The page puts the same figures in a table beside it, which is what
// screen readers and copy-paste use; the SVG is labelled as a summary.
func barChart(title string, rows []pingtest.Tally, label func(string) string) template.HTML {
	const (
		rowH   = 22
		labelW = 230
		barW   = 300
		pad    = 8
	)
	h := len(rows)*rowH + 2*pad
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(title+": response rates, as in the table"), labelW+barW+70, h, labelW+barW+70, h)
	for i, r := range rows {
		y := pad + i*rowH
		w := int(r.Rate * barW)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#1b1f24">%s</text>`, labelW-6, y+15, template.HTMLEscapeString(label(r.Key)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#e6eaee"/>`, labelW, y+2, barW)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#0b4f8a"/>`, labelW, y+2, w)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#1b1f24">%.0f%%</text>`, labelW+barW+6, y+15, r.Rate*100)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
