// Package web serves the HTML interface: server-rendered pages that work
// without JavaScript, behind a strict Content-Security-Policy. Handlers
// parse the request, call a service with the signed-in actor and render;
// the services decide what the actor may see and do.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/metrics"
	"github.com/detente/detente/internal/renders"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/validate"
)

//go:embed templates
var templateFS embed.FS

// Options set how the interface presents itself.
type Options struct {
	Demo bool // show the demo banner on every page
}

// Server is the web interface.
type Server struct {
	app    app.Services
	log    *slog.Logger
	opt    Options
	assets *assets
	// pages are the templates of each language, made from masters (the
	// parsed pages, never run) when a language is first asked for.
	pages   map[i18n.Language]map[string]*template.Template
	pagesMu sync.RWMutex
	masters map[string]*template.Template
	mux     *http.ServeMux
	cop     *http.CrossOriginProtection
	// renders keeps the content of pages rendered from data that rarely
	// changes; see kept.go.
	renders *renders.Cache
	badges  *badges
	frames  *frames // the layout, kept rendered per shape; see frame.go
}

// New builds the web interface over a.
func New(a app.Services, opt Options) (*Server, error) {
	if a.Text == nil {
		return nil, fmt.Errorf("web: no message catalogue")
	}
	s := &Server{app: a, log: a.Log, opt: opt, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection(),
		renders: renders.New(int(a.Config.RenderCacheBytes)), badges: newBadges(), frames: newFrames()}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	if err := s.parseTemplates(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s.routes()
	return s, nil
}

func (s *Server) parseTemplates() error {
	funcs := template.FuncMap{
		"asset":     s.assets.url,
		"languages": i18n.Languages,
		// provision looks a provision up by its id for provisionTitle to
		// name; one the catalogue no longer has keeps only its id.
		"provision": func(id string) catalog.Provision {
			p, err := s.app.Catalog.Provision(id)
			if err != nil {
				return catalog.Provision{ID: id}
			}
			return p
		},
		"isodate": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format(time.DateOnly)
		},
		"join":      strings.Join,
		"upper":     strings.ToUpper,
		"list":      func(v ...string) []string { return v },
		"stateName": stateLabel,
		"has":       func(v []string, x string) bool { return slices.Contains(v, x) },
		"add":       func(a, b int) int { return a + b },
		"tlpClass":  func(l tlp.Label) string { return strings.ReplaceAll(string(l), "+", "-") },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict wants pairs")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"lines": func(v []string) string { return strings.Join(v, "\n") },
		// reveal shows hidden formatting characters as markers such as
		// ⟨U+202E⟩, so stored text cannot read as something else.
		"reveal": validate.Reveal,
		"query": func(kv ...string) template.URL {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			if len(v) == 0 {
				return ""
			}
			return template.URL("?" + v.Encode())
		},
	}
	// Parsed once with English's functions, which name those of every
	// language; each language then gets its own copies (i18n.Printer.Funcs).
	for k, f := range langFuncs(s.app.Text.Printer(i18n.English)) {
		funcs[k] = f
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	parsed := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return fmt.Errorf("%s: %w", base, err)
		}
		parsed[strings.TrimSuffix(base, ".html")] = t
	}
	// English is ready at start; each other language gets its copies
	// when a page is first asked for in it: copying every page for six
	// languages was most of the time a start took.
	// The parsed pages stay unexecuted, as html/template copies only
	// those.
	s.masters = parsed
	s.pages = map[i18n.Language]map[string]*template.Template{}
	if set := s.pagesIn(i18n.English); len(set) != len(parsed) {
		return fmt.Errorf("copying the pages for English failed")
	}
	return nil
}

// tmpl returns the template name in the request's language.
func (s *Server) tmpl(r *http.Request, name string) (*template.Template, bool) {
	l := langOf(r)
	s.pagesMu.RLock()
	set, ok := s.pages[l]
	s.pagesMu.RUnlock()
	if !ok {
		set = s.pagesIn(l)
	}
	t, ok := set[name]
	return t, ok
}

