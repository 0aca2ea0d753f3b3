package web

import (
	"net/http"

	"github.com/detente/detente/internal/errs"
	paging "github.com/detente/detente/internal/page"
)

// pager is what a paged list shows below its rows: links to the next page
// and back to the first, both keeping the filters. Lists show no total,
// which would cost a count of every matching row on each page.
type pager struct {
	Next  string // "" on the last page
	First string // "" on the first page
}

func pagerFor(r *http.Request, next string) pager {
	var p pager
	if next != "" {
		p.Next = paging.NextURL(r.URL, next)
	}
	if r.URL.Query().Get("cursor") != "" {
		q := r.URL.Query()
		q.Del("cursor")
		p.First = r.URL.Path
		if len(q) > 0 {
			p.First += "?" + q.Encode()
		}
	}
	return p
}

// listProblem is how a list page shows filters it could not use: the
// page again, with each field's message beside it, and the status the
// error maps to. Other errors go to the error page.
func (s *Server) listProblem(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	if !errs.Is(err, errs.Invalid) {
		s.renderError(w, r, err)
		return
	}
	p.Errors = errs.FieldsOf(err)
	p.Message = s.errorText(r, err)
	p.Form = r.URL.Query()
	s.render(w, r, errs.HTTPStatus(err), name, p)
}
