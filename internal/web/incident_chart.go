package web

import (
	"html/template"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
)

// countChart draws how many incidents fall under each key as horizontal
// bars: each bar is as long as its count against the largest, with the
// count beside it, written as the language writes numbers. Counts are of
// incidents, never of States.
func countChart(p *i18n.Printer, title string, rows []incident.Count, label func(string) string) template.HTML {
	most := 1
	for _, r := range rows {
		most = max(most, r.N)
	}
	out := make([]bar, len(rows))
	for i, r := range rows {
		out[i] = bar{Label: label(r.Key), Filled: float64(r.N) / float64(most), Figure: p.Number(r.N)}
	}
	return bars(p, p.T("{chart}: numbers of incidents, as in the table", "chart", title), out)
}