// pagesIn makes the copies of every page for l, once.
func (s *Server) pagesIn(l i18n.Language) map[string]*template.Template {
	s.pagesMu.Lock()
	defer s.pagesMu.Unlock()
	if set, ok := s.pages[l]; ok {
		return set
	}
	own := langFuncs(s.app.Text.Printer(l))
	set := map[string]*template.Template{}
	for name, t := range s.masters {
		c, err := t.Clone()
		if err != nil {
			// Cannot happen for templates that parsed and never ran.
			s.log.Error("copying a page for a language", "page", name, "language", l, "err", err)
			return s.pages[i18n.English]
		}
		set[name] = c.Funcs(own)
	}
	s.pages[l] = set
	return set
}

// ServeHTTP applies the protections every page gets, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.app.Config.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic", "path", r.URL.Path, "panic", p)
			s.failed(w, r)
		}
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Browsers that send Sec-Fetch-Site or Origin are checked here; the
		// form token below covers the rest.
		if err := s.cop.Check(r); err != nil {
			s.renderError(w, r, errs.E(errs.Forbidden, "this form was sent from another site"))
			return
		}
	}
	r = s.withSession(w, r)
	r = withLanguage(r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// After the session: only people signed in may send files.
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r))
	}
	if r.Method == http.MethodPost && !s.checkCSRF(w, r) {
		return
	}
	if err := checkText(s.printer(r), r); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.badges.changed()
	}
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
	metrics.SetRoute(r.Context(), r.Pattern)
}

type ctxKey int

const (
	ctxSession ctxKey = iota
	ctxCSRF
	ctxToken
	ctxLang
)

// session returns the request's session, if any (it may be incomplete).
func session(r *http.Request) (access.Session, bool) {
	sess, ok := r.Context().Value(ctxSession).(access.Session)
	return sess, ok
}

// who is the request's actor: anonymous unless fully signed in.
func who(r *http.Request) actor.Actor {
	if sess, ok := session(r); ok {
		return sess.Actor()
	}
	return actor.Anonymous
}

func sessionToken(r *http.Request) string {
	t, _ := r.Context().Value(ctxToken).(string)
	return t
}

const (
	sessionCookie = "__Host-detente"
	csrfCookie    = "__Host-detente-csrf"
)

func (s *Server) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	ctx := r.Context()
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, err := s.app.Access.Session(ctx, c.Value)
		if err == nil {
			ctx = context.WithValue(ctx, ctxSession, sess)
			ctx = context.WithValue(ctx, ctxToken, c.Value)
			ctx = context.WithValue(ctx, ctxCSRF, sess.CSRF)
			return r.WithContext(ctx)
		}
		if !errs.Is(err, errs.Unauthenticated) {
			s.log.Error("session lookup", "err", err)
		}
		s.clearCookie(w, sessionCookie)
	}
	// Before sign-in, forms are protected by a double-submit cookie.
	tok := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 {
		tok = c.Value
	} else {
		tok = randomString()
		s.setCookie(w, csrfCookie, tok, 0)
	}
	return r.WithContext(context.WithValue(ctx, ctxCSRF, tok))
}

