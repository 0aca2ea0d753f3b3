package api

import (
	"net/http"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
)

func (s *server) me(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	acc, err := s.app.Access.Account(r.Context(), a, a.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, meFrom(acc, a))
}

func (s *server) listTokens(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	toks, err := s.app.Access.Tokens(r.Context(), a)
	if err != nil {
		return err
	}
	now := s.app.Clock.Now()
	return writeJSON(w, http.StatusOK, listOf(toks, func(t access.Token) tokenOut { return tokenFrom(t, now) }))
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := s.app.Access.RevokeToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
