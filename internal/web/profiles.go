package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/collate"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/profile"
	"github.com/detente/detente/internal/states"
)

// The State profile pages (CBM 3): what each State has made known, up to
// three States side by side, and counts per provision. They are public:
// the profile service and its sources decide what each viewer reads, and
// the pages never order States by what they report.

type profileChoice struct {
	Code, Name string
}

// profileChoices are the States the forms offer, in the page's language
// and in its alphabetical order.
func (s *Server) profileChoices(r *http.Request) []profileChoice {
	p := s.printer(r)
	all := states.All()
	out := make([]profileChoice, 0, len(all))
	for _, st := range all {
		out = append(out, profileChoice{Code: st.Alpha2, Name: stateName(p, st.Alpha2)})
	}
	col := collate.New(p.Language().Tag())
	slices.SortStableFunc(out, func(x, y profileChoice) int { return col.CompareString(x.Name, y.Name) })
	return out
}

// countGroup is the counts of one kind of provision, as one table.
type countGroup struct {
	Kind   catalog.Kind
	Counts []profile.Count
}

type profileIndexData struct {
	Choices []profileChoice
	Cycle   string // the survey cycle counted; "" before the first
	Groups  []countGroup
}

func (s *Server) profileIndex(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	tally, err := s.app.Profiles.Counts(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := profileIndexData{Choices: s.profileChoices(r), Cycle: tally.Cycle}
	for _, c := range tally.Counts {
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Kind != c.Provision.Kind {
			d.Groups = append(d.Groups, countGroup{Kind: c.Provision.Kind})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Counts = append(g.Counts, c)
	}
	s.render(w, r, http.StatusOK, "profiles", page{Title: s.printer(r).T("State profiles"), Nav: "profiles", Data: d})
}

type profilePageData struct {
	Profile profile.Profile
	Choices []profileChoice
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	code := r.PathValue("code")
	// The index's form asks for /profiles/go?state=FR: a State chosen
	// from a list needs no script to become an address.
	if code == "go" {
		if c := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("state"))); c != "" {
			redirect(w, r, "/profiles/"+url.PathEscape(c))
			return
		}
		redirect(w, r, "/profiles")
		return
	}
	pr, err := s.app.Profiles.Profile(r.Context(), a, code)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := profilePageData{Profile: pr, Choices: s.profileChoices(r)}
	s.render(w, r, http.StatusOK, "profile", page{Title: stateName(s.printer(r), pr.State.Code), Nav: "profiles", Data: d})
}

type profileCompareData struct {
	Comparison profile.Comparison
	Choices    []profileChoice
	Chosen     []string // what the form shows chosen, one per select
}

func (s *Server) profileCompare(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	asked := r.URL.Query()["state"]
	d := profileCompareData{Choices: s.profileChoices(r), Chosen: make([]string, profile.MaxCompared)}
	for i, c := range asked {
		if i < len(d.Chosen) {
			d.Chosen[i] = strings.ToUpper(c)
		}
	}
	pg := page{Title: s.printer(r).T("States side by side"), Nav: "profiles", Data: d}
	// The page opens with its form; only a choice made is checked.
	if _, chose := r.URL.Query()["state"]; !chose {
		s.render(w, r, http.StatusOK, "profilecompare", pg)
		return
	}
	c, err := s.app.Profiles.Compare(r.Context(), a, asked)
	if err != nil {
		pg.Form = r.URL.Query()
		s.renderForm(w, r, "profilecompare", pg, err)
		return
	}
	d.Comparison = c
	pg.Data = d
	s.render(w, r, http.StatusOK, "profilecompare", pg)
}
