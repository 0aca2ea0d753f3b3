package api

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/profile"
)

// The wire shapes of State profiles: what each State has chosen to make
// known, as the caller may read it. Nothing orders or totals States:
// rows follow the catalogue and columns the order asked for.

type profileReportOut struct {
	ID          string    `json:"id"`
	Cycle       string    `json:"cycle"`
	Visibility  string    `json:"visibility"`
	SubmittedAt time.Time `json:"submitted_at"`
}

type profileDocumentOut struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Type     string `json:"type"`
	Language string `json:"language"`
	Date     string `json:"date"`
	Status   string `json:"status"`
}

type profilePartnershipOut struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Partner is the other side's State; empty for the secretariat.
	Partner string `json:"partner"`
}

type profileOut struct {
	State        stateOut                `json:"state"`
	Reports      []profileReportOut      `json:"reports"`
	Documents    []profileDocumentOut    `json:"documents"`
	Measures     []string                `json:"measures"`
	Partnerships []profilePartnershipOut `json:"partnerships"`
}

func profileFrom(p profile.Profile, told bool) profileOut {
	out := profileOut{State: stateFrom(p.State, told), Reports: make([]profileReportOut, len(p.Reports)),
		Documents: make([]profileDocumentOut, len(p.Documents)), Measures: make([]string, len(p.Measures)),
		Partnerships: make([]profilePartnershipOut, len(p.Partnerships))}
	for k, r := range p.Reports {
		out.Reports[k] = profileReportOut{ID: r.ID, Cycle: r.Cycle, Visibility: r.Visibility, SubmittedAt: utc(r.SubmittedAt)}
	}
	for k, d := range p.Documents {
		out.Documents[k] = profileDocumentOut{ID: d.ID, Title: d.Title, Type: d.Type, Language: d.Language, Date: d.Date.UTC().Format(time.DateOnly), Status: d.Status}
	}
	for k, m := range p.Measures {
		out.Measures[k] = m.ID
	}
	for k, x := range p.Partnerships {
		out.Partnerships[k] = profilePartnershipOut{ID: x.ID, Title: x.Title, Partner: x.Partner}
	}
	return out
}

type profileCellOut struct {
	Measures  bool `json:"measures"`
	Documents int  `json:"documents"`
}

type comparisonRowOut struct {
	Provision string           `json:"provision"`
	Citation  string           `json:"citation"`
	Cells     []profileCellOut `json:"cells"`
}

type comparisonOut struct {
	States []stateOut         `json:"states"`
	Rows   []comparisonRowOut `json:"rows"`
}

type profileCountOut struct {
	Provision string `json:"provision"`
	States    int    `json:"states"`
}

type profileTallyOut struct {
	// Cycle is the survey cycle counted; empty when none was opened.
	Cycle  string            `json:"cycle"`
	Counts []profileCountOut `json:"counts"`
}

// getProfile is one State's profile; anyone may ask.
func (s *server) getProfile(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Profiles.Profile(r.Context(), a, stateCode(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, profileFrom(p, a.Authenticated()))
}

// compareProfiles sets up to three States side by side, provision by
// provision, in the order of the state parameters.
func (s *server) compareProfiles(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	c, err := s.app.Profiles.Compare(r.Context(), a, r.URL.Query()["state"])
	if err != nil {
		return renameFields(err, map[string]string{"states": "state"})
	}
	out := comparisonOut{States: make([]stateOut, len(c.States)), Rows: make([]comparisonRowOut, len(c.Rows))}
	for k, st := range c.States {
		out.States[k] = stateFrom(st, a.Authenticated())
	}
	for k, row := range c.Rows {
		cells := make([]profileCellOut, len(row.Cells))
		for j, c := range row.Cells {
			cells[j] = profileCellOut{Measures: c.Measures, Documents: c.Documents}
		}
		out.Rows[k] = comparisonRowOut{Provision: row.Provision.ID, Citation: row.Provision.Citation(), Cells: cells}
	}
	return writeJSON(w, http.StatusOK, out)
}

// profileCounts counts, per provision, the States whose readable report
// of the newest cycle records measures under it: never a figure per
// State.
func (s *server) profileCounts(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	t, err := s.app.Profiles.Counts(r.Context(), a)
	if err != nil {
		return err
	}
	out := profileTallyOut{Cycle: t.Cycle, Counts: make([]profileCountOut, len(t.Counts))}
	for k, c := range t.Counts {
		out.Counts[k] = profileCountOut{Provision: c.Provision.ID, States: c.States}
	}
	return writeJSON(w, http.StatusOK, out)
}
