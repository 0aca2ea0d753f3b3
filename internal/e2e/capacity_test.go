package e2e

import (
	"context"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/states"
)

// capacityStops posts the tour's capacity-building needs and offers — KE's
// needs for a CERT and for awareness, FR's exchange of experts and the
// secretariat's course — with a partnership KE and FR agreed and published,
// one KE proposed to the secretariat, and returns the pages each person
// visits, by account key. KE proposes the last one from its own page.
func capacityStops(f *fixture) map[string][]stop {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Capacity
	ke, fr, sec := f.acc["kepoc"].Actor(), f.acc["frpoc"].Actor(), f.acc["sec"].Actor()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	need, err := svc.CreateNeed(ctx, ke, capacity.NeedInput{Title: "Incident handling procedures for the national CIRT",
		Description: "The national CIRT handles incidents without written procedures. We need help to write them and to train the duty officers in using them.",
		Topics:      []capacity.Topic{capacity.IncidentResponse, capacity.TechnicalTraining}, Provisions: []string{"norm-h", "cbm-5"},
		Languages: []string{"en", "sw"}, Region: states.African, Visibility: capacity.Participants,
		SourceReport: "Kenya, national survey of implementation 2027", SourceProvision: "norm-h"})
	must(err)
	awareness, err := svc.CreateNeed(ctx, ke, capacity.NeedInput{Title: "Awareness campaign for small businesses",
		Description: "Material and a train-the-trainer course.", Topics: []capacity.Topic{capacity.Awareness, capacity.IncidentResponse},
		Languages: []string{"en"}, Region: states.African, Visibility: capacity.Public})
	must(err)
	frOffer, err := svc.CreateOffer(ctx, fr, capacity.OfferInput{Kind: capacity.ExpertExchange, Title: "Two incident handlers for a fortnight",
		Description: "Two analysts of the national CERT work alongside a partner team for two weeks.", Topics: []capacity.Topic{capacity.IncidentResponse},
		Provisions: []string{"norm-h"}, Languages: []string{"fr", "en"}, Regions: []string{states.African, states.WesternEurope},
		Capacity: "Two experts, twice a year", Visibility: capacity.Public})
	must(err)
	secOffer, err := svc.CreateOffer(ctx, sec, capacity.OfferInput{Kind: capacity.Training, Title: "Course on the norms and the POC directory",
		Description: "A three-day course for new points of contact.", Topics: []capacity.Topic{capacity.IncidentResponse, capacity.DiplomacyCBMs},
		Provisions: []string{"cbm-5", "cbm-1"}, Languages: []string{"en", "fr", "es"}, Visibility: capacity.Participants})
	must(err)
	p, err := svc.Propose(ctx, ke, need.ID, frOffer.ID, "Could the experts come in May?")
	must(err)
	p, err = svc.Accept(ctx, fr, p.ID, p.Version)
	must(err)
	p, err = svc.Publish(ctx, ke, p.ID, p.Version)
	must(err)
	_, err = svc.Publish(ctx, fr, p.ID, p.Version)
	must(err)
	_, err = svc.Propose(ctx, ke, need.ID, secOffer.ID, "We would send six people.")
	must(err)
	needPage, awarenessPage := "/capacity/needs/"+need.ID, "/capacity/needs/"+awareness.ID
	frPage, secPage := "/capacity/offers/"+frOffer.ID, "/capacity/offers/"+secOffer.ID
	return map[string][]stop{
		"": {
			{name: "capacity-needs", path: "/capacity"},
			{name: "capacity-offers", path: "/capacity/offers"},
			{name: "capacity-partnerships", path: "/capacity/partnerships"},
			{name: "capacity-partnership", path: "/capacity/partnerships/" + p.ID},
			{name: "capacity-offer", path: frPage},
		},
		"kepoc": {
			{name: "capacity-needs", path: "/capacity"},
			{name: "capacity-need", path: needPage},
			{name: "capacity-need-proposed", path: awarenessPage, then: func(b *tab) {
				b.click(`main form[action="/capacity/partnerships"] button`)
				b.waitFor(".flash.ok")
			}},
			{name: "capacity-need-new", path: "/capacity/needs/new"},
			{name: "capacity-need-new-errors", path: "/capacity/needs/new", then: func(b *tab) {
				b.fill("#languages", "english!")
				b.click(saveButton)
				b.waitFor("#title-error")
			}},
			{name: "capacity-need-edit", path: needPage + "/edit"},
			{name: "capacity-partnerships-mine", path: "/capacity/partnerships?mine=1"},
			{name: "capacity-partnership", path: "/capacity/partnerships/" + p.ID},
		},
		"frpoc": {
			{name: "capacity-offers", path: "/capacity/offers?language=en&region=" + states.African},
			{name: "capacity-offer", path: frPage},
			{name: "capacity-offer-new", path: "/capacity/offers/new"},
			{name: "capacity-offer-new-errors", path: "/capacity/offers/new", then: func(b *tab) {
				b.fill("#title", "Forensics course")
				b.click(saveButton)
				b.waitFor("#description-error")
			}},
		},
		"sec": {
			{name: "capacity-offer", path: secPage},
			{name: "capacity-needs-filter-errors", path: "/capacity?region=Atlantis&topic=alchemy", status: 422},
		},
	}
}

// withCapacity adds the capacity-building pages to the tour's legs.
func withCapacity(f *fixture, legs []leg) []leg {
	more := capacityStops(f)
	for i := range legs {
		legs[i].stops = append(legs[i].stops, more[legs[i].who]...)
	}
	return legs
}
