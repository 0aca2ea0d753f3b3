package web_test

import (
	"context"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/states"
)

// What the capacity pages must show only to those who may see it.
const (
	keNeedTitle    = "KE national CIRT playbooks 5c1e"
	kePrivateTitle = "KE private gap 77b0"
	kePublicTitle  = "KE public awareness need 2f4d"
	secOfferTitle  = "Secretariat incident handling course 9e2a"
	frOfferTitle   = "FR CERT exchange of experts 41d8"
	secNote        = "P1-NOTE the secretariat agreed 6a0c"
	frNote         = "P2-NOTE FR proposes 3b7e"
)

// capacityItems are the fixture's needs, offers and partnerships: KE's
// needs (for participants, private, public), the secretariat's offer for
// participants and FR's public offer. KE and the secretariat agreed a
// partnership on KE's need, not published; FR proposed one on the same
// need, not yet answered; KE and FR published one on KE's public need.
// FR is thus the third State of the first, the secretariat the third side
// of the second, NZ (not participating) and the public of both.
type capacityItems struct {
	need, private, public capacity.Need
	secOffer, frOffer     capacity.Offer
	agreed, pending, pub  capacity.Partnership
}

func (f *fixture) capacity() capacityItems {
	f.t.Helper()
	ctx := context.Background()
	svc := f.app.Capacity
	ke, sec, fr := f.acc["kepoc"].Actor(), f.acc["sec"].Actor(), f.acc["frpoc"].Actor()
	need := func(title string, vis capacity.Visibility) capacity.Need {
		n, err := svc.CreateNeed(ctx, ke, capacity.NeedInput{Title: title, Description: "Procedures for handling incidents.",
			Topics: []capacity.Topic{capacity.IncidentResponse}, Provisions: []string{"norm-h"}, Languages: []string{"en", "sw"},
			Region: states.African, Visibility: vis})
		if err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	offer := func(who string, title string, vis capacity.Visibility) capacity.Offer {
		o, err := svc.CreateOffer(ctx, f.acc[who].Actor(), capacity.OfferInput{Kind: capacity.ExpertExchange, Title: title,
			Description: "Two experts for a week.", Topics: []capacity.Topic{capacity.IncidentResponse}, Provisions: []string{"norm-h", "cbm-5"},
			Languages: []string{"en", "fr"}, Visibility: vis})
		if err != nil {
			f.t.Fatal(err)
		}
		return o
	}
	var c capacityItems
	c.need, c.private, c.public = need(keNeedTitle, capacity.Participants), need(kePrivateTitle, capacity.Private), need(kePublicTitle, capacity.Public)
	c.secOffer, c.frOffer = offer("sec", secOfferTitle, capacity.Participants), offer("frpoc", frOfferTitle, capacity.Public)
	must := func(p capacity.Partnership, err error) capacity.Partnership {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
		return p
	}
	c.agreed = must(svc.Propose(ctx, ke, c.need.ID, c.secOffer.ID, secNote))
	c.agreed = must(svc.Accept(ctx, sec, c.agreed.ID, c.agreed.Version))
	c.pending = must(svc.Propose(ctx, fr, c.need.ID, c.frOffer.ID, frNote))
	c.pub = must(svc.Propose(ctx, fr, c.public.ID, c.frOffer.ID, ""))
	c.pub = must(svc.Accept(ctx, ke, c.pub.ID, c.pub.Version))
	c.pub = must(svc.Publish(ctx, ke, c.pub.ID, c.pub.Version))
	c.pub = must(svc.Publish(ctx, fr, c.pub.ID, c.pub.Version))
	return c
}
