package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/worldmap"
)

func stateLabel(code string) string {
	if st, ok := states.ByCode(code); ok {
		return st.Name
	}
	return code
}

func plainLabel(k string) string { return k }

type checksData struct {
	Checks       []checks.Check
	Pager        pager
	History      []checks.Trend
	HistoryChart template.HTML
	Regions      []string
	Pending      []checks.Confirmation
}

// checksPage gathers what the list page shows the caller: one page of
// campaigns, as the query asks.
func (s *Server) checksPage(r *http.Request) (checksData, error) {
	a := who(r)
	d := checksData{Regions: states.Regions()}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		return d, err
	}
	res, err := s.app.Checks.ChecksPage(r.Context(), a, req)
	if err != nil {
		return d, err
	}
	d.Checks, d.Pager = res.Items, pagerFor(r, res.Next)
	if d.History, err = s.app.Checks.History(r.Context(), a); err != nil {
		return d, err
	}
	if d.Pending, err = s.app.Checks.Pending(r.Context(), a); err != nil {
		return d, err
	}
	if len(d.History) > 0 {
		rows := make([]checks.Tally, len(d.History))
		for i, h := range d.History {
			rows[i] = h.Tally
			rows[i].Key = h.Check.Name
		}
		d.HistoryChart = barChart("Response rate per check", rows, plainLabel)
	}
	return d, nil
}

func (s *Server) checks(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Communication checks", Nav: "checks",
		Form: map[string][]string{"scope_kind": {"all"}, "window_hours": {"72"}, "reminder_after_hours": {"48"}, "repeat_months": {"6"}, "levels": {"technical"}}}
	d, err := s.checksPage(r)
	if err != nil {
		p.Data = d
		s.listProblem(w, r, "checks", p, err)
		return
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "checks", p)
}

func (s *Server) createCheck(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	f := r.PostForm
	var bad errs.Fields
	number := func(k string) int {
		v := strings.TrimSpace(f.Get(k))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			if strings.Trim(v, "+-0123456789") == "" {
				bad.Add(k, "this number is far too large")
			} else {
				bad.Add(k, "enter a whole number, such as 72")
			}
		}
		return n
	}
	in := checks.Input{Name: f.Get("name"), ScopeKind: f.Get("scope_kind"), Levels: f["levels"], WindowHours: number("window_hours"),
		ReminderAfter: number("reminder_after_hours"), RepeatMonths: number("repeat_months")}
	switch in.ScopeKind {
	case checks.ScopeRegions:
		in.Scope = f["regions"]
	case checks.ScopeStates:
		in.Scope = splitList(f.Get("states"))
	}
	if v := strings.TrimSpace(f.Get("opens_at")); v != "" {
		t, err := time.Parse("2006-01-02T15:04", v)
		if err != nil {
			bad.Add("opens_at", "enter a date and time such as 2027-01-03T09:00, or leave it empty to open the check now")
		}
		in.OpensAt = t
	}
	fail := func(err error) {
		d, lerr := s.checksPage(r)
		if lerr != nil {
			s.renderError(w, r, lerr)
			return
		}
		s.renderForm(w, r, "checks", page{Title: "Communication checks", Nav: "checks", Data: d}, err)
	}
	// What the browser could not even send as a number or a time is
	// reported without asking the service, which stores nothing then.
	if err := bad.Err(); err != nil {
		fail(err)
		return
	}
	c, err := s.app.Checks.Create(r.Context(), a, in)
	if err != nil {
		fail(err)
		return
	}
	redirect(w, r, "/checks/"+c.ID+"?done=scheduled")
}

// reportData is one campaign's results page, or one published report on
// the public results page.
type reportData struct {
	View        checks.View
	Report      checks.Report // the public page's published aggregates
	Charts      map[string]template.HTML
	FollowUp    []followUp
	Pager       pager
	Filter      checks.FollowUpFilter
	States      []string // the States a filter may name: those in the check, for the secretariat
	Public      bool
	CanPublish  bool
	CanWithdraw bool
}

// Human writes a time to confirm for people, each number kept on the line
// of its unit.
func (reportData) Human(d time.Duration) string {
	return numberUnit.ReplaceAllString(checks.HumanDuration(d), "$1\u00a0")
}

