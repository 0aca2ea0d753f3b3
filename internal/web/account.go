package web

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
)

type accountData struct {
	Account  access.Account
	Tokens   []access.Token
	NewToken string // shown once, right after creation
	Now      time.Time
	// FeedCreated is when the calendar feed address in use was made; nil
	// when there is none.
	FeedCreated *time.Time
}

func (s *Server) accountData(r *http.Request) (accountData, error) {
	a := who(r)
	if err := a.RequireSignedIn(); err != nil {
		return accountData{}, err
	}
	acc, err := s.app.Access.Account(r.Context(), a, a.AccountID)
	if err != nil {
		return accountData{}, err
	}
	toks, err := s.app.Access.Tokens(r.Context(), a)
	if err != nil {
		return accountData{}, err
	}
	feed, err := s.app.Meetings.FeedCreated(r.Context(), a)
	if err != nil {
		return accountData{}, err
	}
	return accountData{Account: acc, Tokens: toks, Now: s.app.Clock.Now(), FeedCreated: feed}, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.accountData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account", page{Title: s.printer(r).T("Your account"), Nav: "account", Data: d})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	err := s.app.Access.ChangePassword(r.Context(), who(r), r.PostForm.Get("current_password"), r.PostForm.Get("new_password"), r.PostForm.Get("new_password2"))
	if err != nil {
		d, derr := s.accountData(r)
		if derr != nil {
			s.renderError(w, r, derr)
			return
		}
		s.renderForm(w, r, "account", page{Title: s.printer(r).T("Your account"), Nav: "account", Data: d, Form: map[string][]string{}}, err)
		return
	}
	redirect(w, r, "/account?done=password")
}

var tokenLifetimes = map[string]time.Duration{"30": 30 * 24 * time.Hour, "90": 90 * 24 * time.Hour, "365": 365 * 24 * time.Hour}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	scopes := []actor.Scope{actor.ScopeRead}
	if f.Get("write") == "yes" {
		scopes = append(scopes, actor.ScopeWrite)
	}
	// A metrics token reads /metrics and nothing else, so a scraper's
	// credential opens no directory data.
	if f.Get("metrics") == "yes" {
		scopes = []actor.Scope{access.ScopeMetrics}
	}
	secret, _, err := s.app.Access.CreateToken(r.Context(), who(r), f.Get("name"), scopes, tokenLifetimes[f.Get("days")])
	d, derr := s.accountData(r)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	if err != nil {
		s.renderForm(w, r, "account", page{Title: s.printer(r).T("Your account"), Nav: "account", Data: d}, err)
		return
	}
	// The secret is rendered once, in the response to the POST, never stored.
	d.NewToken = secret
	s.render(w, r, http.StatusOK, "account", page{Title: s.printer(r).T("Your account"), Nav: "account", Data: d})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Access.RevokeToken(r.Context(), who(r), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/account?done=revoked")
}
