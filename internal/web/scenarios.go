package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// The scenario pages: the scenarios the viewer may see, one scenario with
// its timeline and versions, the writers' form, the import of a scenario
// file and its export. The scenario service decides who sees and changes
// what; the pages ask it which buttons to show.

var scenarioFlashes = map[string]i18n.Message{
	"created":    i18n.M("The scenario is saved as its first version."),
	"saved":      i18n.M("The scenario is saved as a new version."),
	"copied":     i18n.M("This is your own copy of the scenario. Change it as you need."),
	"imported":   i18n.M("The scenario file is imported."),
	"shared":     i18n.M("The scenario is shared: every participating State may now see and run it."),
	"unshared":   i18n.M("The scenario is no longer shared with other States."),
	"withdrawn":  i18n.M("The scenario is withdrawn: it is no longer listed, and runs that played it still show it."),
	"not-edited": i18n.M("A scenario that ships with the product is not changed: this is your own copy of it."),
}

func scenarioFlash(r *http.Request) any {
	if m, ok := scenarioFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

type scenarioListData struct {
	scenarioWords
	Scenarios []scenario.Summary
	Pager     pager
	Owner     string
	Provision string
	Groups    []provisionGroup
	CanWrite  bool
}

func (s *Server) scenarioList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	q := r.URL.Query()
	d := scenarioListData{scenarioWords: scenarioWords{checkWords{p}}, Owner: q.Get("owner"), Provision: q.Get("provision"),
		Groups: findingGroups(p, s.app.Catalog)}
	d.CanWrite = s.app.Scenarios.CanWrite(r.Context(), a) == nil
	pg := page{Title: p.T("Exercise scenarios"), Nav: "exercises", Data: d, Flash: scenarioFlash(r)}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "scenarios", pg, err)
		return
	}
	res, err := s.app.Scenarios.List(r.Context(), a, scenario.Filter{Owner: d.Owner, Provision: d.Provision}, req)
	if err != nil {
		s.listProblem(w, r, "scenarios", pg, err)
		return
	}
	d.Scenarios, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "scenarios", pg)
}

type scenarioPageData struct {
	scenarioWords
	Scenario    scenario.Scenario
	Newest      int // the newest version's number
	Versions    []scenario.VersionInfo
	Pager       pager
	CanEdit     bool
	CanCopy     bool // write a copy of one's own
	CanShare    bool
	CanWithdraw bool
}

func (s *Server) scenarioData(r *http.Request, id string) (scenarioPageData, error) {
	a := who(r)
	ctx := r.Context()
	d := scenarioPageData{scenarioWords: scenarioWords{checkWords{s.printer(r)}}}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return d, errs.E(errs.NotFound, "this scenario has no such version")
		}
		version = n
	}
	newest, err := s.app.Scenarios.Scenario(ctx, a, id, 0)
	if err != nil {
		return d, err
	}
	d.Scenario, d.Newest = newest, newest.Version
	if version != 0 && version != newest.Version {
		if d.Scenario, err = s.app.Scenarios.Scenario(ctx, a, id, version); err != nil {
			return d, err
		}
	}
	d.CanEdit = s.app.Scenarios.CanEdit(ctx, a, newest) == nil
	d.CanCopy = !newest.Withdrawn && s.app.Scenarios.CanWrite(ctx, a) == nil
	d.CanShare = s.app.Scenarios.CanShare(ctx, a, newest) == nil
	d.CanWithdraw = s.app.Scenarios.CanWithdraw(ctx, a, newest) == nil
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		return d, err
	}
	vs, err := s.app.Scenarios.Versions(ctx, a, id, req)
	if err != nil {
		return d, err
	}
	d.Versions, d.Pager = vs.Items, pagerFor(r, vs.Next)
	return d, nil
}

func (s *Server) scenarioPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.scenarioData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "scenario", page{Title: d.Scenario.Title, Nav: "exercises", Data: d, Flash: scenarioFlash(r)})
}

