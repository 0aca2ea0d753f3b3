package api

import (
	_ "embed"
	"net/http"
	"strconv"

	"github.com/detente/detente/internal/actor"
)

// openAPIDoc describes every route in routes.go. It is written by hand, as
// the contract; tests check it against the route table and validate real
// responses against its schemas.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *server) openAPI(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(openAPIDoc)))
	_, _ = w.Write(openAPIDoc)
	return nil
}
