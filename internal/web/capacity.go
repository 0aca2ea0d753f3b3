package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
)

// The capacity-building pages (CBM 5): the needs and offers a person may
// read, filtered and paged; a need or an offer with, for its own side,
// the suggestions and partnerships; the forms; and the partnerships
// published by both sides. The capacity service decides who reads and does
// what; the pages ask it which buttons to show.

var capacityFlashes = map[string]i18n.Message{
	"posted":    i18n.M("Posted. Suggestions are made from what it shares with what others posted."),
	"changed":   i18n.M("Saved. Its suggestions are made again from what it now holds."),
	"proposed":  i18n.M("The partnership is proposed. The other side sees it with its suggestions and answers it."),
	"accepted":  i18n.M("The partnership is agreed. Either side may now consent to publish it."),
	"declined":  i18n.M("The partnership is declined."),
	"consented": i18n.M("Your side consents to publish the partnership. It is published once the other side consents too."),
	"published": i18n.M("Both sides consented: the partnership is on the public list."),
}

func capacityFlash(r *http.Request) any {
	if m, ok := capacityFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

// capacityWords writes the coded facts of needs, offers and partnerships
// in the page's language.
type capacityWords struct{ checkWords }

func (w capacityWords) Topic(code any) string {
	return w.p.TC("capacity topic", capacity.Topic(fmt.Sprint(code)).Label())
}

func (w capacityWords) Kind(code any) string {
	return w.p.TC("capacity offer kind", capacity.OfferKind(fmt.Sprint(code)).Label())
}

func (w capacityWords) Status(code any) string {
	return w.p.TC("capacity status", capacity.Status(fmt.Sprint(code)).Label())
}

func (w capacityWords) Visibility(code any) string {
	return w.p.TC("capacity visibility", capacity.Visibility(fmt.Sprint(code)).Label())
}

func (w capacityWords) Partnership(code any) string {
	return w.p.TC("partnership status", capacity.PartnershipStatus(fmt.Sprint(code)).Label())
}

// Topics names a list of topics.
func (w capacityWords) Topics(v []capacity.Topic) string {
	codes := make([]string, len(v))
	for i, t := range v {
		codes[i] = string(t)
	}
	return w.list(codes, func(c string) string { return w.Topic(c) })
}

// Languages names a list of language tags.
func (w capacityWords) Languages(v []string) string { return languageList(w.p, v) }

// Owner names who offers: a State, or the secretariat.
func (w capacityWords) Owner(code string) string {
	if code == "" {
		return w.p.TC("capacity offer owner", "The secretariat")
	}
	return w.State(code)
}

// OwnerInSentence names who offers inside a sentence.
func (w capacityWords) OwnerInSentence(code string) string {
	if code == "" {
		return w.p.TC("capacity offer owner, in a sentence", "the secretariat")
	}
	return w.State(code)
}

// Regions names the groups an offer serves; none is every group.
func (w capacityWords) Regions(v []string) string {
	if len(v) == 0 {
		return w.p.TC("capacity", "Every regional group")
	}
	return w.RegionList(v)
}

// capacityFilterData is what the filter forms of both lists offer.
type capacityFilterData struct {
	AllTopics  []capacity.Topic
	Groups     []provisionGroup
	AllRegions []string
}

func (s *Server) capacityFilters(r *http.Request) capacityFilterData {
	p := s.printer(r)
	return capacityFilterData{AllTopics: capacity.Topics(), Groups: capacityProvisionGroups(p, s), AllRegions: states.Regions()}
}

// capacityProvisionGroups are the provisions needs and offers are linked
// to: those findings use, and the Annex B CBMs of A/79/214 among them.
func capacityProvisionGroups(p *i18n.Printer, s *Server) []provisionGroup {
	return findingGroups(p, s.app.Catalog)
}

func capacityFilter(q url.Values) capacity.Filter {
	return capacity.Filter{Topic: capacity.Topic(q.Get("topic")), Provision: q.Get("provision"), Language: q.Get("language"),
		Region: q.Get("region"), State: q.Get("state")}
}

type capacityListData struct {
	capacityWords
	capacityFilterData
	Needs        []capacity.Need
	Offers       []capacity.Offer
	Pager        pager
	CanPostNeed  bool
	CanPostOffer bool
	Tab          string // needs | offers
	SignedIn     bool
}

func (s *Server) capacityList(w http.ResponseWriter, r *http.Request, tab string) {
	a := who(r)
	ctx := r.Context()
	p := s.printer(r)
	q := r.URL.Query()
	d := capacityListData{capacityWords: capacityWords{checkWords{p}}, capacityFilterData: s.capacityFilters(r), Tab: tab, SignedIn: a.Authenticated()}
	d.CanPostNeed = s.app.Capacity.CanPostNeed(ctx, a) == nil
	d.CanPostOffer = s.app.Capacity.CanPostOffer(ctx, a) == nil
	title, name := p.TC("capacity", "Capacity-building needs"), "capacitylist"
	if tab == "offers" {
		title = p.TC("capacity", "Capacity-building offers")
	}
	pg := page{Title: title, Nav: "capacity", Data: d, Form: q, Flash: capacityFlash(r)}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, name, pg, err)
		return
	}
	f := capacityFilter(q)
	if tab == "offers" {
		res, err := s.app.Capacity.Offers(ctx, a, f, req)
		if err != nil {
			s.listProblem(w, r, name, pg, err)
			return
		}
		d.Offers, d.Pager = res.Items, pagerFor(r, res.Next)
	} else {
		res, err := s.app.Capacity.Needs(ctx, a, f, req)
		if err != nil {
			s.listProblem(w, r, name, pg, err)
			return
		}
		d.Needs, d.Pager = res.Items, pagerFor(r, res.Next)
	}
	pg.Data = d
	s.render(w, r, http.StatusOK, name, pg)
}

