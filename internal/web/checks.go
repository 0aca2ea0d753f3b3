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
	"github.com/detente/detente/internal/i18n"
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

// checkWords writes what the check pages say of a check — its status, its
// levels and regional groups, lists of them, times to confirm — in the
// page's language. The pages' data embed it, so that a template writes
// {{$.Data.Level .Level}}.
type checkWords struct{ p *i18n.Printer }

// Status names a check's status.
func (w checkWords) Status(s string) string {
	switch s {
	case checks.Scheduled:
		return w.p.TC("check status", "Scheduled")
	case checks.Open:
		return w.p.TC("check status", "Open")
	case checks.Closed:
		return w.p.TC("check status", "Closed")
	}
	return s
}

// Level names a level as a label: a table row, a choice, a column.
func (w checkWords) Level(l string) string { return levelLabel(w.p, l) }

// LevelPhrase names a level inside a sentence: "technical level".
func (w checkWords) LevelPhrase(l string) string {
	switch directory.Level(l) {
	case directory.Diplomatic:
		return w.p.TC("check level, in a sentence", "diplomatic level")
	case directory.Policy:
		return w.p.TC("check level, in a sentence", "policy level")
	case directory.Technical:
		return w.p.TC("check level, in a sentence", "technical level")
	}
	return l
}

// Region names a UN regional group.
func (w checkWords) Region(r string) string { return regionLabel(w.p, r) }

// State names a State by its code, as the templates' stateName does.
func (w checkWords) State(code string) string { return stateName(w.p, code) }

// LevelList, RegionList and StateList write a list of codes as the
// language separates the items of a list.
func (w checkWords) LevelList(v []string) string  { return w.list(v, w.Level) }
func (w checkWords) RegionList(v []string) string { return w.list(v, w.Region) }
func (w checkWords) StateList(v []string) string  { return w.list(v, w.State) }

func (w checkWords) list(v []string, name func(string) string) string {
	names := make([]string, len(v))
	for i, x := range v {
		names[i] = name(x)
	}
	return strings.Join(names, w.p.TC("list separator", ", "))
}

// Human writes a time to confirm as people say it — "45 min", "5 h 20
// min", "1 day 6 h" —, rounded to the minute under a day and to the hour
// beyond, each number kept on the line of its unit.
func (w checkWords) Human(d time.Duration) string {
	return numberUnit.ReplaceAllString(w.duration(d), "$1\u00a0")
}

func (w checkWords) duration(d time.Duration) string {
	if d < time.Minute {
		return w.p.T("under 1 min")
	}
	both := func(larger, smaller string) string {
		return w.p.TC("duration", "{larger} {smaller}", "larger", larger, "smaller", smaller)
	}
	if d < 24*time.Hour {
		m := int(d.Round(time.Minute) / time.Minute)
		h, m := m/60, m%60
		hours := w.p.N("{count} h", "{count} h", h)
		minutes := w.p.N("{count} min", "{count} min", m)
		switch {
		case h == 0:
			return minutes
		case m == 0:
			return hours
		}
		return both(hours, minutes)
	}
	h := int(d.Round(time.Hour) / time.Hour)
	days, h := h/24, h%24
	if h == 0 {
		return w.p.N("{count} day", "{count} days", days)
	}
	return both(w.p.N("{count} day", "{count} days", days), w.p.N("{count} h", "{count} h", h))
}

var numberUnit = regexp.MustCompile(`(\d) `)

type checksData struct {
	checkWords
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
	p := s.printer(r)
	d := checksData{checkWords: checkWords{p}, Regions: states.Regions()}
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
			rows[i].Key = h.Check.NameIn(p)
		}
		d.HistoryChart = barChart(p, p.T("Response rate per check"), rows, plainLabel)
	}
	return d, nil
}

