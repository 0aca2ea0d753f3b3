package access

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/search"
)

// Account statuses a list can be filtered by.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// AccountFilter narrows the list of accounts.
type AccountFilter struct {
	Query  string // words in the name or email
	State  string // alpha-2 code
	Role   actor.Role
	Status string // StatusActive or StatusDisabled; "" for both
	ID     string // one account, for links from the audit log
}

var alpha2 = regexp.MustCompile(`^[A-Z]{2}$`)

func (f AccountFilter) check() ([]string, error) {
	var bad errs.Fields
	if f.State != "" && !alpha2.MatchString(f.State) {
		bad.Add("state", "use a two-letter ISO 3166-1 code, like FR")
	}
	if f.Role != "" && !slices.Contains(actor.Roles, f.Role) {
		names := make([]string, len(actor.Roles))
		for i, r := range actor.Roles {
			names[i] = string(r)
		}
		bad.Add("role", "use one of "+strings.Join(names, ", "))
	}
	if f.Status != "" && f.Status != StatusActive && f.Status != StatusDisabled {
		bad.Add("status", "use active or disabled")
	}
	if f.ID != "" {
		if _, err := uuid.Parse(f.ID); err != nil {
			bad.Add("id", "use an account id")
		}
	}
	terms, problem := search.Parse(f.Query)
	if problem != "" {
		bad.Add("q", problem)
	}
	return terms, bad.Err()
}

// CanList says whether a may list accounts at all, so pages refuse before
// looking at what was asked.
func (s *Service) CanList(a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	if !a.IsSecretariat() && a.Role != actor.StateAdmin {
		return errs.E(errs.Forbidden, "only administrators may list accounts")
	}
	return nil
}

// AccountPage is one page of the accounts a manages that match f: all for
// the secretariat, its own State's for a State admin; ordered by State
// (the secretariat's first), then email.
func (s *Service) AccountPage(ctx context.Context, a actor.Actor, f AccountFilter, req page.Request) (page.Page[Account], error) {
	if err := s.CanList(a); err != nil {
		return page.Page[Account]{}, err
	}
	f.State = strings.ToUpper(strings.TrimSpace(f.State))
	terms, err := f.check()
	if err != nil {
		return page.Page[Account]{}, err
	}
	if req.After != nil && len(req.After) != 2 {
		return page.Page[Account]{}, page.Damaged()
	}
	limit := req.Size()
	// The secretariat manages every account; a State admin its own State's.
	out, err := accountPage(ctx, s.db.R, accountQuery{scoped: !a.IsSecretariat(), own: a.State, f: f, terms: terms, after: req.After, limit: limit + 1})
	if err != nil {
		return page.Page[Account]{}, errs.Internalf(err, "list accounts")
	}
	return page.Cut(out, limit, func(acc Account) []string { return []string{acc.State, acc.Email} }), nil
}
