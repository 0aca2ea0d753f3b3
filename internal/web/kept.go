package web

import (
	"bytes"
	"net/http"

	"github.com/detente/detente/internal/renders"
)

// Pages rendered from data that rarely changes (the directory, State
// pages, the catalogue) are kept and served again. Only the content is
// kept: the frame around it (navigation, counts, the sign-out form with
// its token) is the viewer's own and is rendered each time. The content
// is rendered without the viewer, so it cannot show anything of theirs;
// what may differ between viewers is in the view the data's owner gives
// (directory.Service.View), which is part of the key, and in the language
// the page is written in, which is too.

// keptKey names a page's content: the page, its language, the viewer's
// view of its data, and the question asked.
func keptKey(name, view string, r *http.Request) string {
	return name + "\x00" + string(langOf(r)) + "\x00" + view + "\x00" + r.URL.Path + "?" + r.URL.Query().Encode()
}

// serveKept answers from the content kept under key, if there is any.
func (s *Server) serveKept(w http.ResponseWriter, r *http.Request, name, nav, key string) bool {
	e, ok := s.renders.Get(key)
	if !ok {
		return false
	}
	s.render(w, r, http.StatusOK, name, page{Title: e.Title, Nav: nav, kept: e.Body})
	return true
}

// renderKept renders p's content once, keeps it under key and serves the
// page. Only successful pages are kept.
func (s *Server) renderKept(w http.ResponseWriter, r *http.Request, name, key string, p page) {
	t, ok := s.tmpl(r, name)
	if !ok {
		s.log.Error("no template", "name", name)
		s.failed(w, r)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		s.failed(w, r)
		return
	}
	s.renders.Put(key, renders.Entry{Title: p.Title, Body: buf.Bytes()})
	p.kept = buf.Bytes()
	s.render(w, r, http.StatusOK, name, p)
}