func (s *Server) checks(w http.ResponseWriter, r *http.Request) {
	pg := page{Title: s.printer(r).T("Communication checks"), Nav: "checks",
		Form: map[string][]string{"scope_kind": {"all"}, "window_hours": {"72"}, "reminder_after_hours": {"48"}, "repeat_months": {"6"}, "levels": {"technical"}}}
	d, err := s.checksPage(r)
	if err != nil {
		pg.Data = d
		s.listProblem(w, r, "checks", pg, err)
		return
	}
	pg.Data = d
	s.render(w, r, http.StatusOK, "checks", pg)
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
		s.renderForm(w, r, "checks", page{Title: s.printer(r).T("Communication checks"), Nav: "checks", Data: d}, err)
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
	checkWords
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

// followUp is one unreachable POC with the contact details the caller may
// see, so whoever follows up has the list in one place.
type followUp struct {
	Challenge checks.Challenge
	POC       directory.POC
}

func reportCharts(w checkWords, byLevel, byRegion []checks.Tally) map[string]template.HTML {
	ch := map[string]template.HTML{"level": barChart(w.p, w.p.T("By level"), byLevel, w.Level)}
	if len(byRegion) > 0 {
		ch["region"] = barChart(w.p, w.p.T("By regional group"), byRegion, w.Region)
	}
	return ch
}

// followUps adds to each unreachable POC the details the caller may see,
// read in one go. A retired entry is still listed, without details.
func (s *Server) followUps(r *http.Request, unreachable []checks.Challenge) ([]followUp, error) {
	ids := make([]string, len(unreachable))
	for i, ch := range unreachable {
		ids[i] = ch.POCID
	}
	pocs, err := s.app.Directory.POCsByID(r.Context(), who(r), ids)
	if err != nil {
		return nil, err
	}
	out := make([]followUp, len(unreachable))
	for i, ch := range unreachable {
		out[i] = followUp{Challenge: ch, POC: pocs[ch.POCID]}
	}
	return out, nil
}

func (s *Server) checkReport(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	v, err := s.app.Checks.View(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	words := checkWords{s.printer(r)}
	d := reportData{checkWords: words, View: v, CanPublish: s.app.Checks.CanPublish(a, v.Check), CanWithdraw: s.app.Checks.CanWithdraw(a, v.Check),
		Filter: checks.FollowUpFilter{State: q.Get("state"), Level: q.Get("level"), Status: q.Get("status")}}
	switch {
	case v.All != nil:
		d.Charts = reportCharts(words, v.All.ByLevel, v.All.ByRegion)
		for _, t := range v.All.ByState {
			d.States = append(d.States, t.Key)
		}
		if len(v.All.ByState) > 0 {
			// Over many States a map reads better than a bar per State; the
			// table beside it holds the same figures.
			d.Charts["state"] = rateMap(words, *v.All)
		}
	case v.Own != nil:
		d.Charts = reportCharts(words, v.Own.ByLevel, nil)
		if pub := v.Own.Published; pub != nil {
			d.Charts["published-level"] = barChart(words.p, words.p.T("Published: by level"), pub.ByLevel, words.Level)
			d.Charts["published-region"] = barChart(words.p, words.p.T("Published: by regional group"), pub.ByRegion, words.Region)
		}
	}
	pg := page{Title: v.Check.NameIn(s.printer(r)), Nav: "checks", Data: &d}
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
		if d.FollowUp, err = s.followUps(r, res.Items); err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Pager = pagerFor(r, res.Next)
	}
	s.render(w, r, http.StatusOK, "check", pg)
}

// checkCSV exports what the report page shows in one table: group is
// overall, level, region, state or unreachable for the secretariat; own,
// level, state and unreachable for a State, with the published aggregates
// (published overall, published level, published region) once public.
// The column names, the groups and the reasons are in the reader's
// language; keys (levels, regional groups, State codes) and figures stay
// as the API writes them, so that a sheet reads alike in every language.
func (s *Server) checkCSV(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Checks.View(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.printer(r)
	cw := csvAttachment(w, "detente-check-"+v.Check.ID+".csv")
	_ = cw.Write([]string{
		p.TC("check export column", "group"), p.TC("check export column", "key"), p.TC("check export column", "total"),
		p.TC("check export column", "acknowledged"), p.TC("check export column", "bounced"), p.TC("check export column", "rate"),
		p.TC("check export column", "level"), p.TC("check export column", "contact"), p.TC("check export column", "reason"),
	})
	write := func(group string, ts []checks.Tally) {
		for _, t := range ts {
			_ = cw.Write([]string{csvSafe(group), csvSafe(t.Key), itoa(t.Total), itoa(t.Acknowledged), itoa(t.Bounced), strconv.FormatFloat(t.Rate, 'f', 4, 64), "", "", ""})
		}
	}
	switch {
	case v.All != nil:
		write(p.TC("check export group", "overall"), []checks.Tally{v.All.Overall})
		write(p.TC("check export group", "level"), v.All.ByLevel)
		write(p.TC("check export group", "region"), v.All.ByRegion)
		write(p.TC("check export group", "state"), v.All.ByState)
	case v.Own != nil:
		write(p.TC("check export group", "own"), []checks.Tally{v.Own.Own})
		write(p.TC("check export group", "level"), v.Own.ByLevel)
		write(p.TC("check export group", "state"), []checks.Tally{v.Own.Own})
		if pub := v.Own.Published; pub != nil {
			write(p.TC("check export group", "published overall"), []checks.Tally{pub.Overall})
			write(p.TC("check export group", "published level"), pub.ByLevel)
			write(p.TC("check export group", "published region"), pub.ByRegion)
		}
	}
	// The points of contact not reached, a page of the follow-up list at a
	// time: a check over every State can leave thousands.
	req := paging.Request{Limit: paging.MaxLimit}
	for v.Check.Status != checks.Scheduled {
		res, err := s.app.Checks.FollowUp(r.Context(), who(r), v.Check.ID, checks.FollowUpFilter{}, req)
		if err == nil {
			var us []followUp
			if us, err = s.followUps(r, res.Items); err == nil {
				for _, u := range us {
					reason := p.TC("check export reason", "no answer")
					if u.Challenge.BouncedAt != nil {
						reason = p.TC("check export reason", "bounced: {reason}", "reason", u.Challenge.Bounce)
					}
					_ = cw.Write([]string{csvSafe(p.TC("check export group", "unreachable")), u.Challenge.State, "", "", "", "", u.Challenge.Level,
						csvSafe(strings.Join(u.POC.Emails, " ")), csvSafe(reason)})
				}
				if res.Next == "" {
					break
				}
				req.After, err = paging.Decode(res.Next)
			}
		}
		if err != nil {
			// The file is cut short; the reader's program sees it end early.
			s.log.Error("check export cut short", "check", v.Check.ID, "err", err)
			break
		}
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
		if errs.Is(err, errs.Conflict) {
			// The service names the closing time in English; the page says
			// the same in the reader's language.
			err = errs.E(errs.Conflict, "%s", s.printer(r).T("this communication check has closed; answers are no longer recorded"))
		}
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

// pingData is the page a check mail's link opens.
type pingData struct {
	checkWords
	checks.Confirmation
}

// pingPage is what a POC sees after following the link in a check mail.
// It changes nothing: only the form's POST confirms.
func (s *Server) pingPage(w http.ResponseWriter, r *http.Request) {
	chk, err := s.app.Checks.Peek(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderPing(w, r, http.StatusOK, chk, nil)
}

// pingConfirm records the answer and shows the check as it now stands.
func (s *Server) pingConfirm(w http.ResponseWriter, r *http.Request) {
	chk, err := s.app.Checks.AcknowledgeToken(r.Context(), r.PathValue("token"), clientAddr(r))
	if errs.Is(err, errs.Conflict) {
		// The check has closed: the page says so, with when, in the
		// reader's language.
		if closed, perr := s.app.Checks.Peek(r.Context(), r.PathValue("token")); perr == nil {
			s.renderPing(w, r, http.StatusConflict, closed, nil)
			return
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderPing(w, r, http.StatusOK, chk, i18n.M("Thank you: your State's point of contact is confirmed reachable."))
}

func (s *Server) renderPing(w http.ResponseWriter, r *http.Request, status int, chk checks.Confirmation, flash any) {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	p := s.printer(r)
	s.render(w, r, status, "ping", page{Title: p.T("Communication check"), Data: pingData{checkWords{p}, chk}, Flash: flash})
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
	words := checkWords{s.printer(r)}
	var d resultsData
	for _, c := range cs {
		rep, err := s.app.Checks.PublicResults(r.Context(), c.ID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Reports = append(d.Reports, reportData{checkWords: words, Report: rep, Charts: reportCharts(words, rep.ByLevel, rep.ByRegion), Public: true})
	}
	s.render(w, r, http.StatusOK, "results", page{Title: words.p.T("Communication check results"), Nav: "results", Data: d})
}

// rateBands are the map's legend. The bands are wide on purpose: the map
// shows where follow-up is needed, not a ranking.
func rateBands(p *i18n.Printer) []worldmap.Band {
	return []worldmap.Band{
		{Label: p.T("under {percent} confirmed", "percent", p.Percent(0.5))},
		{Label: p.T("{low}–{high} confirmed", "low", p.Percent(0.5), "high", p.Percent(0.74))},
		{Label: p.T("{low}–{high} confirmed", "low", p.Percent(0.75), "high", p.Percent(0.99))},
		{Label: p.T("all confirmed")},
	}
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
func rateMap(w checkWords, rep checks.Report) template.HTML {
	values := make(map[string]int, len(rep.ByState))
	for _, t := range rep.ByState {
		values[t.Key] = rateBand(t.Rate)
	}
	m := worldmap.Map{
		Title:  w.p.T("Response rate by State, {check}", "check", rep.Check.NameIn(w.p)),
		Note:   w.p.T("Summary map: the figures for each State are in the table beside it."),
		Bands:  rateBands(w.p),
		NoData: worldmap.Band{Label: w.p.T("not in this check")},
		ID:     "rate-map",
	}
	return m.Render(values, w.State)
}
