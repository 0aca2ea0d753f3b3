package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/validate"
)

// directoryFilter reads the list filters from the query string.
func directoryFilter(r *http.Request) directory.Filter {
	q := r.URL.Query()
	f := directory.Filter{Region: q.Get("region"), Level: directory.Level(q.Get("level")), State: strings.ToUpper(q.Get("state")), Query: q.Get("q")}
	switch q.Get("stale") {
	case "yes":
		t := true
		f.Stale = &t
	case "no":
		t := false
		f.Stale = &t
	}
	return f
}

type directoryData struct {
	Filter  directory.Filter
	Stale   string
	Regions []string
	Levels  []directory.Level
	Groups  []stateGroup
	Pager   pager
	// Export is the query string of the exports: the list's filters
	// without its paging, since an export holds every matching entry.
	Export template.URL
}

type stateGroup struct {
	State directory.State
	POCs  []directory.POC
}

func (s *Server) directoryList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	key, done := s.keptDirectoryPage(w, r, a, "directory")
	if done {
		return
	}
	f := directoryFilter(r)
	d := directoryData{Filter: f, Stale: r.URL.Query().Get("stale"), Regions: states.Regions(), Levels: directory.Levels}
	q := r.URL.Query()
	q.Del("cursor")
	q.Del("limit")
	if len(q) > 0 {
		d.Export = template.URL("?" + q.Encode())
	}
	pg := page{Title: s.printer(r).T("Points of contact"), Nav: "directory", Data: d}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "directory", pg, err)
		return
	}
	res, err := s.app.Directory.POCPage(r.Context(), a, f, req)
	if err != nil {
		s.listProblem(w, r, "directory", pg, err)
		return
	}
	d.Pager = pagerFor(r, res.Next)
	for _, p := range res.Items {
		if n := len(d.Groups); n == 0 || d.Groups[n-1].State.Code != p.State {
			// Names and groups come from the embedded list of States,
			// which every start writes into the database.
			st, _ := states.ByCode(p.State)
			d.Groups = append(d.Groups, stateGroup{State: directory.State{Code: p.State, Name: st.Name, Region: st.Region}})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.POCs = append(g.POCs, p)
	}
	pg.Data = d
	s.renderKept(w, r, "directory", key, pg)
}

// keptDirectoryPage answers a signed-in request for the directory page
// name from what was kept for the same view of the directory; otherwise
// it returns the key to keep the page under. done says the request has
// its answer (the page, or an error).
func (s *Server) keptDirectoryPage(w http.ResponseWriter, r *http.Request, a actor.Actor, name string) (key string, done bool) {
	if err := a.RequireSignedIn(); err != nil {
		s.renderError(w, r, err)
		return "", true
	}
	view, err := s.app.Directory.View(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return "", true
	}
	key = keptKey(name, view, r)
	return key, s.serveKept(w, r, name, "directory", key)
}

type statePageData struct {
	State     directory.State
	POCs      []directory.POC // one page of them
	Pager     pager
	CanManage bool
}

func (s *Server) statePage(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	code := strings.ToUpper(r.PathValue("code"))
	key, done := s.keptDirectoryPage(w, r, a, "state")
	if done {
		return
	}
	st, err := s.app.Directory.State(r.Context(), a, code)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := statePageData{State: st, CanManage: s.app.Directory.CanManage(a, code)}
	pg := page{Title: stateName(s.printer(r), code), Nav: "directory", Data: d}
	// A State can have hundreds of entries: they come a page at a time.
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "state", pg, err)
		return
	}
	res, err := s.app.Directory.POCPage(r.Context(), a, directory.Filter{State: code, Retired: true}, req)
	if err != nil {
		s.listProblem(w, r, "state", pg, err)
		return
	}
	d.POCs, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.renderKept(w, r, "state", key, pg)
}

type pocPageData struct {
	POC       directory.POC
	State     directory.State
	Languages string // the entry's working languages, named in the reader's language
	History   []directory.Version
	CanManage bool
}

