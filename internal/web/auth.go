package web

import (
	"net/http"
	"net/url"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/errs"
)

var errNotFound = errs.E(errs.NotFound, "there is no page at this address")

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if who(r).Authenticated() {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, "login", page{Title: "Sign in", Form: r.URL.Query()})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	token, sess, err := s.app.Access.SignIn(r.Context(), f.Get("email"), f.Get("password"), clientAddr(r), r.UserAgent())
	if err != nil {
		f.Del("password")
		s.renderForm(w, r, "login", page{Title: "Sign in", Form: f}, err)
		return
	}
	s.setCookie(w, sessionCookie, token, s.app.Config.SessionTTL)
	next := safeNext(f.Get("next"))
	if !sess.Complete() {
		redirect(w, r, "/login/totp?next="+url.QueryEscape(next))
		return
	}
	redirect(w, r, next)
}

// totpData is the second-factor page: either enrolment (with the secret) or
// a plain code prompt.
type totpData struct {
	Enrol access.Enrolment
	New   bool
	Next  string
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := session(r)
	if !ok {
		redirect(w, r, "/login")
		return
	}
	if sess.Complete() && sess.SecondFactor {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	d := totpData{Next: safeNext(r.URL.Query().Get("next"))}
	if !sess.Account.TOTPEnabled {
		enrol, err := s.app.Access.BeginTOTP(r.Context(), sessionToken(r))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Enrol, d.New = enrol, true
	}
	s.render(w, r, http.StatusOK, "totp", page{Title: "Second factor", Data: d})
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request) {
	sess, ok := session(r)
	if !ok {
		redirect(w, r, "/login")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	token, _, err := s.app.Access.CompleteTOTP(r.Context(), sessionToken(r), r.PostForm.Get("code"))
	if err != nil {
		d := totpData{Next: next}
		if !sess.Account.TOTPEnabled {
			d.Enrol, _ = s.app.Access.BeginTOTP(r.Context(), sessionToken(r))
			d.New = true
		}
		s.renderForm(w, r, "totp", page{Title: "Second factor", Data: d}, err)
		return
	}
	s.setCookie(w, sessionCookie, token, s.app.Config.SessionTTL)
	redirect(w, r, next)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if t := sessionToken(r); t != "" {
		if err := s.app.Access.SignOut(r.Context(), t); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	// A fresh form token for whatever is signed in next on this browser.
	s.setCookie(w, csrfCookie, randomString(), 0)
	redirect(w, r, "/login?done=signed-out")
}
