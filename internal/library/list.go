package library

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/validate"
)

// maxQuery bounds what a search box takes.
const maxQuery = 200

// checkFilter validates a list's filter, each problem a field error.
func (s *Service) checkFilter(f Filter) (Filter, owner, []string, error) {
	var fs errs.Fields
	var by owner
	if f.State != "" {
		code := strings.ToUpper(strings.TrimSpace(f.State))
		switch _, known := states.ByCode(code); {
		case code == strings.ToUpper(SecretariatFilter):
			by = owner{set: true}
		case known:
			by = owner{set: true, code: code}
		default:
			fs.Add("state", "choose States from the list")
		}
	}
	if f.Type != "" && !slices.Contains(Types(), f.Type) {
		fs.Add("type", "choose the type of document")
	}
	if f.Provision != "" {
		if validate.Encoding(f.Provision) != "" {
			fs.Add("provision", "choose provisions of the framework from the list")
		} else if _, err := s.catalog.Provision(f.Provision); err != nil {
			fs.Add("provision", "choose provisions of the framework from the list")
		}
	}
	q, problem := validate.OneLine(f.Query, maxQuery)
	if problem != "" {
		fs.Add("q", problem)
	}
	return f, by, messaging.SearchWords(q), fs.Err()
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

func keyOf(d Document) []string {
	return []string{d.CreatedAt.UTC().Format(time.RFC3339Nano), d.ID}
}

// List returns a page of the documents a may read, newest first,
// filtered and searched in SQL: the full-text index finds the words of
// titles, summaries, topics and files' text behind the same visibility
// condition as the list.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter, req page.Request) (page.Page[Document], error) {
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return page.Page[Document]{}, err
	}
	f, by, words, err := s.checkFilter(f)
	if err != nil {
		return page.Page[Document]{}, err
	}
	after, err := parseKey(req)
	if err != nil {
		return page.Page[Document]{}, err
	}
	size := req.Size()
	rows, err := listDocuments(ctx, s.db, r, f, by, words, after, size+1)
	if err != nil {
		return page.Page[Document]{}, errs.Internalf(err, "list library documents")
	}
	return page.Cut(rows, size, keyOf), nil
}

// Newest lists up to limit of the documents of state a may read, newest
// first: a State's profile shows them.
func (s *Service) Newest(ctx context.Context, a actor.Actor, state string, limit int) ([]Document, error) {
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return nil, err
	}
	out, err := listDocuments(ctx, s.db, r, Filter{}, owner{set: true, code: state}, nil, nil, limit)
	if err != nil {
		return nil, errs.Internalf(err, "list a State's library documents")
	}
	return out, nil
}

// PerProvision counts the documents of state a may read, per provision
// they concern.
func (s *Service) PerProvision(ctx context.Context, a actor.Actor, state string) (map[string]int, error) {
	r, err := s.readerOf(ctx, a)
	if err != nil {
		return nil, err
	}
	out, err := perProvision(ctx, s.db.Kept(), r, state)
	if err != nil {
		return nil, errs.Internalf(err, "count a State's library documents")
	}
	return out, nil
}
