// Package profile composes a State's page of what it has chosen to make
// known (CBM 3): its national reports, the documents of its policy library,
// the provisions its reported measures address and its published
// capacity-building partnerships, beside its participation in the directory
// and never its points of contact. It also sets up to three States side by
// side, provision by provision, and counts across States.
//
// The package owns no table. Each source decides what the viewer may read,
// so a profile never shows more than the pages it links to, and a count is
// only ever of what the viewer could read one by one. Nothing here orders
// States by how much they report: rows follow the catalogue, columns the
// order the viewer chose, and no total per State is computed.
package profile

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
)

// MaxCompared is how many States a comparison sets side by side: more
// would not fit a page, and would start to read as a league table.
const MaxCompared = 3

// Report is a national report the viewer may read.
type Report struct {
	ID          string
	Cycle       string // "2027"
	Visibility  string // "participants" or "public"
	SubmittedAt time.Time
}

// Document is a document of a State's policy library the viewer may read.
type Document struct {
	ID       string
	Title    string
	Type     string
	Language string
	Date     time.Time
	Status   string
}

// Partnership is a published capacity-building partnership a State takes
// part in.
type Partnership struct {
	ID      string
	Title   string
	Partner string // the other side's State code; "" for the secretariat
}

// Reports is what the national survey makes known.
type Reports interface {
	// Readable lists the State's reports a may read, newest cycle first.
	Readable(ctx context.Context, a actor.Actor, state string) ([]Report, error)
	// Measures lists the provisions under which the newest report of the
	// State that a may read records measures taken.
	Measures(ctx context.Context, a actor.Actor, state string) ([]string, error)
	// StatesWithMeasures counts, per provision, the States whose report
	// of the newest cycle a may read records measures under it, and names
	// that cycle ("" when there is none).
	StatesWithMeasures(ctx context.Context, a actor.Actor) (cycle string, counts map[string]int, err error)
}

// Documents is what the policy library makes known.
type Documents interface {
	// Newest lists up to limit of the State's documents a may read,
	// newest first.
	Newest(ctx context.Context, a actor.Actor, state string, limit int) ([]Document, error)
	// PerProvision counts the State's documents a may read, per provision
	// they concern.
	PerProvision(ctx context.Context, a actor.Actor, state string) (map[string]int, error)
}

// Partnerships is what capacity building makes known.
type Partnerships interface {
	// Published lists the published partnerships the State takes part in.
	Published(ctx context.Context, a actor.Actor, state string) ([]Partnership, error)
}

// Sources are where a profile's parts come from. A nil source is a part
// the installation does not have yet; the profile leaves it out.
type Sources struct {
	Reports      Reports
	Documents    Documents
	Partnerships Partnerships
}

// Service answers the profile pages.
type Service struct {
	dir *directory.Service
	cat *catalog.Catalog
	src Sources
}

// New builds the service.
func New(dir *directory.Service, cat *catalog.Catalog, src Sources) *Service {
	return &Service{dir: dir, cat: cat, src: src}
}

// NewestDocuments is how many documents a profile lists; the library's
// own list, filtered by the State, has the rest.
const NewestDocuments = 10

// Profile is one State's page.
type Profile struct {
	State        directory.State // participation only for signed-in viewers
	Reports      []Report
	Documents    []Document
	Measures     []catalog.Provision // in catalogue order
	Partnerships []Partnership
}

// Profile returns the page of the State with the alpha-2 code, as a may
// see it. Anyone may ask, anonymous visitors included: every part comes
// from a source that filters by the viewer.
func (s *Service) Profile(ctx context.Context, a actor.Actor, code string) (Profile, error) {
	st, err := s.dir.State(ctx, a, strings.ToUpper(code))
	if err != nil {
		return Profile{}, err
	}
	p := Profile{State: st}
	if s.src.Reports != nil {
		if p.Reports, err = s.src.Reports.Readable(ctx, a, st.Code); err != nil {
			return Profile{}, err
		}
		ids, err := s.src.Reports.Measures(ctx, a, st.Code)
		if err != nil {
			return Profile{}, err
		}
		p.Measures = s.inOrder(ids)
	}
	if s.src.Documents != nil {
		if p.Documents, err = s.src.Documents.Newest(ctx, a, st.Code, NewestDocuments); err != nil {
			return Profile{}, err
		}
	}
	if s.src.Partnerships != nil {
		if p.Partnerships, err = s.src.Partnerships.Published(ctx, a, st.Code); err != nil {
			return Profile{}, err
		}
	}
	return p, nil
}

