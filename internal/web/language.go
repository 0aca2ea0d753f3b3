package web

import (
	"context"
	"fmt"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/states"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
)

// Every page is written in the language of its request: the signed-in
// person's choice (access.Account.Language), else the visitor's cookie,
// else the browser's Accept-Language, else English (i18n.Negotiate). The
// switcher in the frame posts to /language, which stores the choice and
// goes back to the page it was sent from.
//
// A page is written for this as follows. Its template says everything
// through the catalogue ({{t "…"}}, {{n …}}, {{date .At}}, {{bdi .Subject}};
// see i18n.Printer.Funcs), its messages are in an area of
// internal/i18n/po, and TestTemplatesUseTheCatalogue holds it to that once
// it is off notYetTranslated. Its handler takes s.printer(r) for the title
// (page{Title: p.T("…")}) and passes a flash as an i18n.Message. Text that
// arrives in English from a service is translated where en.po has it as
// a message of its own (page.Message, field and sentence in templates).

// langCookie remembers a visitor's language for a year. It is not a
// secret, but a __Host- name keeps another site on a sibling domain from
// setting it.
const (
	langCookie    = "__Host-detente-lang"
	langCookieAge = 365 * 24 * time.Hour
)

// withLanguage decides the request's language once, after the session is
// known.
func withLanguage(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), ctxLang, negotiate(r)))
}

func negotiate(r *http.Request) i18n.Language {
	pref := ""
	if sess, ok := session(r); ok {
		pref = sess.Account.Language
	}
	cookie := ""
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	return i18n.Negotiate(pref, cookie, r.Header.Get("Accept-Language"))
}

// langOf is the request's language. A request refused before its session
// was read (a cross-site form) is answered in the language its cookie or
// browser asks for.
func langOf(r *http.Request) i18n.Language {
	if l, ok := r.Context().Value(ctxLang).(i18n.Language); ok {
		return l
	}
	return negotiate(r)
}

// printer writes messages, numbers and dates in the request's language.
func (s *Server) printer(r *http.Request) *i18n.Printer {
	return s.app.Text.Printer(langOf(r))
}

// setLanguage answers the switcher: it keeps the choice — in the account
// of a person signed in, audited, and in a cookie, so that the pages after
// signing out stay in it — and goes back to the page the form was on.
// An empty choice (the account page's "the language of my browser") forgets
// it.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.PostForm.Get("lang"))
	if code != "" {
		l, ok := i18n.ParseLanguage(code)
		if !ok {
			s.renderError(w, r, errs.E(errs.Malformed, "choose one of the languages offered"))
			return
		}
		code = l.Code()
	}
	if a := who(r); a.Authenticated() {
		if err := s.app.Access.SetLanguage(r.Context(), a, code); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if code == "" {
		s.clearCookie(w, langCookie)
	} else {
		s.setCookie(w, langCookie, code, langCookieAge)
	}
	redirect(w, r, s.languageBack(r))
}

// languageBack is where the switcher returns: the page named in its form,
// else the same-site page it was sent from, else the start page. Both are
// held to paths on this site (safeNext), so the form cannot be made to
// send anyone elsewhere.
func (s *Server) languageBack(r *http.Request) string {
	if next := r.PostForm.Get("next"); next != "" {
		return safeNext(next)
	}
	if back := sameSiteReferer(r); back != "" {
		return back
	}
	return "/"
}

// here is where the switcher on this page comes back to: the page itself
// if it can be asked for again, else the page whose form led here.
func here(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return safeNext(r.URL.RequestURI())
	}
	if back := sameSiteReferer(r); back != "" {
		return back
	}
	return "/"
}

// langFuncs are the template functions that depend on the page's
// language: the catalogue's (t, n, date, percent, …) and two of the web's
// own that show text made elsewhere, which they translate when the
// catalogue knows it.
func langFuncs(p *i18n.Printer) template.FuncMap {
	f := p.Funcs()
	f["field"] = func(errs map[string]string, name string) string { return p.Known(errs[name]) }
	f["sentence"] = func(s string) string { return sentence(p.Language(), p.Known(s)) }
	f["roleName"] = func(r actor.Role) string { return roleName(p, r) }
	f["checkName"] = func(c checks.Check) string { return c.NameIn(p) }
	f["levelLabel"] = func(l any) string { return levelLabel(p, fmt.Sprint(l)) }
	f["levelTitle"] = func(l any) string { return levelTitle(p, fmt.Sprint(l)) }
	f["regionLabel"] = func(r string) string { return regionLabel(p, r) }
	f["provisionTitle"] = catalogText{p}.cited
	f["stateName"] = func(code string) string { return stateName(p, code) }
	for name, fn := range messagingFuncs(p) {
		f[name] = fn
	}
	return f
}

// stateName names a State by its code in p's language: the UN's short
// name in each of the six, from the catalogue (Printer.StateName).
func stateName(p *i18n.Printer, code string) string {
	return p.StateName(code, stateLabel(code))
}

// roleName names a role in p's language.
func roleName(p *i18n.Printer, r actor.Role) string {
	switch r {
	case actor.Secretariat:
		return p.TC("role", "Secretariat")
	case actor.StateAdmin:
		return p.TC("role", "State administrator")
	case actor.POC:
		return p.TC("role", "Point of contact")
	case actor.Viewer:
		return p.TC("role", "Viewer")
	}
	return string(r)
}

// sentence writes a service's message ("no such thread") as a sentence of
// the language: a capital first letter where the script has them, and a
// full stop unless it ends in punctuation.
func sentence(l i18n.Language, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	last, _ := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(".!?:。！？：؟", last) {
		return s
	}
	if l == i18n.Chinese {
		return s + "。"
	}
	return s + "."
}

// errorText is a service's message in the request's language: its format
// translated where the catalogue has it, then filled in (errs.TextOf).
func (s *Server) errorText(r *http.Request, err error) string {
	format, args := errs.TextOf(err)
	return s.printer(r).KnownFormat(format, args...)
}

// levelLabel names a directory level as a label: a table cell, a choice.
func levelLabel(p *i18n.Printer, l string) string {
	switch directory.Level(l) {
	case directory.Diplomatic:
		return p.TC("level", "Diplomatic")
	case directory.Policy:
		return p.TC("level", "Policy")
	case directory.Technical:
		return p.TC("level", "Technical")
	}
	return l
}

// levelTitle names a directory level as a heading: "Technical level".
func levelTitle(p *i18n.Printer, l string) string {
	switch directory.Level(l) {
	case directory.Diplomatic:
		return p.T("Diplomatic level")
	case directory.Policy:
		return p.T("Policy level")
	case directory.Technical:
		return p.T("Technical level")
	}
	return l
}

// regionLabel names a UN regional group.
func regionLabel(p *i18n.Printer, r string) string {
	switch r {
	case states.African:
		return p.TC("regional group", "African")
	case states.AsiaPacific:
		return p.TC("regional group", "Asia-Pacific")
	case states.EasternEurope:
		return p.TC("regional group", "Eastern European")
	case states.LatinAmerica:
		return p.TC("regional group", "Latin American and Caribbean")
	case states.WesternEurope:
		return p.TC("regional group", "Western European and others")
	}
	return r
}