func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	want, _ := r.Context().Value(ctxCSRF).(string)
	if err := s.parseForm(r); err != nil {
		s.renderError(w, r, err)
		return false
	}
	got := r.PostForm.Get("csrf")
	if want == "" || !constantEqual(got, want) {
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && !who(r).Authenticated() {
			// The session ended while the form was open.
			s.renderError(w, r, errs.E(errs.Unauthenticated, "your session has ended: sign in again, then send the form again"))
			return false
		}
		s.renderError(w, r, errs.E(errs.Forbidden, "this form has expired; go back, reload the page and try again"))
		return false
	}
	return true
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// page is what every template receives.
type page struct {
	Title   string
	Nav     string
	Lang    i18n.Language // the page's language, set by render
	Here    string        // where the language switcher comes back to, set by render
	Actor   actor.Actor
	Session *access.Session
	CSRF    string
	Demo    bool
	// Flash is the message shown after an action: an i18n.Message, such
	// as a value of flashes. A string is shown as it is, translated if the
	// catalogue has it; it is accepted until every page that sets one
	// passes a Message. render leaves the text to show, or nil.
	Flash   any
	Errors  map[string]string
	Message string // form-level error, translated by render when the catalogue has it
	Form    url.Values
	Data    any
	Unread  int  // unread communications, shown in the navigation
	Pending int  // communication checks waiting for the person's answer
	CanSend bool // the person may write communications (messaging.Service.CanSend)
	// Refresh, when above zero, has the browser load the page again after
	// that many seconds: a live view, for the CSP forbids inline script.
	Refresh int
	// Body is where the layout puts the content: only frame.go's marker,
	// for the layout is executed once per shape (see frame.go).
	Body template.HTML
	// kept is the page's content rendered before (kept.go); when set, it
	// is shown instead of rendering the content again.
	kept []byte
}

// flashes are the fixed messages a redirect may show; the query names one,
// so nothing the user typed is reflected.
var flashes = map[string]i18n.Message{
	"saved":           i18n.M("Saved."),
	"nominated":       i18n.M("The point of contact was added to the directory."),
	"confirmed":       i18n.M("Thank you: the entry is recorded as still correct."),
	"retired":         i18n.M("The point of contact was retired. Its history is kept."),
	"reinstated":      i18n.M("The point of contact is back in the directory."),
	"password":        i18n.M("Your password was changed."),
	"revoked":         i18n.M("The token was revoked."),
	"signed-out":      i18n.M("You have signed out."),
	"totp":            i18n.M("Your authenticator is set up."),
	"created":         i18n.M("The account was created."),
	"sent":            i18n.M("Your communication was sent."),
	"scheduled":       i18n.M("The communication check is scheduled."),
	"confirmed-check": i18n.M("Thank you: the check is confirmed."),
	"acknowledged":    i18n.M("Receipt acknowledged. The sender can see it."),
	"updated":         i18n.M("The account was updated."),
	"published":       i18n.M("The new version of the template is published. Messages already sent keep the version they used."),
	"language":        i18n.M("The language of your pages is saved."),
}

// flashText is the flash of a page in p's language, or nil for none.
func flashText(p *i18n.Printer, flash any) any {
	var text string
	switch f := flash.(type) {
	case i18n.Message:
		text = p.Msg(f)
	case string:
		text = p.Known(f)
	}
	if text == "" {
		return nil
	}
	return text
}

// readBadges asks the services what the frame says of a.
func (s *Server) readBadges(ctx context.Context, a actor.Actor) badge {
	var b badge
	if !a.IsSecretariat() {
		n, err := s.app.Messaging.Unread(ctx, a)
		if err != nil {
			s.log.Warn("unread count", "err", err)
		}
		b.unread = n
		b.canSend = s.app.Messaging.CanSend(ctx, a) == nil
	}
	n, err := s.app.Checks.PendingCount(ctx, a)
	if err != nil {
		s.log.Warn("pending checks count", "err", err)
	}
	b.pending = n
	return b
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.tmpl(r, name)
	if !ok {
		s.log.Error("no template", "name", name)
		s.failed(w, r)
		return
	}
	p.Actor = who(r)
	if sess, ok := session(r); ok {
		p.Session = &sess
	}
	p.CSRF, _ = r.Context().Value(ctxCSRF).(string)
	if p.Actor.Authenticated() {
		b := s.badges.of(r.Context(), p.Actor, s.readBadges)
		p.Unread, p.Pending, p.CanSend = b.unread, b.pending, b.canSend
	}
	p.Demo = s.opt.Demo
	pr := s.printer(r)
	p.Lang, p.Here = pr.Language(), here(r)
	if p.Flash == nil || p.Flash == "" {
		p.Flash = flashes[r.URL.Query().Get("done")]
	}
	p.Flash = flashText(pr, p.Flash)
	p.Message = pr.Known(p.Message)
	body := p.kept
	if body == nil {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "content", p); err != nil {
			s.log.Error("render", "template", name, "err", err)
			s.failed(w, r)
			return
		}
		body = buf.Bytes()
	}
	f, err := s.frames.get(t, &p)
	if err != nil {
		s.log.Error("render", "template", "layout.html", "err", err)
		s.failed(w, r)
		return
	}
	out := f.fill(pr, &p, body)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang.HTMLLang())
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(out.size()))
	w.WriteHeader(status)
	_ = out.writeTo(w) // the client has gone
}

