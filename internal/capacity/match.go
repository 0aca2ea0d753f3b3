package capacity

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/sharing"
)

// Suggestions are kept, not computed per request: saving a need replaces
// every suggestion of that need, saving an offer every one of that offer,
// inside the transaction of the save. The candidates are found through
// capacity_tags (the items sharing a topic or a provision), so a save
// reads the items it may pair with, not every item.

// maxSuggestions is how many suggestions an item's page shows, those with
// most in common first.
const maxSuggestions = 30

// pair decides whether need n and offer o are suggested to each other,
// what they share and how strongly. They are when both are still open (or
// the need in partnership, which may take more help), belong to different
// sides, each side may read the other's item, the offer serves the need's
// regional group, and they share a language and a topic or a provision.
// The score orders one item's suggestions; it is never shown.
func pair(n Need, o Offer) (Shared, int, bool) {
	var sh Shared
	if n.Status == Closed || o.Status != Open || o.Owner == n.State {
		return sh, 0, false
	}
	offerSide := sharing.Reader{Secretariat: o.Owner == "", State: o.Owner}
	needSide := sharing.Reader{State: n.State}
	if !offerSide.Sees(n.State, n.Visibility) || !needSide.Sees(o.Owner, o.Visibility) {
		return sh, 0, false
	}
	if len(o.Regions) > 0 && !slices.Contains(o.Regions, n.Region) {
		return sh, 0, false
	}
	for _, p := range n.Provisions {
		if slices.Contains(o.Provisions, p) {
			sh.Provisions = append(sh.Provisions, p)
		}
	}
	for _, t := range n.Topics {
		if slices.Contains(o.Topics, t) {
			sh.Topics = append(sh.Topics, t)
		}
	}
	offered := map[string]bool{}
	for _, l := range o.Languages {
		offered[primary(l)] = true
	}
	for _, l := range n.Languages {
		if p := primary(l); offered[p] && !slices.Contains(sh.Languages, p) {
			sh.Languages = append(sh.Languages, p)
		}
	}
	if len(sh.Provisions)+len(sh.Topics) == 0 || len(sh.Languages) == 0 {
		return sh, 0, false
	}
	return sh, 4*len(sh.Provisions) + 2*len(sh.Topics) + len(sh.Languages), true
}

// matchNeed replaces n's suggestions, inside the save's transaction.
func (s *Service) matchNeed(ctx context.Context, tx *sql.Tx, n Need, now time.Time) error {
	if err := deleteMatches(ctx, tx, "need_id", n.ID); err != nil {
		return errs.Internalf(err, "clear suggestions")
	}
	ids, err := candidates(ctx, tx, "offer", n.Topics, n.Provisions)
	if err != nil {
		return errs.Internalf(err, "find offers to suggest")
	}
	offers, err := selectOffers(ctx, tx, ids)
	if err != nil {
		return errs.Internalf(err, "load offers to suggest")
	}
	for _, o := range offers {
		if sh, score, ok := pair(n, o); ok {
			if err := insertMatch(ctx, tx, n, o, sh, score, now); err != nil {
				return errs.Internalf(err, "record suggestion")
			}
		}
	}
	return nil
}

// matchOffer replaces o's suggestions, inside the save's transaction.
func (s *Service) matchOffer(ctx context.Context, tx *sql.Tx, o Offer, now time.Time) error {
	if err := deleteMatches(ctx, tx, "offer_id", o.ID); err != nil {
		return errs.Internalf(err, "clear suggestions")
	}
	ids, err := candidates(ctx, tx, "need", o.Topics, o.Provisions)
	if err != nil {
		return errs.Internalf(err, "find needs to suggest")
	}
	needs, err := selectNeeds(ctx, tx, ids)
	if err != nil {
		return errs.Internalf(err, "load needs to suggest")
	}
	for _, n := range needs {
		if sh, score, ok := pair(n, o); ok {
			if err := insertMatch(ctx, tx, n, o, sh, score, now); err != nil {
				return errs.Internalf(err, "record suggestion")
			}
		}
	}
	return nil
}

// NeedSuggestions returns the offers suggested for need id, those with
// most in common first, each with its partnership if one was proposed.
// Only the need's own State reads them.
func (s *Service) NeedSuggestions(ctx context.Context, a actor.Actor, id string) ([]Suggestion, error) {
	n, err := s.Need(ctx, a, id)
	if err != nil {
		return nil, err
	}
	own, err := s.ownsNeed(ctx, a, n)
	if err != nil {
		return nil, err
	}
	if !own {
		return nil, errs.E(errs.Forbidden, msgNotSide)
	}
	ms, err := selectMatches(ctx, s.db.R, "need_id", n.ID, maxSuggestions)
	if err != nil {
		return nil, errs.Internalf(err, "load suggestions")
	}
	ids := make([]string, len(ms))
	for k, m := range ms {
		ids[k] = m.offer
	}
	offers, err := selectOffers(ctx, s.db.R, ids)
	if err != nil {
		return nil, errs.Internalf(err, "load suggested offers")
	}
	byID := map[string]Offer{}
	for _, o := range offers {
		byID[o.ID] = o
	}
	ps, err := partnershipsOf(ctx, s.db.R, "need_id", n.ID)
	if err != nil {
		return nil, errs.Internalf(err, "load partnerships")
	}
	var out []Suggestion
	for _, m := range ms {
		o, ok := byID[m.offer]
		if !ok {
			continue
		}
		sg := Suggestion{Need: n, Offer: o, Shared: m.shared}
		for k := range ps {
			if ps[k].OfferID == o.ID {
				sg.Partnership = &ps[k]
			}
		}
		out = append(out, sg)
	}
	return out, nil
}

// OfferSuggestions returns the needs suggested for offer id, for the
// offering side only.
func (s *Service) OfferSuggestions(ctx context.Context, a actor.Actor, id string) ([]Suggestion, error) {
	o, err := s.Offer(ctx, a, id)
	if err != nil {
		return nil, err
	}
	own, err := s.ownsOffer(ctx, a, o)
	if err != nil {
		return nil, err
	}
	if !own {
		return nil, errs.E(errs.Forbidden, msgNotSide)
	}
	ms, err := selectMatches(ctx, s.db.R, "offer_id", o.ID, maxSuggestions)
	if err != nil {
		return nil, errs.Internalf(err, "load suggestions")
	}
	ids := make([]string, len(ms))
	for k, m := range ms {
		ids[k] = m.need
	}
	needs, err := selectNeeds(ctx, s.db.R, ids)
	if err != nil {
		return nil, errs.Internalf(err, "load suggested needs")
	}
	byID := map[string]Need{}
	for _, n := range needs {
		byID[n.ID] = n
	}
	ps, err := partnershipsOf(ctx, s.db.R, "offer_id", o.ID)
	if err != nil {
		return nil, errs.Internalf(err, "load partnerships")
	}
	var out []Suggestion
	for _, m := range ms {
		n, ok := byID[m.need]
		if !ok {
			continue
		}
		sg := Suggestion{Need: n, Offer: o, Shared: m.shared}
		for k := range ps {
			if ps[k].NeedID == n.ID {
				sg.Partnership = &ps[k]
			}
		}
		out = append(out, sg)
	}
	return out, nil
}
