package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/states"
)

// The forms of needs and offers, new and edit. Languages are typed as
// tags separated by commas, as on a point of contact's form; topics,
// provisions and regions are chosen from lists.

const badCapacityDay = "enter a date such as 2027-05-01"

type capacityFormData struct {
	capacityWords
	capacityFilterData
	IsNeed       bool
	New          bool
	ID           string
	Kinds        []capacity.OfferKind
	Statuses     []capacity.Status
	Visibilities []capacity.Visibility
}

func (s *Server) capacityFormData(r *http.Request, isNeed bool, id string) capacityFormData {
	d := capacityFormData{capacityWords: capacityWords{checkWords{s.printer(r)}}, capacityFilterData: s.capacityFilters(r),
		IsNeed: isNeed, New: id == "", ID: id, Kinds: capacity.OfferKinds(), Visibilities: capacity.Visibilities(), Statuses: capacity.NeedStatuses()}
	if !isNeed {
		d.Statuses = capacity.OfferStatuses()
	}
	return d
}

func topicsOf(v []string) []capacity.Topic {
	out := make([]capacity.Topic, len(v))
	for i, t := range v {
		out[i] = capacity.Topic(t)
	}
	return out
}

func needInput(f url.Values) capacity.NeedInput {
	return capacity.NeedInput{Title: f.Get("title"), Description: f.Get("description"), Topics: topicsOf(f["topics"]),
		Provisions: f["provisions"], Languages: splitList(f.Get("languages")), Region: f.Get("region"),
		Status: capacity.Status(f.Get("status")), Visibility: capacity.Visibility(f.Get("visibility")),
		SourceReport: f.Get("source_report"), SourceProvision: f.Get("source_provision")}
}

// offerInput reads the offer form; a date that is no date is reported in
// bad.
func offerInput(f url.Values) (in capacity.OfferInput, bad errs.Fields) {
	in = capacity.OfferInput{Kind: capacity.OfferKind(f.Get("kind")), Title: f.Get("title"), Description: f.Get("description"),
		Topics: topicsOf(f["topics"]), Provisions: f["provisions"], Languages: splitList(f.Get("languages")), Regions: f["regions"],
		Capacity: f.Get("capacity"), Status: capacity.Status(f.Get("status")), Visibility: capacity.Visibility(f.Get("visibility"))}
	for _, field := range []string{"from", "until"} {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add(field, badCapacityDay)
			continue
		}
		if field == "from" {
			in.From = &t
		} else {
			in.Until = &t
		}
	}
	return in, bad
}

func needValues(n capacity.Need) url.Values {
	v := url.Values{"title": {n.Title}, "description": {n.Description}, "provisions": n.Provisions, "languages": {strings.Join(n.Languages, ", ")},
		"region": {n.Region}, "status": {string(n.Status)}, "visibility": {string(n.Visibility)}, "source_report": {n.SourceReport},
		"source_provision": {n.SourceProvision}, "version": {strconv.Itoa(n.Version)}}
	for _, t := range n.Topics {
		v.Add("topics", string(t))
	}
	return v
}

func offerValues(o capacity.Offer) url.Values {
	v := url.Values{"kind": {string(o.Kind)}, "title": {o.Title}, "description": {o.Description}, "provisions": o.Provisions,
		"languages": {strings.Join(o.Languages, ", ")}, "regions": o.Regions, "capacity": {o.Capacity}, "status": {string(o.Status)},
		"visibility": {string(o.Visibility)}, "version": {strconv.Itoa(o.Version)}}
	for _, t := range o.Topics {
		v.Add("topics", string(t))
	}
	if o.From != nil {
		v.Set("from", o.From.Format(time.DateOnly))
	}
	if o.Until != nil {
		v.Set("until", o.Until.Format(time.DateOnly))
	}
	return v
}

func (s *Server) capacityFormTitle(r *http.Request, isNeed, isNew bool) string {
	p := s.printer(r)
	switch {
	case isNeed && isNew:
		return p.TC("capacity", "Post a need")
	case isNeed:
		return p.TC("capacity", "Change the need")
	case isNew:
		return p.TC("capacity", "Post an offer")
	}
	return p.TC("capacity", "Change the offer")
}