// languageList names an entry's working languages (BCP 47 tags) in p's
// language: the names the directory has always shown in English, CLDR's
// in the others, with the script or country a tag adds in brackets. A tag
// nobody can name is shown as it is.
func languageList(p *i18n.Printer, tags []string) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = languageName(p, t)
	}
	if len(names) == 0 {
		return ""
	}
	list := names[0]
	for _, n := range names[1:] {
		list = p.TC("list", "{list}, {item}", "list", list, "item", n)
	}
	return list
}

func languageName(p *i18n.Printer, code string) string {
	if p.Language() == i18n.English {
		return validate.LanguageName(code)
	}
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	in := p.Language().Tag()
	base, _ := tag.Base()
	name := display.Languages(in).Name(base)
	if name == "" {
		return code
	}
	var details []string
	if s, c := tag.Script(); c == language.Exact {
		if n := display.Scripts(in).Name(s); n != "" {
			details = append(details, n)
		}
	}
	if r, c := tag.Region(); c == language.Exact {
		if n := display.Regions(in).Name(r); n != "" {
			details = append(details, n)
		}
	}
	for _, d := range details {
		name = p.TC("language", "{language} ({detail})", "language", name, "detail", d)
	}
	return name
}

func (s *Server) pocPage(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p, err := s.app.Directory.POC(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := s.app.Directory.State(r.Context(), a, p.State)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := pocPageData{POC: p, State: st, Languages: languageList(s.printer(r), p.Languages), CanManage: s.app.Directory.CanManage(a, p.State)}
	if h, err := s.app.Directory.History(r.Context(), a, p.ID); err == nil {
		d.History = h
	} else if !errs.Is(err, errs.Forbidden) {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "poc", page{Title: p.FunctionTitle, Nav: "directory", Data: d})
}

type pocFormData struct {
	State    directory.State
	POC      *directory.POC
	Levels   []directory.Level
	Action   string
	Version  int
	Accounts []access.Account // who may be linked to the entry
	// Retired is set for a retired entry, which cannot be edited: the
	// page says so instead of showing the form.
	Retired bool
}

// linkable lists the accounts of the caller's State that may answer for a
// POC; an error leaves the list empty rather than failing the form.
func (s *Server) linkable(r *http.Request) []access.Account {
	accs, err := s.app.Access.Accounts(r.Context(), who(r))
	if err != nil {
		return nil
	}
	var out []access.Account
	for _, acc := range accs {
		if acc.DisabledAt == nil && (acc.Role == actor.POC || acc.Role == actor.StateAdmin) {
			out = append(out, acc)
		}
	}
	return out
}

// formFromPOC fills form values from an existing entry for editing.
func formFromPOC(p directory.POC) map[string][]string {
	return map[string][]string{
		"level": {string(p.Level)}, "function_title": {p.FunctionTitle}, "organisation": {p.Organisation}, "person_name": {p.PersonName},
		"emails": {strings.Join(p.Emails, "\n")}, "phones": {strings.Join(p.Phones, "\n")}, "languages": {strings.Join(p.Languages, ", ")},
		"time_zone": {p.TimeZone}, "availability": {p.Availability}, "hours": {p.Hours}, "pgp_key": {p.PGPKey}, "account_id": {p.AccountID},
	}
}

// splitList accepts one value per line or comma-separated, with the
// commas and semicolons of Arabic and Chinese as well as ASCII's.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("\n,;،؛、，；", r) }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func pocInput(r *http.Request) directory.POCInput {
	f := r.PostForm
	return directory.POCInput{
		Level: directory.Level(f.Get("level")), FunctionTitle: f.Get("function_title"), Organisation: f.Get("organisation"),
		PersonName: f.Get("person_name"), Emails: splitList(f.Get("emails")), Phones: strings.Split(f.Get("phones"), "\n"),
		Languages: splitList(f.Get("languages")), TimeZone: f.Get("time_zone"), Availability: f.Get("availability"),
		Hours: f.Get("hours"), PGPKey: f.Get("pgp_key"), AccountID: f.Get("account_id"),
		// The form has no account choice when the State has no account
		// to offer; then the link stays as it is.
		KeepAccount: !f.Has("account_id"),
	}
}

