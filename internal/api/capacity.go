package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
)

// The wire shapes of capacity building. Who last changed an item is left
// out: a public need or offer is read by anyone, and an account's address
// is not the public's to know. No score or rank of any kind is given.

type needOut struct {
	ID          string   `json:"id"`
	State       string   `json:"state"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Topics      []string `json:"topics"`
	Provisions  []string `json:"provisions"`
	Languages   []string `json:"languages"`
	Region      string   `json:"region"`
	Status      string   `json:"status"`
	Visibility  string   `json:"visibility"`
	// SourceReport and SourceProvision name the capacity gap of a
	// national survey report the need was drawn from; empty when none.
	SourceReport    string    `json:"source_report"`
	SourceProvision string    `json:"source_provision"`
	Version         int       `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func topicsOf(ts []capacity.Topic) []string {
	out := make([]string, len(ts))
	for k, t := range ts {
		out[k] = string(t)
	}
	return out
}

func needFrom(n capacity.Need) needOut {
	return needOut{ID: n.ID, State: n.State, Title: n.Title, Description: n.Description, Topics: topicsOf(n.Topics), Provisions: nonNil(n.Provisions),
		Languages: nonNil(n.Languages), Region: n.Region, Status: string(n.Status), Visibility: string(n.Visibility),
		SourceReport: n.SourceReport, SourceProvision: n.SourceProvision, Version: n.Version, CreatedAt: utc(n.CreatedAt), UpdatedAt: utc(n.UpdatedAt)}
}

type offerOut struct {
	ID string `json:"id"`
	// OwnerState is empty for the secretariat.
	OwnerState  string   `json:"owner_state"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Topics      []string `json:"topics"`
	Provisions  []string `json:"provisions"`
	Languages   []string `json:"languages"`
	// Regions served; empty for every group.
	Regions    []string  `json:"regions"`
	Capacity   string    `json:"capacity"`
	From       *string   `json:"from"`
	Until      *string   `json:"until"`
	Status     string    `json:"status"`
	Visibility string    `json:"visibility"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func dateOf(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.UTC().Format(time.DateOnly)
	return &d
}

func offerFrom(o capacity.Offer) offerOut {
	return offerOut{ID: o.ID, OwnerState: o.Owner, Kind: string(o.Kind), Title: o.Title, Description: o.Description, Topics: topicsOf(o.Topics),
		Provisions: nonNil(o.Provisions), Languages: nonNil(o.Languages), Regions: nonNil(o.Regions), Capacity: o.Capacity,
		From: dateOf(o.From), Until: dateOf(o.Until), Status: string(o.Status), Visibility: string(o.Visibility), Version: o.Version,
		CreatedAt: utc(o.CreatedAt), UpdatedAt: utc(o.UpdatedAt)}
}

type partnershipOut struct {
	ID         string   `json:"id"`
	NeedID     string   `json:"need_id"`
	OfferID    string   `json:"offer_id"`
	NeedState  string   `json:"need_state"`
	OfferState string   `json:"offer_state"` // empty for the secretariat
	NeedTitle  string   `json:"need_title"`
	OfferTitle string   `json:"offer_title"`
	OfferKind  string   `json:"offer_kind"`
	Topics     []string `json:"topics"`
	Provisions []string `json:"provisions"`
	Status     string   `json:"status"`
	ProposedBy string   `json:"proposed_by"`
	// Note is what the proposing side wrote to the other: for the two
	// sides only, left out for anyone else.
	Note         string     `json:"note,omitempty"`
	NeedPublish  bool       `json:"need_publish"`
	OfferPublish bool       `json:"offer_publish"`
	PublishedAt  *time.Time `json:"published_at"`
	Version      int        `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// partnershipFrom renders p; side says whether the caller is one of its
// two sides.
func partnershipFrom(p capacity.Partnership, side bool) partnershipOut {
	out := partnershipOut{ID: p.ID, NeedID: p.NeedID, OfferID: p.OfferID, NeedState: p.NeedState, OfferState: p.OfferState,
		NeedTitle: p.NeedTitle, OfferTitle: p.OfferTitle, OfferKind: string(p.OfferKind), Topics: topicsOf(p.Topics),
		Provisions: nonNil(p.Provisions), Status: string(p.Status), ProposedBy: string(p.ProposedBy), NeedPublish: p.NeedPublish,
		OfferPublish: p.OfferPublish, PublishedAt: utcPtr(p.PublishedAt), Version: p.Version, CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt)}
	if side {
		out.Note = p.Note
	}
	return out
}

// capacityFilter reads the filters the pages offer.
func capacityFilter(r *http.Request) capacity.Filter {
	q := r.URL.Query()
	return capacity.Filter{Topic: capacity.Topic(strings.TrimSpace(q.Get("topic"))), Provision: strings.TrimSpace(q.Get("provision")),
		Language: strings.TrimSpace(q.Get("language")), Region: strings.TrimSpace(q.Get("region")), State: strings.TrimSpace(q.Get("state"))}
}

// capacityList lists one page of needs or offers. A cursor or limit to
// fix is named together with the filters to fix, which the service
// checks, asked with a page of its own.
func capacityList[T, O any](w http.ResponseWriter, r *http.Request, list func(page.Request) (page.Page[T], error), conv func(T) O) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		_, ferr := list(page.Request{})
		if ferr != nil && !errs.Is(ferr, errs.Invalid) {
			return ferr
		}
		_, err = pageRequest(r, ferr)
		return err
	}
	p, err := list(req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, conv))
}

func (s *server) listNeeds(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f := capacityFilter(r)
	return capacityList(w, r, func(req page.Request) (page.Page[capacity.Need], error) {
		return s.app.Capacity.Needs(r.Context(), a, f, req)
	}, needFrom)
}

func (s *server) listOffers(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f := capacityFilter(r)
	return capacityList(w, r, func(req page.Request) (page.Page[capacity.Offer], error) {
		return s.app.Capacity.Offers(r.Context(), a, f, req)
	}, offerFrom)
}

func (s *server) getNeed(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	n, err := s.app.Capacity.Need(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(n.Version))
	return writeJSON(w, http.StatusOK, needFrom(n))
}

func (s *server) getOffer(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	o, err := s.app.Capacity.Offer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(o.Version))
	return writeJSON(w, http.StatusOK, offerFrom(o))
}

type needIn struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Topics      []string `json:"topics"`
	Provisions  []string `json:"provisions"`
	Languages   []string `json:"languages"`
	Region      string   `json:"region"`
	Status      string   `json:"status"`
	Visibility  string   `json:"visibility"`
}

func topicsIn(in []string) []capacity.Topic {
	var out []capacity.Topic
	for _, t := range in {
		out = append(out, capacity.Topic(strings.TrimSpace(t)))
	}
	return out
}

// createNeed posts a need of the caller's State.
func (s *server) createNeed(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in needIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.app.Capacity.CreateNeed(r.Context(), a, capacity.NeedInput{Title: in.Title, Description: in.Description, Topics: topicsIn(in.Topics),
		Provisions: in.Provisions, Languages: in.Languages, Region: strings.TrimSpace(in.Region), Status: capacity.Status(strings.TrimSpace(in.Status)),
		Visibility: capacity.Visibility(strings.TrimSpace(in.Visibility))})
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/capacity/needs/"+n.ID)
	w.Header().Set("ETag", etag(n.Version))
	return writeJSON(w, http.StatusCreated, needFrom(n))
}

type offerIn struct {
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Topics      []string `json:"topics"`
	Provisions  []string `json:"provisions"`
	Languages   []string `json:"languages"`
	Regions     []string `json:"regions"`
	Capacity    string   `json:"capacity"`
	From        string   `json:"from"`
	Until       string   `json:"until"`
	Status      string   `json:"status"`
	Visibility  string   `json:"visibility"`
}

// msgCapacityDay is the pages' message for a date that cannot be read.
const msgCapacityDay = "enter a date such as 2027-05-01"

// createOffer posts an offer of the caller's side: its State, or the
// secretariat.
func (s *server) createOffer(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in offerIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	input := capacity.OfferInput{Kind: capacity.OfferKind(strings.TrimSpace(in.Kind)), Title: in.Title, Description: in.Description,
		Topics: topicsIn(in.Topics), Provisions: in.Provisions, Languages: in.Languages, Regions: in.Regions, Capacity: in.Capacity,
		Status: capacity.Status(strings.TrimSpace(in.Status)), Visibility: capacity.Visibility(strings.TrimSpace(in.Visibility))}
	var bad errs.Fields
	for _, d := range []struct {
		name, v string
		dst     **time.Time
	}{{"from", in.From, &input.From}, {"until", in.Until, &input.Until}} {
		v := strings.TrimSpace(d.v)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add(d.name, msgCapacityDay)
			continue
		}
		*d.dst = &t
	}
	if len(bad) > 0 {
		// The service names every other field to fix, writing nothing.
		err := s.app.Capacity.CheckOffer(r.Context(), a, input)
		if err != nil && !errs.Is(err, errs.Invalid) {
			return err
		}
		for k, v := range errs.FieldsOf(err) {
			bad.Add(k, v)
		}
		return bad.Err()
	}
	o, err := s.app.Capacity.CreateOffer(r.Context(), a, input)
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/capacity/offers/"+o.ID)
	w.Header().Set("ETag", etag(o.Version))
	return writeJSON(w, http.StatusCreated, offerFrom(o))
}

// listPartnerships lists the published partnerships, which anyone reads.
func (s *server) listPartnerships(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Capacity.Published(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, func(p capacity.Partnership) partnershipOut { return partnershipFrom(p, false) }))
}

// getPartnership gives a partnership to its two sides, and to anyone
// once published.
func (s *server) getPartnership(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Capacity.Partnership(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	side, err := s.app.Capacity.Side(r.Context(), a, p)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	return writeJSON(w, http.StatusOK, partnershipFrom(p, side != ""))
}
