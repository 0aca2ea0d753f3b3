package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/errs"
)

func (s *server) listDocuments(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	return writeJSON(w, http.StatusOK, listOf(s.app.Catalog.Documents(), documentFrom))
}

func (s *server) listTopics(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	return writeJSON(w, http.StatusOK, listOf(s.app.Catalog.Topics(), topicFrom))
}

func (s *server) getProvision(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	p, err := s.app.Catalog.Provision(r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, provisionFrom(p))
}

// listProvisions filters the catalogue by kind, document and topic, and
// searches it when q is given (results then come best match first).
func (s *server) listProvisions(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	q := r.URL.Query()
	f := catalog.Filter{Kind: catalog.Kind(q.Get("kind")), Document: q.Get("document"), Topic: q.Get("topic")}
	// An unknown filter value is a mistake worth telling, not an empty list.
	var bad errs.Fields
	if f.Kind != "" && !f.Kind.Valid() {
		bad.Add("kind", "use norm, law, cbm or recommendation")
	}
	if f.Document != "" {
		if _, err := s.app.Catalog.Document(f.Document); err != nil {
			bad.Add("document", errs.MessageOf(err))
		}
	}
	if f.Topic != "" {
		if _, err := s.app.Catalog.Topic(f.Topic); err != nil {
			bad.Add("topic", errs.MessageOf(err))
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	var found []catalog.Provision
	if query := strings.TrimSpace(q.Get("q")); query != "" {
		found = slices.DeleteFunc(s.app.Catalog.Search(query), func(p catalog.Provision) bool {
			return (f.Kind != "" && p.Kind != f.Kind) || (f.Document != "" && p.Document != f.Document) ||
				(f.Topic != "" && !slices.Contains(p.Topics, f.Topic))
		})
	} else {
		found = s.app.Catalog.Provisions(f)
	}
	return writeJSON(w, http.StatusOK, listOf(found, provisionFrom))
}
