package app

import (
	"context"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/profile"
)

// The profile package declares what it reads of each domain; these
// adapters give it each domain's service in those terms, so the domains
// do not know of profiles and profiles know of no domain.

// profilePartnerships lists a State's published partnerships.
type profilePartnerships struct{ svc *capacity.Service }

// profilePartnershipsShown is how many of a State's partnerships its
// profile lists.
const profilePartnershipsShown = 20

func (p profilePartnerships) Published(ctx context.Context, a actor.Actor, state string) ([]profile.Partnership, error) {
	ps, err := p.svc.PublishedWith(ctx, a, state, profilePartnershipsShown)
	if err != nil {
		return nil, err
	}
	out := make([]profile.Partnership, len(ps))
	for i, x := range ps {
		partner := x.OfferState
		if x.OfferState == state {
			partner = x.NeedState
		}
		out[i] = profile.Partnership{ID: x.ID, Title: x.NeedTitle, Partner: partner}
	}
	return out, nil
}
