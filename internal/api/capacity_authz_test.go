package api

import (
	"context"
	"net/http"
	"sync"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/states"
)

// What the capacity routes must show only to those who may read it.
const (
	frPrivNeed   = "FR private need 8d21"
	keNeedTitle  = "KE participants need 1c7e"
	keNeed2Title = "KE second need 44aa"
	frOfferTitle = "FR public offer 3f90"
	publishNote  = "Note for FR 71d0"
	pendingNote  = "Unpublished note 9be2"
)

// capacitySet holds the fixture's needs, offer and partnerships:
//   - frPriv: FR's private need;
//   - ke, ke2: KE's needs for participants;
//   - offer: FR's public offer, suggested to both of KE's needs;
//   - published: KE's first need with FR's offer, agreed and published;
//   - pending: KE's second need with FR's offer, proposed by KE only.
type capacitySet struct {
	frPriv, ke, ke2    capacity.Need
	offer              capacity.Offer
	published, pending capacity.Partnership
}

var capacitySets sync.Map

func (f *fixture) capacity() *capacitySet {
	f.t.Helper()
	if v, ok := capacitySets.Load(f.app); ok {
		return v.(*capacitySet)
	}
	ctx := context.Background()
	svc := f.app.Capacity
	var set capacitySet
	need := func(role, title string, v capacity.Visibility, region string) capacity.Need {
		n, err := svc.CreateNeed(ctx, f.acc[role].Actor(), capacity.NeedInput{Title: title, Description: "Help with " + title,
			Topics: []capacity.Topic{capacity.IncidentResponse}, Languages: []string{"en"}, Region: region, Visibility: v})
		if err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	set.frPriv = need(frAdmin, frPrivNeed, capacity.Private, states.WesternEurope)
	set.ke = need(kePOC, keNeedTitle, capacity.Participants, states.African)
	set.ke2 = need(kePOC, keNeed2Title, capacity.Participants, states.African)
	var err error
	if set.offer, err = svc.CreateOffer(ctx, f.acc[frAdmin].Actor(), capacity.OfferInput{Kind: capacity.Training, Title: frOfferTitle,
		Description: "CERT training.", Topics: []capacity.Topic{capacity.IncidentResponse}, Languages: []string{"en", "fr"},
		Visibility: capacity.Public}); err != nil {
		f.t.Fatal(err)
	}
	ke, fr := f.acc[kePOC].Actor(), f.acc[frAdmin].Actor()
	p, err := svc.Propose(ctx, ke, set.ke.ID, set.offer.ID, publishNote)
	if err == nil {
		p, err = svc.Accept(ctx, fr, p.ID, p.Version)
	}
	if err == nil {
		p, err = svc.Publish(ctx, fr, p.ID, p.Version)
	}
	if err == nil {
		p, err = svc.Publish(ctx, ke, p.ID, p.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	set.published = p
	if set.pending, err = svc.Propose(ctx, ke, set.ke2.ID, set.offer.ID, pendingNote); err != nil {
		f.t.Fatal(err)
	}
	v, _ := capacitySets.LoadOrStore(f.app, &set)
	return v.(*capacitySet)
}

// pagedOffer posts another public offer of FR's.
func (f *fixture) pagedOffer(title string) {
	f.t.Helper()
	if _, err := f.app.Capacity.CreateOffer(context.Background(), f.acc[frAdmin].Actor(), capacity.OfferInput{Kind: capacity.Funding,
		Title: title, Description: "Funds.", Topics: []capacity.Topic{capacity.Awareness}, Languages: []string{"en"},
		Visibility: capacity.Public}); err != nil {
		f.t.Fatal(err)
	}
}

func capacityPath(kind string, pick func(*capacitySet) string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/capacity/" + kind + "/" + pick(f.capacity()) }
}

// capacityMatrix are the authorization matrix's rows of the capacity
// routes: each item as visible as its owner chose, a partnership to its
// two sides until published; a State outside reads what the public does.
var capacityMatrix = []matrixCase{
	{name: "capacity needs", method: http.MethodGet, path: func(f *fixture, _ string) string { f.capacity(); return "/capacity/needs?limit=200" },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: all(200),
		hide: map[string][]string{kePOC: {frPrivNeed}, nzPOC: {frPrivNeed, keNeedTitle}, anon: {frPrivNeed, keNeedTitle}},
		show: map[string][]string{sec: {frPrivNeed, keNeedTitle}, frViewer: {frPrivNeed, keNeedTitle, `"visibility":"private"`}, kePOC: {keNeedTitle}}},
	{name: "capacity needs of a State", method: http.MethodGet, path: func(f *fixture, _ string) string {
		f.capacity()
		return "/capacity/needs?state=ke&topic=incident_response&language=en-GB&region=African"
	},
		want: all(200),
		hide: map[string][]string{frAdmin: {frPrivNeed}, anon: {keNeedTitle}}, show: map[string][]string{frAdmin: {keNeedTitle, keNeed2Title}}},
	{name: "capacity needs with unknown filters", method: http.MethodGet, path: static("/capacity/needs?topic=magic&region=Atlantis&state=XX&provision=norm-zz&cursor=x"),
		want: all(422), show: map[string][]string{anon: {`"topic"`, `"region"`, `"state"`, `"provision"`, `"cursor"`}}},
	{name: "FR's private need", method: http.MethodGet, path: capacityPath("needs", func(s *capacitySet) string { return s.frPriv.ID }),
		want: byRole{200, 200, 200, 200, 404, 404, 200, 404},
		hide: map[string][]string{kePOC: {frPrivNeed}, nzPOC: {frPrivNeed}, anon: {frPrivNeed}}, show: map[string][]string{sec: {frPrivNeed}}},
	{name: "KE's need for participants", method: http.MethodGet, path: capacityPath("needs", func(s *capacitySet) string { return s.ke.ID }),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 404},
		hide: map[string][]string{nzPOC: {keNeedTitle}, anon: {keNeedTitle}}, show: map[string][]string{frPOC: {keNeedTitle, `"state":"KE"`}}},
	{name: "capacity offers", method: http.MethodGet, path: func(f *fixture, _ string) string { f.capacity(); return "/capacity/offers?state=FR&language=en" },
		want: all(200), show: map[string][]string{anon: {frOfferTitle, `"from":null`}, nzPOC: {frOfferTitle}}},
	{name: "the secretariat's offers", method: http.MethodGet, path: func(f *fixture, _ string) string { f.capacity(); return "/capacity/offers?state=secretariat" },
		want: all(200), hide: map[string][]string{sec: {frOfferTitle}}},
	{name: "FR's public offer", method: http.MethodGet, path: capacityPath("offers", func(s *capacitySet) string { return s.offer.ID }),
		want: all(200), hide: map[string][]string{anon: {"updated_by", "@fr.test.invalid"}}, show: map[string][]string{anon: {frOfferTitle, `"owner_state":"FR"`}}},
	{name: "published partnerships", method: http.MethodGet, path: func(f *fixture, _ string) string { f.capacity(); return "/capacity/partnerships" },
		// Never a partnership not yet published, nor what the sides wrote
		// to each other.
		want: all(200),
		hide: map[string][]string{sec: {keNeed2Title, pendingNote, publishNote}, frAdmin: {keNeed2Title, pendingNote, publishNote},
			kePOC: {keNeed2Title, pendingNote, publishNote}, anon: {keNeed2Title, pendingNote, publishNote, "score"}},
		show: map[string][]string{anon: {keNeedTitle, frOfferTitle, `"status":"agreed"`}}},
	{name: "a published partnership", method: http.MethodGet, path: capacityPath("partnerships", func(s *capacitySet) string { return s.published.ID }),
		want: all(200),
		hide: map[string][]string{sec: {publishNote}, nzPOC: {publishNote}, anon: {publishNote}},
		show: map[string][]string{frViewer: {publishNote}, kePOC: {publishNote}, anon: {keNeedTitle, `"need_publish":true`}}},
	{name: "a partnership not yet published", method: http.MethodGet, path: capacityPath("partnerships", func(s *capacitySet) string { return s.pending.ID }),
		// The secretariat, no side, does not see it either.
		want: byRole{404, 200, 200, 200, 200, 404, 200, 404},
		hide: map[string][]string{sec: {keNeed2Title, pendingNote}, nzPOC: {keNeed2Title, pendingNote}, anon: {keNeed2Title, pendingNote}},
		show: map[string][]string{frPOC: {pendingNote, `"status":"proposed"`, `"published_at":null`}}},
	{name: "post a need", method: http.MethodPost, path: static("/capacity/needs"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"title": "Need of " + role, "description": "Training for the national CERT.", "topics": []string{"incident_response"},
				"provisions": []string{"cbm-1"}, "languages": []string{"en"}, "region": "African", "visibility": "participants"}
		},
		// Administrators and POCs of a participating State; the
		// secretariat has no needs of its own.
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401},
		show: map[string][]string{kePOC: {`"state":"KE"`, `"status":"open"`}}},
	{name: "post an offer", method: http.MethodPost, path: static("/capacity/offers"),
		body: func(_ *fixture, role string) any {
			return map[string]any{"kind": "expert_exchange", "title": "Offer of " + role, "description": "Experts for a week.", "topics": []string{"awareness"},
				"languages": []string{"fr"}, "from": "2027-05-01", "until": "2027-06-01", "visibility": "public"}
		},
		want: byRole{201, 201, 201, 403, 201, 403, 403, 401},
		show: map[string][]string{sec: {`"owner_state":""`, `"from":"2027-05-01"`}, frPOC: {`"owner_state":"FR"`}}},
}

func init() { matrix = append(matrix, capacityMatrix...) }