func (s *Server) nominateForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	code := strings.ToUpper(r.PathValue("code"))
	if err := a.RequireSignedIn(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.app.Directory.CanManage(a, code) {
		s.renderError(w, r, errs.E(errs.Forbidden, "only this State's administrators may nominate its points of contact"))
		return
	}
	st, err := s.app.Directory.State(r.Context(), a, code)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pocform", page{Title: s.printer(r).T("Nominate a point of contact"), Nav: "directory",
		Form: map[string][]string{"availability": {directory.Always}}, Data: pocFormData{State: st, Levels: directory.Levels, Action: "/directory/states/" + code + "/nominate", Accounts: s.linkable(r)}})
}

func (s *Server) nominate(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	code := strings.ToUpper(r.PathValue("code"))
	p, err := s.app.Directory.Nominate(r.Context(), a, code, pocInput(r))
	if err != nil {
		st, serr := s.app.Directory.State(r.Context(), a, code)
		if serr != nil {
			s.renderError(w, r, serr)
			return
		}
		s.renderForm(w, r, "pocform", page{Title: s.printer(r).T("Nominate a point of contact"), Nav: "directory",
			Data: pocFormData{State: st, Levels: directory.Levels, Action: "/directory/states/" + code + "/nominate", Accounts: s.linkable(r)}}, err)
		return
	}
	redirect(w, r, "/directory/pocs/"+p.ID+"?done=nominated")
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p, err := s.app.Directory.POC(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.app.Directory.CanManage(a, p.State) {
		s.renderError(w, r, errs.E(errs.Forbidden, "only this State's administrators may edit its points of contact"))
		return
	}
	st, err := s.app.Directory.State(r.Context(), a, p.State)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p.Status == directory.Retired {
		s.render(w, r, http.StatusOK, "pocform", page{Title: s.printer(r).T("Edit point of contact"), Nav: "directory", Data: pocFormData{State: st, POC: &p, Retired: true}})
		return
	}
	s.render(w, r, http.StatusOK, "pocform", page{Title: s.printer(r).T("Edit point of contact"), Nav: "directory", Form: formFromPOC(p),
		Data: pocFormData{State: st, POC: &p, Levels: directory.Levels, Action: "/directory/pocs/" + p.ID + "/edit", Version: p.Version, Accounts: s.linkable(r)}})
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if version <= 0 {
		s.renderError(w, r, errs.E(errs.Invalid, "the form is missing the version it was based on; reload the page"))
		return
	}
	p, err := s.app.Directory.Edit(r.Context(), a, id, version, pocInput(r))
	if err != nil {
		cur, gerr := s.app.Directory.POC(r.Context(), a, id)
		if gerr != nil {
			s.renderError(w, r, gerr)
			return
		}
		st, serr := s.app.Directory.State(r.Context(), a, cur.State)
		if serr != nil {
			s.renderError(w, r, serr)
			return
		}
		if cur.Status == directory.Retired && errs.Is(err, errs.Conflict) {
			// Retired while the form was open: say so, with the way back.
			s.render(w, r, http.StatusConflict, "pocform", page{Title: s.printer(r).T("Edit point of contact"), Nav: "directory", Data: pocFormData{State: st, POC: &cur, Retired: true}})
			return
		}
		pg := page{Title: s.printer(r).T("Edit point of contact"), Nav: "directory",
			Data: pocFormData{State: st, POC: &cur, Levels: directory.Levels, Action: "/directory/pocs/" + id + "/edit", Version: version, Accounts: s.linkable(r)}}
		if errs.Is(err, errs.Conflict) {
			// Someone saved a newer version: the service's sentence names
			// it, and is written in the reader's language from its format.
			format, args := errs.TextOf(err)
			pg.Message, pg.Form = s.printer(r).KnownFormat(format, args...), r.PostForm
			s.render(w, r, http.StatusConflict, "pocform", pg)
			return
		}
		s.renderForm(w, r, "pocform", pg, err)
		return
	}
	redirect(w, r, "/directory/pocs/"+p.ID+"?done=saved")
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	p, err := s.app.Directory.Confirm(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/directory/pocs/"+p.ID+"?done=confirmed")
}

func (s *Server) retire(w http.ResponseWriter, r *http.Request) {
	p, err := s.app.Directory.Retire(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/directory/pocs/"+p.ID+"?done=retired")
}
