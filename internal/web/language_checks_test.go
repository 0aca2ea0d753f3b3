package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var chartSVG = regexp.MustCompile(`(?s)<svg xmlns="http://www.w3.org/2000/svg" class="chart".*?</svg>`)

// TestCheckPagesInFrenchAndArabic reads the communication check pages — the
// list, a report, the public results and the page a check mail's link
// opens, before and after its button — in French and in Arabic: their
// words come from the catalogue, the English ones are gone, and the bar
// charts carry translated labels and are drawn in the page's direction.
func TestCheckPagesInFrenchAndArabic(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		if err := f.app.Checks.SetPublished(context.Background(), f.acc["sec"].Actor(), f.earlier.ID, true); err != nil {
			t.Fatal(err)
		}
		cat := catalogue(t)
		// Each language answers the link of its own point of contact, so
		// that each sees the button before pressing it.
		// The first check mail FR's CERT got is of the earlier check,
		// closed since.
		var closed string
		for _, m := range f.mail.Messages() {
			if found := pingLink.FindStringSubmatch(strings.ReplaceAll(string(m.Data), "=\r\n", "")); found != nil && slices.Contains(m.To, frEntry) {
				closed = found[1]
				break
			}
		}
		tokens := map[i18n.Language]string{
			i18n.French: f.pingToken("cert@fr-cert.test.invalid"),
			i18n.Arabic: f.pingToken("ambassador@fr-mfa.test.invalid"),
		}
		for _, l := range []i18n.Language{i18n.French, i18n.Arabic} {
			t.Run(l.Code(), func(t *testing.T) {
				p := cat.Printer(l)
				chart := func(title string) string {
					return p.T("{chart}: response rates, as in the table", "chart", title)
				}
				sec := f.signIn("sec").on(t)
				anon := f.anon().on(t)
				for _, c := range []*client{sec, anon} {
					c.cookies["__Host-detente-lang"] = l.Code()
				}
				ping := "/ping/" + tokens[l]
				closedOn := p.T("This check closed on {datetime}. If the entry above is out of date, ask your State's administrator to update the directory.",
					"datetime", p.DateTime(f.earlier.ClosesAt, time.UTC))
				tests := []struct {
					name       string
					get        func() response
					status     int
					has        []string // translated words the page shows
					hasNot     []string // the English they replace
					chartHas   []string // in the SVG of the page's bar charts
					chartCount int      // how many bar charts the page draws
				}{
					{
						name:   "list of checks",
						get:    func() response { return sec.get("/checks") },
						status: ok,
						has: []string{p.T("Communication checks"), p.TC("checks", "All checks"), p.T("Schedule a check"),
							p.TC("check status", "Open"), p.TC("check status", "Closed"), p.TC("level", "Technical"),
							p.TC("regional group", "African"), p.T("Response rate per check, oldest first")},
						hasNot:     []string{"All checks", "Schedule a check", "Response rate across checks", "Which States", ">Technical<", ">Open<"},
						chartHas:   []string{chart(p.T("Response rate per check")), p.Percent(0.5)},
						chartCount: 1,
					},
					{
						name:   "report of a closed check",
						get:    func() response { return sec.get("/checks/" + f.earlier.ID) },
						status: ok,
						has: []string{p.T("Follow-up: points of contact not reached"), p.T("Download the results (CSV)"),
							p.T("Points of contact checked"), p.TC("check status", "Closed"), p.T("not in this check"),
							p.T("Summary map: the figures for each State are in the table beside it."), p.TC("checks", "No answer")},
						hasNot: []string{"Follow-up", "Download the results", "Points of contact checked", "Time to confirm",
							"not in this check", "Summary map", "No answer", ">Technical<", "By regional group"},
						chartHas:   []string{chart(p.T("By level")), chart(p.T("By regional group")), ">" + p.TC("level", "Technical") + "<", ">" + p.TC("regional group", "African") + "<", p.Percent(1)},
						chartCount: 2,
					},
					{
						name:   "public results",
						get:    func() response { return anon.get("/results") },
						status: ok,
						has: []string{p.T("Communication check results"), p.T("Points of contact checked"), p.T("Confirmed reachable"),
							p.TC("checks", "Held")},
						hasNot:     []string{"Aggregate results", "Points of contact checked", "Confirmed reachable", "Held", ">Technical<", "median"},
						chartHas:   []string{chart(p.T("By level")), ">" + p.TC("level", "Technical") + "<", ">" + p.TC("regional group", "African") + "<"},
						chartCount: 2,
					},
					{
						name:   "the page a check mail's link opens",
						get:    func() response { return anon.get(ping) },
						status: ok,
						has: []string{p.T("Communication check"), p.T("Confirm that we received this check"), p.Region("FR"),
							p.TC("checks", "Answer by")},
						hasNot: []string{"Confirm that we received", "Press the button", "Answer by", "the secretariat checks"},
					},
					{
						name: "a new check's field errors from the service",
						get: func() response {
							return sec.post("/checks", url.Values{"name": {"Ad hoc"}, "scope_kind": {"all"}, "window_hours": {"0"}})
						},
						status:     http.StatusUnprocessableEntity,
						has:        []string{p.T("give points of contact at least one hour to answer"), p.T("choose at least one level")},
						hasNot:     []string{"give points of contact", "choose at least one level"},
						chartCount: 1,
					},
					{
						name: "a new check's field errors from the form",
						get: func() response {
							return sec.post("/checks", url.Values{"name": {"Ad hoc"}, "scope_kind": {"all"}, "levels": {"technical"}, "window_hours": {"72"}, "repeat_months": {"six"}})
						},
						status:     http.StatusUnprocessableEntity,
						has:        []string{p.T("enter a whole number, such as 72")},
						hasNot:     []string{"enter a whole number"},
						chartCount: 1,
					},
					{
						name:   "a link that is no longer valid",
						get:    func() response { return anon.get("/ping/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") },
						status: notFound,
						has:    []string{tail(p.T("this check link is not valid; it may have been replaced by a newer reminder"))},
						hasNot: []string{"check link is not valid"},
					},
					{
						name:   "the link of a closed check",
						get:    func() response { return anon.get("/ping/" + closed) },
						status: ok,
						has:    []string{p.T("Communication check"), p.TC("checks", "Answer by"), closedOn},
						hasNot: []string{"This check closed on", "ask your State's administrator", "Confirm that we received"},
					},
					{
						name:   "pressing the button of a closed check",
						get:    func() response { return anon.post("/ping/"+closed, nil) },
						status: http.StatusConflict,
						has:    []string{p.T("Communication check"), closedOn},
						hasNot: []string{"This check closed on", "communication check closed on", "Confirm that we received"},
					},
					{
						name:   "after pressing its button",
						get:    func() response { return anon.post(ping, nil) },
						status: ok,
						has:    []string{p.T("Thank you: your State's point of contact is confirmed reachable.")},
						hasNot: []string{"Thank you", "Reachability was confirmed", "Nothing more is needed", "Confirm that we received"},
					},
				}
				for _, tc := range tests {
					t.Run(tc.name, func(t *testing.T) {
						r := tc.get()
						if r.status != tc.status {
							t.Fatalf("status %d, want %d\n%s", r.status, tc.status, snippet(r.body))
						}
						body := plain(r.body)
						for _, s := range tc.has {
							if !strings.Contains(body, plain(s)) {
								t.Errorf("lacks %q", s)
							}
						}
						for _, s := range tc.hasNot {
							if strings.Contains(body, s) {
								t.Errorf("still says %q in English", s)
							}
						}
						charts := chartSVG.FindAllString(r.body, -1)
						if len(charts) != tc.chartCount {
							t.Fatalf("%d bar charts, want %d", len(charts), tc.chartCount)
						}
						svg := plain(strings.Join(charts, "\n"))
						for _, s := range tc.chartHas {
							if !strings.Contains(svg, plain(s)) {
								t.Errorf("the charts lack %q:\n%s", s, svg)
							}
						}
						for _, c := range charts {
							if !strings.Contains(c, `direction="`+l.Dir()+`"`) {
								t.Errorf("a chart is not drawn %s: %.120s", l.Dir(), c)
							}
						}
					})
				}
			})
		}
	})
}

// tail is s without its first letter, which a page writing s as a
// sentence capitalises.
func tail(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[n:]
}

// plain is what a reader sees of s: entities decoded, without the
// invisible marks that isolate text of the other direction.
func plain(s string) string {
	return strings.NewReplacer("\u2068", "", "\u2069", "").Replace(html.UnescapeString(s))
}