// failed answers when not even the error page can be written (its
// template is missing or failed, or a handler panicked): the error page's
// heading and sentence as plain text, in the request's language.
func (s *Server) failed(w http.ResponseWriter, r *http.Request) {
	p := s.printer(r)
	w.Header().Set("Content-Language", p.Language().HTMLLang())
	http.Error(w, p.T("Something went wrong on our side")+"\n\n"+
		p.T("The problem is recorded. Try again in a moment; if it keeps happening, tell the administrators of this installation."),
		http.StatusInternalServerError)
}

// errorData is what the error page shows besides the message.
type errorData struct {
	Status int
	SignIn string // the sign-in link, with where to come back to
	Back   string // the same-site page the person came from, or ""
}

// errorHeadings name what happened in words a person uses.
var errorHeadings = map[int]i18n.Message{
	http.StatusUnauthorized:          i18n.M("This page needs you to sign in"),
	http.StatusForbidden:             i18n.M("You cannot do this"),
	http.StatusNotFound:              i18n.M("Not found"),
	http.StatusInternalServerError:   i18n.M("Something went wrong on our side"),
	http.StatusConflict:              i18n.M("This has changed in the meantime"),
	http.StatusTooManyRequests:       i18n.M("Too many attempts"),
	http.StatusUnprocessableEntity:   i18n.M("Please check what you sent"),
	http.StatusBadRequest:            i18n.M("Please check what you sent"),
	http.StatusRequestEntityTooLarge: i18n.M("This is too large"),
	http.StatusMethodNotAllowed:      i18n.M("This address does not do that"),
}

// renderError shows err as a page with the status from errs.HTTPStatus. A
// visitor who must sign in to read a page is sent to the sign-in page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.HTTPStatus(err)
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	pr := s.printer(r)
	heading, ok := errorHeadings[status]
	if !ok {
		heading = errorHeadings[http.StatusBadRequest]
	}
	msg := s.errorText(r, err)
	if status == http.StatusInternalServerError {
		msg = pr.T("The problem is recorded. Try again in a moment; if it keeps happening, tell the administrators of this installation.")
	}
	d := errorData{Status: status, Back: sameSiteReferer(r)}
	if status == http.StatusUnauthorized {
		// After a refused form, come back to the page that held it.
		next := d.Back
		if next == "" && r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		d.SignIn = "/login?next=" + url.QueryEscape(safeNext(next))
	}
	s.render(w, r, status, "error", page{Title: pr.Msg(heading), Message: msg, Data: d})
}

// sameSiteReferer returns the path and query of the page that led here
// if it is on this site and is not this very page, else "".
func sameSiteReferer(r *http.Request) string {
	ref := r.Referer()
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host != r.Host || u.User != nil {
		return ""
	}
	back := u.EscapedPath()
	if back == "" {
		back = "/"
	}
	if u.RawQuery != "" {
		back += "?" + u.RawQuery
	}
	if safeNext(back) != back || (r.Method == http.MethodGet && back == r.URL.RequestURI()) {
		return ""
	}
	return back
}

// renderForm re-shows a form with the errors of err, or the error page for
// errors that are not about the input.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.TooMany) && !errs.Is(err, errs.Unauthenticated) {
		s.renderError(w, r, err)
		return
	}
	p.Errors = errs.FieldsOf(err)
	p.Message = s.errorText(r, err)
	if p.Form == nil {
		p.Form = r.PostForm
	}
	s.render(w, r, errs.HTTPStatus(err), name, p)
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
