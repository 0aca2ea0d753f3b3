package web

import (
	"net/http"

	"github.com/detente/detente/internal/catalog"
)

// The transparency page gathers what States choose to make known (CBM 3):
// the national survey, the policy library, capacity building, the State
// profiles, the published check results and past meetings. One entry in
// the menu leads to all of them.

type transparencyData struct {
	CBM3 catalog.Provision
}

func (s *Server) transparency(w http.ResponseWriter, r *http.Request) {
	cbm3, err := s.app.Catalog.Provision("cbm-3")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "transparency", page{Title: s.printer(r).TC("main menu", "Transparency"), Nav: "transparency", Data: transparencyData{CBM3: cbm3}})
}
