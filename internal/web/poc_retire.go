package web

import (
	"net/http"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
)

type retireData struct {
	POC   directory.POC
	State directory.State
	Last  bool // the State's only active entry at its level
}

// retireForm asks an administrator to confirm a retirement, saying what it
// does, before the POST that performs it.
func (s *Server) retireForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	p, err := s.app.Directory.POC(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.app.Directory.CanManage(a, p.State) {
		s.renderError(w, r, errs.E(errs.Forbidden, "only this State's administrators may retire its points of contact"))
		return
	}
	if p.Status == directory.Retired {
		redirect(w, r, "/directory/pocs/"+p.ID)
		return
	}
	st, err := s.app.Directory.State(r.Context(), a, p.State)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	same, err := s.app.Directory.POCs(r.Context(), a, directory.Filter{State: p.State, Level: p.Level})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "retire", page{Title: s.printer(r).T("Retire {title}?", "title", p.FunctionTitle), Nav: "directory",
		Data: retireData{POC: p, State: st, Last: len(same) == 1 && same[0].ID == p.ID}})
}

func (s *Server) reinstate(w http.ResponseWriter, r *http.Request) {
	p, err := s.app.Directory.Reinstate(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/directory/pocs/"+p.ID+"?done=reinstated")
}