var numberUnit = regexp.MustCompile(`(\d) `)

// OpensOn is when a scheduled check opens, as a sentence's words.
func (reportData) OpensOn(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// Level names a level as the tables show it.
func (reportData) Level(l string) string {
	if l == "" {
		return l
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

// followUp is one unreachable POC with the contact details the caller may
// see, so whoever follows up has the list in one place.
type followUp struct {
	Challenge checks.Challenge
	POC       directory.POC
}

func (s *Server) reportCharts(byLevel, byRegion, byState []checks.Tally) map[string]template.HTML {
	ch := map[string]template.HTML{"level": barChart("By level", byLevel, levelLabel)}
	if len(byRegion) > 0 {
		ch["region"] = barChart("By regional group", byRegion, plainLabel)
	}
	if len(byState) > 0 {
		ch["state"] = barChart("By State", byState, stateLabel)
	}
	return ch
}

func levelLabel(l string) string { return reportData{}.Level(l) }

// followUps adds to each unreachable POC the details the caller may see.
func (s *Server) followUps(r *http.Request, unreachable []checks.Challenge) []followUp {
	var out []followUp
	for _, ch := range unreachable {
		// A retired entry is still listed, without details.
		poc, _ := s.app.Directory.POC(r.Context(), who(r), ch.POCID)
		out = append(out, followUp{Challenge: ch, POC: poc})
	}
	return out
}

func (s *Server) checkReport(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	v, err := s.app.Checks.View(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := reportData{View: v, CanPublish: s.app.Checks.CanPublish(a, v.Check), CanWithdraw: s.app.Checks.CanWithdraw(a, v.Check),
		Filter: checks.FollowUpFilter{State: q.Get("state"), Level: q.Get("level"), Status: q.Get("status")}}
	switch {
	case v.All != nil:
		d.Charts = s.reportCharts(v.All.ByLevel, v.All.ByRegion, nil)
		for _, t := range v.All.ByState {
			d.States = append(d.States, t.Key)
		}
		if len(v.All.ByState) > 0 {
			// Over many States a map reads better than a bar per State; the
			// table beside it holds the same figures.
			d.Charts["state"] = rateMap(*v.All)
		}
	case v.Own != nil:
		d.Charts = s.reportCharts(v.Own.ByLevel, nil, nil)
		if p := v.Own.Published; p != nil {
			d.Charts["published-level"] = barChart("Published: by level", p.ByLevel, levelLabel)
			d.Charts["published-region"] = barChart("Published: by regional group", p.ByRegion, plainLabel)
		}
	}
	pg := page{Title: v.Check.Name, Nav: "checks", Data: &d}
	if v.Check.Status != checks.Scheduled {
		req, err := paging.Parse(q)
		var res paging.Page[checks.Challenge]
		if err == nil {
			res, err = s.app.Checks.FollowUp(r.Context(), a, v.Check.ID, d.Filter, req)
		}
		if err != nil {
			s.listProblem(w, r, "check", pg, err)
			return
		}
		d.FollowUp, d.Pager = s.followUps(r, res.Items), pagerFor(r, res.Next)
	}
	s.render(w, r, http.StatusOK, "check", pg)
}

// checkCSV exports what the report page shows in one table: group is
// overall, level, region, state or unreachable for the secretariat; own,
// level, state and unreachable for a State, with the published aggregates
// (published overall, published level, published region) once public.
func (s *Server) checkCSV(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Checks.View(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cw := csvAttachment(w, "detente-check-"+v.Check.ID+".csv")
	_ = cw.Write([]string{"group", "key", "total", "acknowledged", "bounced", "rate", "level", "contact", "reason"})
	write := func(group string, ts []checks.Tally) {
		for _, t := range ts {
			_ = cw.Write([]string{group, csvSafe(t.Key), itoa(t.Total), itoa(t.Acknowledged), itoa(t.Bounced), strconv.FormatFloat(t.Rate, 'f', 4, 64), "", "", ""})
		}
	}
	var unreachable []checks.Challenge
	switch {
	case v.All != nil:
		write("overall", []checks.Tally{v.All.Overall})
		write("level", v.All.ByLevel)
		write("region", v.All.ByRegion)
		write("state", v.All.ByState)
		unreachable = v.All.Unreachable
	case v.Own != nil:
		write("own", []checks.Tally{v.Own.Own})
		write("level", v.Own.ByLevel)
		write("state", []checks.Tally{v.Own.Own})
		if p := v.Own.Published; p != nil {
			write("published overall", []checks.Tally{p.Overall})
			write("published level", p.ByLevel)
			write("published region", p.ByRegion)
		}
		unreachable = v.Own.Unreachable
	}
	for _, u := range s.followUps(r, unreachable) {
		reason := "no answer"
		if u.Challenge.BouncedAt != nil {
			reason = "bounced: " + u.Challenge.Bounce
		}
		_ = cw.Write([]string{"unreachable", u.Challenge.State, "", "", "", "", u.Challenge.Level, csvSafe(strings.Join(u.POC.Emails, " ")), csvSafe(reason)})
	}
	cw.Flush()
}

func (s *Server) publishCheck(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.app.Checks.SetPublished(r.Context(), who(r), id, r.PostForm.Get("published") == "yes"); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/checks/"+id+"?done=saved")
}

func (s *Server) acknowledgeChallenge(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Checks.AcknowledgeAsAccount(r.Context(), who(r), r.PathValue("id"), checks.ViaInbox); err != nil {
		s.renderError(w, r, err)
		return
	}
	// Back to the page the button was on; only known pages, so the form
	// cannot send anyone elsewhere.
	back := "/checks"
	if r.PostForm.Get("from") == "messages" {
		back = "/messages"
	}
	redirect(w, r, back+"?done=confirmed-check")
}

// pingPage is what a POC sees after following the link in a check mail.
// It changes nothing: only the form's POST confirms.
func (s *Server) pingPage(w http.ResponseWriter, r *http.Request) {
	chk, err := s.app.Checks.Peek(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	s.render(w, r, http.StatusOK, "ping", page{Title: "Communication check", Data: chk})
}

// pingConfirm records the answer and shows the check as it now stands.
func (s *Server) pingConfirm(w http.ResponseWriter, r *http.Request) {
	chk, err := s.app.Checks.AcknowledgeToken(r.Context(), r.PathValue("token"), clientAddr(r))
	if err == nil {
		// Only the page needs the POC's entry, not the confirmation.
		chk, err = s.app.Checks.WithPOC(r.Context(), chk)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "ping", page{Title: "Communication check", Data: chk, Flash: "Thank you: your State's point of contact is confirmed reachable."})
}

type resultsData struct {
	Reports []reportData
}

// results is the public page: published aggregates, never per State.
func (s *Server) results(w http.ResponseWriter, r *http.Request) {
	cs, err := s.app.Checks.Published(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var d resultsData
	for _, c := range cs {
		rep, err := s.app.Checks.PublicResults(r.Context(), c.ID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Reports = append(d.Reports, reportData{Report: rep, Charts: s.reportCharts(rep.ByLevel, rep.ByRegion, nil), Public: true})
	}
	s.render(w, r, http.StatusOK, "results", page{Title: "Communication check results", Nav: "results", Data: d})
}

// rateBands are the map's legend. The bands are wide on purpose: the map
// shows where follow-up is needed, not a ranking.
func rateBands() []worldmap.Band {
	return []worldmap.Band{{Label: "under 50% confirmed"}, {Label: "50–74% confirmed"}, {Label: "75–99% confirmed"}, {Label: "all confirmed"}}
}

func rateBand(rate float64) int {
	switch {
	case rate >= 1:
		return 3
	case rate >= 0.75:
		return 2
	case rate >= 0.5:
		return 1
	}
	return 0
}

// rateMap colours each State in the report by its response rate; States
// outside the check are drawn as no data.
func rateMap(rep checks.Report) template.HTML {
	values := make(map[string]int, len(rep.ByState))
	for _, t := range rep.ByState {
		values[t.Key] = rateBand(t.Rate)
	}
	m := worldmap.Map{Title: "Response rate by State, " + rep.Check.Name, Bands: rateBands(), NoData: worldmap.Band{Label: "not in this check"}, ID: "rate-map"}
	return m.Render(values, stateLabel)
}
