package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/states"
)

// Titles of the demo's capacity-building items, which its test looks for.
const (
	demoKenyaNeed   = "Written procedures and training for the national CIRT's duty officers"
	demoFranceOffer = "Two incident handlers of the national CERT for a fortnight"
)

// seedCapacity posts the featured States' capacity-building needs and
// offers (CBM 5) as their people would, over the past months: Kenya's need
// for CIRT procedures, drawn from a capacity gap it reported under norm
// 13(h), and its public need for an awareness campaign; Brazil's need for
// vulnerability handling in industrial control products; France's exchange
// of experts, Japan's technical assistance and the secretariat's course.
// Kenya and France agree on a partnership and both publish it; Brazil
// proposes one to Japan that Japan has not answered, so it stays between
// the two.
func seedCapacity(ctx context.Context, a *app.App, c *clock.Fixed, sec actor.Actor, duty map[string]actor.Actor, now time.Time) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo capacity, %s: %w", what, err) }
	svc := a.Capacity
	day := 24 * time.Hour
	ke, fr, br, jp := duty["KE"], duty["FR"], duty["BR"], duty["JP"]

	c.Set(now.Add(-75 * day))
	keNeed, err := svc.CreateNeed(ctx, ke, capacity.NeedInput{Title: demoKenyaNeed,
		Description: "The national CIRT handles incidents without written procedures, and requests for assistance from other States reach a duty officer who has not handled one before. We need help to write the procedures and to train the twelve duty officers in using them, including answering a request under norm 13(h) within the agreed time.",
		Topics:      []capacity.Topic{capacity.IncidentResponse, capacity.TechnicalTraining}, Provisions: []string{"norm-h", "cbm-5"},
		Languages: []string{"en", "sw"}, Region: states.African, Visibility: capacity.Participants,
		SourceReport: "Kenya, national survey of implementation", SourceProvision: "norm-h"})
	if err != nil {
		return fail("Kenya's CIRT need", err)
	}
	if _, err := svc.CreateNeed(ctx, ke, capacity.NeedInput{Title: "Awareness campaign for small businesses",
		Description: "Material in English and Swahili, and a train-the-trainer course for the chambers of commerce.",
		Topics:      []capacity.Topic{capacity.Awareness, capacity.PublicPrivate}, Provisions: []string{"cbm-8"},
		Languages: []string{"en", "sw"}, Region: states.African, Visibility: capacity.Public}); err != nil {
		return fail("Kenya's awareness need", err)
	}
	c.Set(now.Add(-60 * day))
	brNeed, err := svc.CreateNeed(ctx, br, capacity.NeedInput{Title: "Handling vulnerability reports in industrial control products",
		Description: "Our CSIRT receives reports about controllers used in water and power utilities and has no process to coordinate them with foreign vendors.",
		Topics:      []capacity.Topic{capacity.VulnerabilityMgmt, capacity.CriticalInfra}, Provisions: []string{"norm-j", "cbm-7"},
		Languages: []string{"pt", "es", "en"}, Region: states.LatinAmerica, Visibility: capacity.Participants})
	if err != nil {
		return fail("Brazil's need", err)
	}
	c.Set(now.Add(-50 * day))
	frOffer, err := svc.CreateOffer(ctx, fr, capacity.OfferInput{Kind: capacity.ExpertExchange, Title: demoFranceOffer,
		Description: "Two analysts of the national CERT work alongside a partner team for two weeks: procedures, tooling and a tabletop exercise at the end.",
		Topics:      []capacity.Topic{capacity.IncidentResponse, capacity.TechnicalTraining}, Provisions: []string{"norm-h"},
		Languages: []string{"fr", "en"}, Regions: []string{states.African, states.WesternEurope},
		Capacity: "Two experts, twice a year", Visibility: capacity.Public})
	if err != nil {
		return fail("France's offer", err)
	}
	jpOffer, err := svc.CreateOffer(ctx, jp, capacity.OfferInput{Kind: capacity.TechnicalAssistance, Title: "Coordinating vulnerability disclosure with vendors",
		Description: "Remote assistance in setting up a coordinated disclosure process for industrial control products, with the templates our CSIRT uses.",
		Topics:      []capacity.Topic{capacity.VulnerabilityMgmt}, Provisions: []string{"norm-j"},
		Languages: []string{"en", "ja"}, Visibility: capacity.Participants})
	if err != nil {
		return fail("Japan's offer", err)
	}
	if _, err := svc.CreateOffer(ctx, sec, capacity.OfferInput{Kind: capacity.Training, Title: "Course for new points of contact",
		Description: "Three days on the norms, the directory, communication checks and the templates, online or in Geneva.",
		Topics:      []capacity.Topic{capacity.DiplomacyCBMs, capacity.NormsImplement}, Provisions: []string{"cbm-1", "cbm-6"},
		Languages: []string{"en", "fr", "es"}, Visibility: capacity.Participants}); err != nil {
		return fail("the secretariat's course", err)
	}

	c.Set(now.Add(-40 * day))
	p, err := svc.Propose(ctx, ke, keNeed.ID, frOffer.ID, "Could the experts come in the second half of May, before the regional exercise?")
	if err != nil {
		return fail("Kenya's proposal", err)
	}
	c.Set(now.Add(-37 * day))
	if p, err = svc.Accept(ctx, fr, p.ID, p.Version); err != nil {
		return fail("France's acceptance", err)
	}
	c.Set(now.Add(-30 * day))
	if p, err = svc.Publish(ctx, ke, p.ID, p.Version); err != nil {
		return fail("Kenya's consent", err)
	}
	c.Set(now.Add(-28 * day))
	if _, err = svc.Publish(ctx, fr, p.ID, p.Version); err != nil {
		return fail("France's consent", err)
	}
	c.Set(now.Add(-9 * day))
	if _, err := svc.Propose(ctx, br, brNeed.ID, jpOffer.ID, "Our CSIRT could start in the next quarter."); err != nil {
		return fail("Brazil's proposal", err)
	}
	return nil
}
