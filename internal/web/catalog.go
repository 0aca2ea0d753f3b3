package web

import (
	"net/http"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/checks"
)

type homeData struct {
	Norms, Law, CBMs      int
	States, Participating int
	LatestCheck           *checks.Report // the newest published check, if any
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	cat := s.app.Catalog
	d := homeData{
		Norms: len(cat.Provisions(catalog.Filter{Kind: catalog.KindNorm, Document: "A/70/174"})),
		Law:   len(cat.Provisions(catalog.Filter{Kind: catalog.KindLaw, Document: "A/70/174"})),
		CBMs:  len(cat.Provisions(catalog.Filter{Kind: catalog.KindCBM, Document: oewgCBMDocument(cat)})),
	}
	var err error
	if d.Participating, d.States, err = s.app.Directory.ParticipationCount(r.Context()); err != nil {
		s.renderError(w, r, err)
		return
	}
	published, err := s.app.Checks.Published(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(published) > 0 {
		rep, err := s.app.Checks.PublicResults(r.Context(), published[0].ID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.LatestCheck = &rep
	}
	s.render(w, r, http.StatusOK, "home", page{Title: "Start", Data: d})
}

// oewgCBMDocument finds the symbol the catalogue files the global CBMs under.
func oewgCBMDocument(cat *catalog.Catalog) string {
	if p, err := cat.Provision("cbm-1"); err == nil {
		return p.Document
	}
	return ""
}

type frameworkData struct {
	Query     string
	Kind      string
	Topic     string
	Results   []catalog.Provision
	Documents []docGroup
	Topics    []catalog.TopicUse
	Searched  bool
}

type docGroup struct {
	Document   catalog.Document
	Provisions []catalog.Provision
}

func (s *Server) frameworkIndex(w http.ResponseWriter, r *http.Request) {
	// The catalogue is part of the build: what was rendered stays true.
	key := keptKey("framework", "", r)
	if s.serveKept(w, r, "framework", "framework", key) {
		return
	}
	cat := s.app.Catalog
	q := r.URL.Query()
	d := frameworkData{Query: q.Get("q"), Kind: q.Get("kind"), Topic: q.Get("topic"), Topics: cat.UsedTopics()}
	if d.Query != "" {
		d.Searched = true
		d.Results = cat.Search(d.Query)
	} else {
		f := catalog.Filter{Kind: catalog.Kind(d.Kind), Topic: d.Topic}
		for _, doc := range cat.Documents() {
			f.Document = doc.Symbol
			if ps := cat.Provisions(f); len(ps) > 0 {
				d.Documents = append(d.Documents, docGroup{Document: doc, Provisions: ps})
			}
		}
	}
	s.renderKept(w, r, "framework", key, page{Title: "The framework", Nav: "framework", Data: d})
}

type provisionData struct {
	Provision catalog.Provision
	Document  catalog.Document
	Related   []catalog.Provision
	Topics    []catalog.Topic
}

func (s *Server) frameworkProvision(w http.ResponseWriter, r *http.Request) {
	key := keptKey("provision", "", r)
	if s.serveKept(w, r, "provision", "framework", key) {
		return
	}
	cat := s.app.Catalog
	p, err := cat.Provision(r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := provisionData{Provision: p}
	d.Document, _ = cat.Document(p.Document)
	d.Related, _ = cat.Related(p.ID)
	for _, t := range p.Topics {
		if tp, err := cat.Topic(t); err == nil {
			d.Topics = append(d.Topics, tp)
		}
	}
	s.renderKept(w, r, "provision", key, page{Title: p.ShortTitle, Nav: "framework", Data: d})
}
