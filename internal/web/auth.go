package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/errs"
)

var errNotFound = errs.E(errs.NotFound, "there is no page at this address")

// safeNext keeps the redirect after sign-in on this site: it accepts only
// a path ("/…") that no browser reads as another host, and sends anything
// else to the start page. Browsers drop tabs and newlines from URLs and
// read a backslash as a slash, so "/\t/evil.example" or "/\\evil.example"
// would become "//evil.example", another site; percent-encoded forms are
// checked decoded as well, since some servers and proxies decode them.
func safeNext(next string) string {
	const home = "/"
	if len(next) > 2048 || !utf8.ValidString(next) {
		return home
	}
	for v, i := next, 0; i < 3; i++ {
		if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
			return home
		}
		for _, c := range v {
			if c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' {
				return home
			}
		}
		u, err := url.PathUnescape(v)
		if err != nil {
			return home
		}
		if u == v {
			break
		}
		v = u
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return home
	}
	return next
}

// loginData is what the sign-in page shows besides the form.
type loginData struct {
	Help string // whom to ask when one cannot sign in
}

// loginData says whom to ask: the installation's own words, translated if
// they are the catalogue's (as the default is).
func (s *Server) loginData(r *http.Request) loginData {
	return loginData{Help: s.printer(r).Known(s.app.Config.SigninHelp)}
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if who(r).Authenticated() {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, "login", page{Title: s.printer(r).T("Sign in"), Form: r.URL.Query(), Data: s.loginData(r)})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	token, sess, err := s.app.Access.SignIn(r.Context(), f.Get("email"), f.Get("password"), clientAddr(r), r.UserAgent())
	if err != nil {
		f.Del("password")
		s.renderForm(w, r, "login", page{Title: s.printer(r).T("Sign in"), Form: f, Data: s.loginData(r)}, err)
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
	d.QR, err = qrSVG(enrol.URI, s.printer(r).T("QR code to add detente to an authenticator app"))
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
	s.render(w, r, http.StatusOK, "totp", page{Title: s.printer(r).T("Second factor"), Data: d})
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
		s.renderForm(w, r, "totp", page{Title: s.printer(r).T("Second factor"), Data: d}, err)
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

// resetData is the page a reset link opens.
type resetData struct {
	Account access.Account
	Token   string
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	acc, err := s.app.Access.ResetFor(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reset", page{Title: s.printer(r).T("Choose a new password"), Data: resetData{Account: acc, Token: r.PathValue("token")}})
}

// reset sets the new password, signs the person in and, where a second
// factor is due, goes on to enrol it.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	tokSess, sess, err := s.app.Access.CompleteReset(r.Context(), tok, r.PostForm.Get("password"), r.PostForm.Get("password2"), clientAddr(r), r.UserAgent())
	if err != nil {
		acc, aerr := s.app.Access.ResetFor(r.Context(), tok)
		if aerr != nil {
			s.renderError(w, r, aerr)
			return
		}
		s.renderForm(w, r, "reset", page{Title: s.printer(r).T("Choose a new password"), Data: resetData{Account: acc, Token: tok}, Form: url.Values{}}, err)
		return
	}
	s.setCookie(w, sessionCookie, tokSess, s.app.Config.SessionTTL)
	if !sess.Complete() {
		redirect(w, r, "/login/totp?done=password&next=%2F")
		return
	}
	redirect(w, r, "/?done=password")
}
