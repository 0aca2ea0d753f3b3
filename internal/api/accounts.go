package api

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
)

func (s *server) listAccounts(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	// Who may list is settled before the parameters are looked at.
	if err := s.app.Access.CanList(a); err != nil {
		return err
	}
	q := r.URL.Query()
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Access.AccountPage(r.Context(), a, access.AccountFilter{Query: q.Get("q"), State: q.Get("state"),
		Role: actor.Role(q.Get("role")), Status: q.Get("status")}, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, accountFrom))
}

func (s *server) getAccount(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	acc, err := s.app.Access.Account(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountFrom(acc))
}

type accountIn struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	State       string `json:"state"`
	Password    string `json:"password"`
}

// createdAccount adds the generated initial password, which exists only
// in this one response, to the new account.
type createdAccount struct {
	accountOut
	InitialPassword string `json:"initial_password,omitempty"`
}

func (s *server) createAccount(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in accountIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	acc, generated, err := s.app.Access.CreateAccount(r.Context(), a, access.NewAccount{
		Email: in.Email, DisplayName: in.DisplayName, Role: actor.Role(in.Role), State: in.State, Password: in.Password,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/accounts/"+acc.ID)
	return writeJSON(w, http.StatusCreated, createdAccount{accountOut: accountFrom(acc), InitialPassword: generated})
}

func (s *server) disableAccount(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.setDisabled(w, r, a, true)
}

func (s *server) enableAccount(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	return s.setDisabled(w, r, a, false)
}

func (s *server) setDisabled(w http.ResponseWriter, r *http.Request, a actor.Actor, disabled bool) error {
	id := r.PathValue("id")
	if err := s.app.Access.SetDisabled(r.Context(), a, id, disabled); err != nil {
		return err
	}
	acc, err := s.app.Access.Account(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accountFrom(acc))
}

// resetOut is a reset's outcome; the link appears only when it was not
// mailed, and only in this response.
type resetOut struct {
	Account   accountOut `json:"account"`
	Mailed    bool       `json:"mailed"`
	ExpiresAt time.Time  `json:"expires_at"`
	Link      string     `json:"link,omitempty"`
}

func (s *server) resetAccount(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	res, err := s.app.Access.ResetAccount(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resetOut{Account: accountFrom(res.Account), Mailed: res.Mailed, ExpiresAt: utc(res.ExpiresAt), Link: res.Link})
}
