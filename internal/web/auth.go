package web

import (
	"html/template"
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
	QR    template.HTML // the enrolment URI as a QR code
	New   bool
	Next  string
}

// enrolment fills d with a pending secret for the session and its QR code.
func (s *Server) enrolment(r *http.Request, d *totpData) error {
	enrol, err := s.app.Access.BeginTOTP(r.Context(), sessionToken(r))
	if err != nil {
		return err
	}
	d.Enrol, d.New = enrol, true
	d.QR, err = qrSVG(enrol.URI, "QR code to add detente to an authenticator app")
	return err
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
		if err := s.enrolment(r, &d); err != nil {
			s.renderError(w, r, err)
			return
		}
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
			if eerr := s.enrolment(r, &d); eerr != nil {
				s.renderError(w, r, eerr)
				return
			}
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
