package api

import (
	"net/http"

	"github.com/detente/detente/internal/actor"
)

// getMessageSTIX exports one vulnerability report (norm 13(j)) the caller
// may read as a STIX 2.1 bundle; the messaging service decides what the
// caller reads.
func (s *server) getMessageSTIX(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	b, err := s.app.IncidentsSTIX.ExportMessage(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSTIX(w, b)
	return nil
}
