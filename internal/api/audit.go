package api

import (
	"net/http"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
)

func (s *server) listAudit(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := s.app.Audit.CanRead(a); err != nil {
		return err
	}
	f, ferr := audit.FilterFrom(r.URL.Query())
	req, err := pageRequest(r, ferr)
	if err != nil {
		return err
	}
	p, err := s.app.Audit.Page(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, auditFrom))
}