// inOrder returns the catalogue's provisions among ids, in its order;
// ids the catalogue does not know are dropped.
func (s *Service) inOrder(ids []string) []catalog.Provision {
	var out []catalog.Provision
	for _, p := range s.cat.Provisions(catalog.Filter{}) {
		if slices.Contains(ids, p.ID) {
			out = append(out, p)
		}
	}
	return out
}

// Cell is what one State has made known under one provision.
type Cell struct {
	Measures  bool // its newest readable report records measures
	Documents int  // readable documents concerning the provision
}

// Row is one provision across the compared States, cells in the order
// of Comparison.States.
type Row struct {
	Provision catalog.Provision
	Cells     []Cell
}

// Comparison sets States side by side.
type Comparison struct {
	States []directory.State // in the order asked for
	Rows   []Row             // in catalogue order, with something in at least one cell
}

// Compare sets one to MaxCompared States side by side, provision by
// provision, as a may see each of them. The States keep the order they
// were asked in; rows keep the catalogue's.
func (s *Service) Compare(ctx context.Context, a actor.Actor, codes []string) (Comparison, error) {
	var f errs.Fields
	var seen []string
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "" && !slices.Contains(seen, c) {
			seen = append(seen, c)
		}
	}
	switch {
	case len(seen) == 0:
		f.Add("states", "choose at least one State")
	case len(seen) > MaxCompared:
		f.Add("states", "choose at most three States")
	}
	if err := f.Err(); err != nil {
		return Comparison{}, err
	}
	var out Comparison
	measures := make([][]string, len(seen))
	docs := make([]map[string]int, len(seen))
	for i, code := range seen {
		st, err := s.dir.State(ctx, a, code)
		if errs.Is(err, errs.NotFound) {
			f.Add("states", "choose States from the list")
			continue
		}
		if err != nil {
			return Comparison{}, err
		}
		out.States = append(out.States, st)
		if s.src.Reports != nil {
			if measures[i], err = s.src.Reports.Measures(ctx, a, code); err != nil {
				return Comparison{}, err
			}
		}
		if s.src.Documents != nil {
			if docs[i], err = s.src.Documents.PerProvision(ctx, a, code); err != nil {
				return Comparison{}, err
			}
		}
	}
	if err := f.Err(); err != nil {
		return Comparison{}, err
	}
	for _, p := range s.cat.Provisions(catalog.Filter{}) {
		row := Row{Provision: p, Cells: make([]Cell, len(seen))}
		any := false
		for i := range seen {
			row.Cells[i] = Cell{Measures: slices.Contains(measures[i], p.ID), Documents: docs[i][p.ID]}
			any = any || row.Cells[i].Measures || row.Cells[i].Documents > 0
		}
		if any {
			out.Rows = append(out.Rows, row)
		}
	}
	return out, nil
}

// Count is how many States reported measures under one provision.
type Count struct {
	Provision catalog.Provision
	States    int
}

// Tally is the counts of one survey cycle.
type Tally struct {
	Cycle  string // "" when no cycle has been opened
	Counts []Count
}

// Counts returns, for every provision of the catalogue in its order, how
// many States' readable reports of the newest cycle record measures under
// it. It is a count per provision, never a figure per State.
func (s *Service) Counts(ctx context.Context, a actor.Actor) (Tally, error) {
	var t Tally
	var n map[string]int
	if s.src.Reports != nil {
		var err error
		if t.Cycle, n, err = s.src.Reports.StatesWithMeasures(ctx, a); err != nil {
			return Tally{}, err
		}
	}
	for _, p := range s.cat.Provisions(catalog.Filter{}) {
		t.Counts = append(t.Counts, Count{Provision: p, States: n[p.ID]})
	}
	return t, nil
}
