package api

import (
	"net/http"
	"strconv"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
)

// maxAuditLimit matches the most audit.Log.List returns in one call.
const maxAuditLimit = 500

func (s *server) listAudit(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditLimit {
			return &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields",
				Fields: map[string]string{"limit": "use a number from 1 to " + strconv.Itoa(maxAuditLimit)}}
		}
		f.Limit = n
	}
	entries, err := s.app.Audit.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(entries, auditFrom))
}