// scenarioAction serves /exercises/scenarios/{id}/{action}.
func (s *Server) scenarioAction(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.PathValue("action") {
	case "GET edit":
		s.scenarioEditForm(w, r)
	case "POST edit":
		s.scenarioSave(w, r, r.PathValue("id"))
	case "GET export":
		s.scenarioExport(w, r)
	case "POST copy":
		s.scenarioFlag(w, r, "copy")
	case "POST share":
		s.scenarioFlag(w, r, "share")
	case "POST unshare":
		s.scenarioFlag(w, r, "unshare")
	case "POST withdraw":
		s.scenarioFlag(w, r, "withdraw")
	default:
		s.renderError(w, r, errNotFound)
	}
}

// scenarioFlag copies, shares, stops sharing or withdraws a scenario.
func (s *Server) scenarioFlag(w http.ResponseWriter, r *http.Request, action string) {
	id, a, ctx := r.PathValue("id"), who(r), r.Context()
	var sc scenario.Scenario
	var err error
	done := map[string]string{"copy": "copied", "share": "shared", "unshare": "unshared", "withdraw": "withdrawn"}[action]
	switch action {
	case "copy":
		version, _ := formVersion(r.PostForm)
		sc, err = s.app.Scenarios.Copy(ctx, a, id, version)
	case "share", "unshare":
		sc, err = s.app.Scenarios.Share(ctx, a, id, action == "share")
	case "withdraw":
		sc, err = s.app.Scenarios.Withdraw(ctx, a, id)
	}
	if err != nil {
		s.scenarioProblem(w, r, id, err)
		return
	}
	redirect(w, r, "/exercises/scenarios/"+sc.ID+"?done="+done)
}

// scenarioProblem shows the scenario again with what went wrong, or the
// error page when it cannot be shown.
func (s *Server) scenarioProblem(w http.ResponseWriter, r *http.Request, id string, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.scenarioData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "scenario", page{Title: d.Scenario.Title, Nav: "exercises", Data: d}, err)
}

// scenarioExport downloads a version of a scenario as a scenario file.
func (s *Server) scenarioExport(w http.ResponseWriter, r *http.Request) {
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.renderError(w, r, errs.E(errs.NotFound, "this scenario has no such version"))
			return
		}
		version = n
	}
	b, sc, err := s.app.Scenarios.Export(r.Context(), who(r), r.PathValue("id"), version)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	name := fmt.Sprintf("scenario-%s-v%d.json", safeFileName(sc.ID), sc.Version)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client has gone
}

// scenarioWords writes a scenario's coded facts in the page's language.
type scenarioWords struct{ checkWords }

// Whose names whose a scenario is.
func (w scenarioWords) Whose(shipped bool, state string) string {
	switch {
	case shipped:
		return w.p.TC("scenario owner", "Ships with detente")
	case state == "":
		return w.p.TC("scenario owner", "The secretariat")
	}
	return w.State(state)
}

// Kind names an inject's kind.
func (w scenarioWords) Kind(k scenario.InjectKind) string {
	switch k {
	case scenario.Communication:
		return w.p.TC("inject kind", "Communication")
	case scenario.Prompt:
		return w.p.TC("inject kind", "Prompt")
	}
	return string(k)
}

// Action names an expected action.
func (w scenarioWords) Action(a scenario.Action) string {
	switch a {
	case scenario.Acknowledge:
		return w.p.TC("expected action", "Acknowledge")
	case scenario.Reply:
		return w.p.TC("expected action", "Answer")
	case scenario.ReplyWithFields:
		return w.p.TC("expected action", "Answer with fields")
	case scenario.RequestAssistance:
		return w.p.TC("expected action", "Request assistance")
	case scenario.Escalate:
		return w.p.TC("expected action", "Escalate")
	}
	return string(a)
}

// At writes an offset from the start as the timeline shows it: T+h:mm.
func (w scenarioWords) At(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("T+%d:%02d", m/60, m%60)
}

// Within writes a time limit or a duration in words.
func (w scenarioWords) Within(d time.Duration) string { return w.Human(d) }

// RoleNames names the roles of keys as sc calls them.
func (w scenarioWords) RoleNames(sc scenario.Scenario, keys []string) string {
	var out []string
	for _, k := range keys {
		name := k
		for _, r := range sc.Roles {
			if r.Key == k {
				name = r.Name + " (" + k + ")"
			}
		}
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}