func (s *Server) capacityNeeds(w http.ResponseWriter, r *http.Request) { s.capacityList(w, r, "needs") }
func (s *Server) capacityOffers(w http.ResponseWriter, r *http.Request) {
	s.capacityList(w, r, "offers")
}

type partnershipsData struct {
	capacityWords
	Partnerships []capacity.Partnership
	Pager        pager
	Mine         bool
	SignedIn     bool
	One          *partnershipCard // one partnership on its own page instead of the list
}

// partnershipCard is one partnership as its card shows it.
type partnershipCard struct {
	partnershipsData
	P     capacity.Partnership
	Alone bool // on its own page: the title is not a link to it
}

// Card is p as a card of the list.
func (d partnershipsData) Card(p capacity.Partnership) partnershipCard {
	return partnershipCard{partnershipsData: d, P: p}
}

// capacityPartnershipPage shows one partnership: to anyone once both sides
// published it, and to its two sides before. State profiles link here.
func (s *Server) capacityPartnershipPage(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	ps, err := s.app.Capacity.Partnership(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	side, err := s.app.Capacity.Side(r.Context(), a, ps)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := partnershipsData{capacityWords: capacityWords{checkWords{p}}, Mine: side != "", SignedIn: a.Authenticated()}
	d.One = &partnershipCard{partnershipsData: d, P: ps, Alone: true}
	s.render(w, r, http.StatusOK, "capacitypartnerships", page{Title: p.TC("capacity", "Capacity-building partnership"), Nav: "capacity", Data: d})
}

// capacityPartnerships lists the published partnerships, or with mine=1
// those of the viewer's side.
func (s *Server) capacityPartnerships(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p := s.printer(r)
	q := r.URL.Query()
	d := partnershipsData{capacityWords: capacityWords{checkWords{p}}, Mine: q.Get("mine") == "1", SignedIn: a.Authenticated()}
	pg := page{Title: p.TC("capacity", "Capacity-building partnerships"), Nav: "capacity", Data: d, Flash: capacityFlash(r)}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "capacitypartnerships", pg, err)
		return
	}
	list := s.app.Capacity.Published
	if d.Mine {
		list = s.app.Capacity.Mine
	}
	res, err := list(r.Context(), a, req)
	if err != nil {
		s.listProblem(w, r, "capacitypartnerships", pg, err)
		return
	}
	d.Partnerships, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "capacitypartnerships", pg)
}

// suggestionRow is one suggestion on an item's page, with what the viewer
// may do about it.
type suggestionRow struct {
	capacity.Suggestion
	CanPropose bool
	CanAnswer  bool
	CanPublish bool
	Side       capacity.Side // the viewer's
	// MyConsent and TheirConsent are the two sides' consents to publish.
	MyConsent, TheirConsent bool
}

type capacityItemData struct {
	capacityWords
	Need        capacity.Need
	Offer       capacity.Offer
	IsNeed      bool
	CanEdit     bool
	Own         bool // the viewer reads for the item's side and sees its suggestions
	Suggestions []suggestionRow
}

