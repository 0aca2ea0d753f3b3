package capacity

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/validate"
)

// SecretariatFilter is the owner filter that picks the secretariat's
// offers.
const SecretariatFilter = "secretariat"

// checkFilter validates a list's filter, each problem a field error.
func (s *Service) checkFilter(f Filter, offers bool) (Filter, error) {
	var fs errs.Fields
	if f.Topic != "" && !slices.Contains(Topics(), f.Topic) {
		fs.Add("topic", "choose capacity-building topics from the list")
	}
	if f.Provision != "" {
		if _, err := s.catalog.Provision(f.Provision); err != nil || validate.Encoding(f.Provision) != "" {
			fs.Add("provision", "choose provisions of the framework from the list")
		}
	}
	if f.Language != "" {
		tag, problem := validate.Language(f.Language)
		if problem != "" {
			fs.Add("language", problem)
		}
		f.Language = primary(tag)
	}
	if f.Region != "" && !slices.Contains(states.Regions(), f.Region) {
		fs.Add("region", "choose a UN regional group from the list")
	}
	if f.State != "" {
		f.State = strings.ToUpper(f.State)
		_, known := states.ByCode(f.State)
		if !known && !(offers && f.State == strings.ToUpper(SecretariatFilter)) {
			fs.Add("state", "choose States from the list")
		}
		if f.State == strings.ToUpper(SecretariatFilter) {
			f.State = "" // the secretariat's owner code
		}
	}
	return f, fs.Err()
}

// listKey is the sort key of a list of needs or offers: newest first.
type listKey struct {
	at time.Time
	id string
}

func parseKey(req page.Request) (*listKey, error) {
	if req.After == nil {
		return nil, nil
	}
	if len(req.After) != 2 {
		return nil, page.Damaged()
	}
	at, err := time.Parse(time.RFC3339Nano, req.After[0])
	if err != nil || uuid.Validate(req.After[1]) != nil {
		return nil, page.Damaged()
	}
	return &listKey{at: at.UTC(), id: req.After[1]}, nil
}

func keyOf(at time.Time, id string) []string { return []string{at.UTC().Format(time.RFC3339Nano), id} }

// Needs returns a page of the needs a may read, newest first, filtered.
func (s *Service) Needs(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Need], error) {
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return page.Page[Need]{}, err
	}
	f, err = s.checkFilter(f, false)
	if err != nil {
		return page.Page[Need]{}, err
	}
	after, err := parseKey(req)
	if err != nil {
		return page.Page[Need]{}, err
	}
	size := req.Size()
	rows, err := listNeeds(ctx, s.db.Kept(), r, f, after, size+1)
	if err != nil {
		return page.Page[Need]{}, errs.Internalf(err, "list needs")
	}
	return page.Cut(rows, size, func(n Need) []string { return keyOf(n.CreatedAt, n.ID) }), nil
}

// Offers returns a page of the offers a may read, newest first, filtered;
// a region filter keeps the offers serving that group.
func (s *Service) Offers(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Offer], error) {
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return page.Page[Offer]{}, err
	}
	owner := f.State
	f, err = s.checkFilter(f, true)
	if err != nil {
		return page.Page[Offer]{}, err
	}
	after, err := parseKey(req)
	if err != nil {
		return page.Page[Offer]{}, err
	}
	size := req.Size()
	rows, err := listOffers(ctx, s.db.Kept(), r, f, owner != "", after, size+1)
	if err != nil {
		return page.Page[Offer]{}, errs.Internalf(err, "list offers")
	}
	return page.Cut(rows, size, func(o Offer) []string { return keyOf(o.CreatedAt, o.ID) }), nil
}

// Published returns a page of the published partnerships, most recently
// published first. Anyone may read them.
func (s *Service) Published(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Partnership], error) {
	after, err := parseKey(req)
	if err != nil {
		return page.Page[Partnership]{}, err
	}
	size := req.Size()
	rows, err := listPublished(ctx, s.db.Kept(), after, size+1)
	if err != nil {
		return page.Page[Partnership]{}, errs.Internalf(err, "list partnerships")
	}
	return page.Cut(rows, size, func(p Partnership) []string { return keyOf(*p.PublishedAt, p.ID) }), nil
}

// PublishedWith returns up to limit of the published partnerships state
// is a side of, most recently published first: a State's profile lists
// them. Anyone may read them.
func (s *Service) PublishedWith(ctx context.Context, a actor.Actor, state string, limit int) ([]Partnership, error) {
	out, err := listPublishedWith(ctx, s.db.Kept(), state, limit)
	if err != nil {
		return nil, errs.Internalf(err, "list partnerships of a State")
	}
	return out, nil
}

// Mine returns a page of the partnerships a's side is party to, published
// or not, most recently changed first. Anyone who is no side gets an
// empty list.
func (s *Service) Mine(ctx context.Context, a actor.Actor, req page.Request) (page.Page[Partnership], error) {
	if err := a.RequireSignedIn(); err != nil {
		return page.Page[Partnership]{}, err
	}
	code, ok, err := s.side(ctx, a)
	if err != nil || !ok {
		return page.Page[Partnership]{}, err
	}
	after, err := parseKey(req)
	if err != nil {
		return page.Page[Partnership]{}, err
	}
	size := req.Size()
	rows, err := listMine(ctx, s.db.Kept(), code, after, size+1)
	if err != nil {
		return page.Page[Partnership]{}, errs.Internalf(err, "list partnerships")
	}
	return page.Cut(rows, size, func(p Partnership) []string { return keyOf(p.UpdatedAt, p.ID) }), nil
}

// Side returns the side a speaks for in p ("" for none): pages use it to
// say whose turn it is.
func (s *Service) Side(ctx context.Context, a actor.Actor, p Partnership) (Side, error) {
	code, ok, err := s.side(ctx, a)
	if err != nil {
		return "", err
	}
	return sideOf(p, code, ok), nil
}

// OwnsNeed reports whether a reads for n's State, whose pages show its
// suggestions.
func (s *Service) OwnsNeed(ctx context.Context, a actor.Actor, n Need) bool {
	own, err := s.ownsNeed(ctx, a, n)
	return err == nil && own
}

// OwnsOffer reports whether a reads for o's side.
func (s *Service) OwnsOffer(ctx context.Context, a actor.Actor, o Offer) bool {
	own, err := s.ownsOffer(ctx, a, o)
	return err == nil && own
}