func (s *Server) capacityNewForm(w http.ResponseWriter, r *http.Request, isNeed bool) {
	a := who(r)
	var err error
	form := url.Values{"visibility": {string(capacity.Participants)}}
	if isNeed {
		err = s.app.Capacity.CanPostNeed(r.Context(), a)
		if st, ok := states.ByCode(a.State); ok {
			form.Set("region", st.Region)
		}
		// A gap of a national report, posted from the report's page: the
		// form starts from it and the writer finishes it; the service
		// checks what is sent as for any need.
		q := r.URL.Query()
		for _, k := range []string{"source_report", "source_provision", "description"} {
			if v := q.Get(k); v != "" {
				form.Set(k, v)
			}
		}
		if v := q.Get("provisions"); v != "" {
			form.Set("provisions", v)
		}
	} else {
		err = s.app.Capacity.CanPostOffer(r.Context(), a)
		form.Set("kind", string(capacity.Training))
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "capacityform", page{Title: s.capacityFormTitle(r, isNeed, true), Nav: "capacity", Form: form,
		Data: s.capacityFormData(r, isNeed, "")})
}

func (s *Server) capacityNeedNew(w http.ResponseWriter, r *http.Request) {
	s.capacityNewForm(w, r, true)
}
func (s *Server) capacityOfferNew(w http.ResponseWriter, r *http.Request) {
	s.capacityNewForm(w, r, false)
}

func (s *Server) capacityEditForm(w http.ResponseWriter, r *http.Request, isNeed bool) {
	a := who(r)
	ctx := r.Context()
	id := r.PathValue("id")
	var form url.Values
	if isNeed {
		n, err := s.app.Capacity.Need(ctx, a, id)
		if err == nil {
			err = s.app.Capacity.CanEditNeed(ctx, a, n)
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		form = needValues(n)
	} else {
		o, err := s.app.Capacity.Offer(ctx, a, id)
		if err == nil {
			err = s.app.Capacity.CanEditOffer(ctx, a, o)
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		form = offerValues(o)
	}
	s.render(w, r, http.StatusOK, "capacityform", page{Title: s.capacityFormTitle(r, isNeed, false), Nav: "capacity", Form: form,
		Data: s.capacityFormData(r, isNeed, id)})
}

func (s *Server) capacityNeedEdit(w http.ResponseWriter, r *http.Request) {
	s.capacityEditForm(w, r, true)
}
func (s *Server) capacityOfferEdit(w http.ResponseWriter, r *http.Request) {
	s.capacityEditForm(w, r, false)
}

// capacitySave posts (id "") or changes a need or an offer.
func (s *Server) capacitySave(w http.ResponseWriter, r *http.Request, isNeed bool, id string) {
	a := who(r)
	ctx := r.Context()
	f := r.PostForm
	version, _ := formVersion(f)
	var saved string
	var err error
	if isNeed {
		var n capacity.Need
		if id == "" {
			n, err = s.app.Capacity.CreateNeed(ctx, a, needInput(f))
		} else {
			n, err = s.app.Capacity.EditNeed(ctx, a, id, version, needInput(f))
		}
		saved = "/capacity/needs/" + n.ID
	} else {
		// The service is asked even when a date could not be read: it
		// decides who may send this form and finds the other problems.
		in, bad := offerInput(f)
		var o capacity.Offer
		switch {
		case len(bad) > 0:
			// A date the page could not read is not sent on, which would
			// save the offer without it: the service checks the rest only.
			if id != "" {
				if o, err = s.app.Capacity.Offer(ctx, a, id); err == nil {
					err = s.app.Capacity.CanEditOffer(ctx, a, o)
				}
			}
			if err == nil {
				err = s.app.Capacity.CheckOffer(ctx, a, in)
			}
			if err == nil {
				err = bad.Err()
			}
		case id == "":
			o, err = s.app.Capacity.CreateOffer(ctx, a, in)
		default:
			o, err = s.app.Capacity.EditOffer(ctx, a, id, version, in)
		}
		err = withFieldErrors(err, bad)
		saved = "/capacity/offers/" + o.ID
	}
	if err == nil {
		done := "posted"
		if id != "" {
			done = "changed"
		}
		redirect(w, r, saved+"?done="+done)
		return
	}
	s.renderForm(w, r, "capacityform", page{Title: s.capacityFormTitle(r, isNeed, id == ""), Nav: "capacity",
		Data: s.capacityFormData(r, isNeed, id)}, err)
}

func (s *Server) capacityNeedCreate(w http.ResponseWriter, r *http.Request) {
	s.capacitySave(w, r, true, "")
}
func (s *Server) capacityOfferCreate(w http.ResponseWriter, r *http.Request) {
	s.capacitySave(w, r, false, "")
}
func (s *Server) capacityNeedUpdate(w http.ResponseWriter, r *http.Request) {
	s.capacitySave(w, r, true, r.PathValue("id"))
}
func (s *Server) capacityOfferUpdate(w http.ResponseWriter, r *http.Request) {
	s.capacitySave(w, r, false, r.PathValue("id"))
}