func (s *Server) capacityItemData(r *http.Request, isNeed bool, id string) (capacityItemData, string, error) {
	a := who(r)
	ctx := r.Context()
	svc := s.app.Capacity
	d := capacityItemData{capacityWords: capacityWords{checkWords{s.printer(r)}}, IsNeed: isNeed}
	var sgs []capacity.Suggestion
	var title string
	if isNeed {
		n, err := svc.Need(ctx, a, id)
		if err != nil {
			return d, "", err
		}
		d.Need, title = n, n.Title
		d.CanEdit = svc.CanEditNeed(ctx, a, n) == nil
		if d.Own = svc.OwnsNeed(ctx, a, n); d.Own {
			if sgs, err = svc.NeedSuggestions(ctx, a, id); err != nil {
				return d, "", err
			}
		}
	} else {
		o, err := svc.Offer(ctx, a, id)
		if err != nil {
			return d, "", err
		}
		d.Offer, title = o, o.Title
		d.CanEdit = svc.CanEditOffer(ctx, a, o) == nil
		if d.Own = svc.OwnsOffer(ctx, a, o); d.Own {
			if sgs, err = svc.OfferSuggestions(ctx, a, id); err != nil {
				return d, "", err
			}
		}
	}
	side := capacity.NeedSide
	if !isNeed {
		side = capacity.OfferSide
	}
	for _, sg := range sgs {
		row := suggestionRow{Suggestion: sg, Side: side}
		row.CanPropose = svc.CanPropose(ctx, a, sg) == nil
		if p := sg.Partnership; p != nil {
			row.CanAnswer = svc.CanAnswer(ctx, a, *p) == nil
			row.CanPublish = svc.CanPublish(ctx, a, *p) == nil
			row.MyConsent, row.TheirConsent = p.NeedPublish, p.OfferPublish
			if side == capacity.OfferSide {
				row.MyConsent, row.TheirConsent = p.OfferPublish, p.NeedPublish
			}
		}
		d.Suggestions = append(d.Suggestions, row)
	}
	return d, title, nil
}

func (s *Server) capacityItem(w http.ResponseWriter, r *http.Request, isNeed bool) {
	d, title, err := s.capacityItemData(r, isNeed, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "capacityitem", page{Title: title, Nav: "capacity", Data: d, Flash: capacityFlash(r)})
}

func (s *Server) capacityNeedPage(w http.ResponseWriter, r *http.Request) { s.capacityItem(w, r, true) }
func (s *Server) capacityOfferPage(w http.ResponseWriter, r *http.Request) {
	s.capacityItem(w, r, false)
}

// capacityItemProblem shows an item's page again with what went wrong in
// an action on one of its suggestions, or the error page.
func (s *Server) capacityItemProblem(w http.ResponseWriter, r *http.Request, isNeed bool, id string, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, title, derr := s.capacityItemData(r, isNeed, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "capacityitem", page{Title: title, Nav: "capacity", Data: d}, err)
}

// capacityPropose proposes a partnership from a suggestion; the form
// says from which item's page it was sent, where the answer goes back.
func (s *Server) capacityPropose(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	need, offer := f.Get("need"), f.Get("offer")
	fromNeed := f.Get("from") != "offer"
	back := "/capacity/needs/" + url.PathEscape(need)
	if !fromNeed {
		back = "/capacity/offers/" + url.PathEscape(offer)
	}
	_, err := s.app.Capacity.Propose(r.Context(), who(r), need, offer, f.Get("note"))
	if err == nil {
		redirect(w, r, back+"?done=proposed")
		return
	}
	id := need
	if !fromNeed {
		id = offer
	}
	s.capacityItemProblem(w, r, fromNeed, id, err)
}

// capacityPartnershipAction answers or consents to publish partnership
// id, then goes back to the viewer's own item.
func (s *Server) capacityPartnershipAction(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	ctx := r.Context()
	id := r.PathValue("id")
	version, _ := formVersion(r.PostForm)
	svc := s.app.Capacity
	var p capacity.Partnership
	var err error
	done := ""
	switch r.PathValue("action") {
	case "accept":
		p, err = svc.Accept(ctx, a, id, version)
		done = "accepted"
	case "decline":
		p, err = svc.Decline(ctx, a, id, version)
		done = "declined"
	case "publish":
		p, err = svc.Publish(ctx, a, id, version)
		done = "consented"
	default:
		s.renderError(w, r, errNotFound)
		return
	}
	if err != nil {
		// Show the viewer's own item again when they are a side.
		before, perr := svc.Partnership(ctx, a, id)
		side, serr := svc.Side(ctx, a, before)
		if perr != nil || serr != nil || side == "" {
			s.renderError(w, r, err)
			return
		}
		if side == capacity.NeedSide {
			s.capacityItemProblem(w, r, true, before.NeedID, err)
		} else {
			s.capacityItemProblem(w, r, false, before.OfferID, err)
		}
		return
	}
	if done == "consented" && p.Published() {
		done = "published"
	}
	side, err := svc.Side(ctx, a, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	to := "/capacity/offers/" + p.OfferID
	if side == capacity.NeedSide {
		to = "/capacity/needs/" + p.NeedID
	}
	redirect(w, r, to+"?done="+done)
}
