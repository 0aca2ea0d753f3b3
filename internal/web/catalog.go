package web

import (
	"net/http"
	"strings"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/i18n"
)

type homeData struct {
	Norms, Law, CBMs      int
	Framework             i18n.Message // what the framework holds, counted
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
	// Each count takes its own plural form, so the sentence is made of
	// three counted messages.
	d.Framework = i18n.M("{norms}, {law} and {cbms}, quoted from the UN documents with their citations.",
		"norms", i18n.MN("{count} norm", "{count} norms", d.Norms),
		"law", i18n.MN("{count} paragraph on how international law applies", "{count} paragraphs on how international law applies", d.Law),
		"cbms", i18n.MN("{count} global confidence-building measure", "{count} global confidence-building measures", d.CBMs))
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
	s.render(w, r, http.StatusOK, "home", page{Title: s.printer(r).T("Start"), Data: d})
}

// catalogText puts the catalogue's own words — short titles, topic names
// and notes, which are ours, and the titles of the documents — in the
// reader's language: en.po holds each by its English text under the
// contexts below. The quoted UN texts stay in English.
type catalogText struct{ p *i18n.Printer }

func (c catalogText) provision(p catalog.Provision) catalog.Provision {
	p.ShortTitle = c.p.TC("provision title", p.ShortTitle)
	if p.Note != "" {
		p.Note = c.p.TC("provision note", p.Note)
	}
	return p
}

// cited names p, as the catalogue holds it, the way people cite it, with
// its short title: "Norm 13(h) — Respond to requests for assistance",
// "CBM 1 — Global Points-of-Contact Directory", else its citation. The
// paragraph, number and citation stay as the UN documents write them.
// A provision the catalogue no longer has (a template may name one) keeps
// its id.
func (c catalogText) cited(p catalog.Provision) string {
	if p.ShortTitle == "" {
		return p.ID
	}
	title := c.p.TC("provision title", p.ShortTitle)
	if p.Kind == catalog.KindNorm {
		return c.p.T("Norm {paragraph} — {title}", "paragraph", p.Paragraph, "title", title)
	}
	if n, ok := strings.CutPrefix(p.Paragraph, "Annex B, CBM "); ok {
		return c.p.T("CBM {number} — {title}", "number", n, "title", title)
	}
	return c.p.T("{citation} — {title}", "citation", p.Citation(), "title", title)
}

func (c catalogText) provisions(ps []catalog.Provision) []catalog.Provision {
	for i := range ps {
		ps[i] = c.provision(ps[i])
	}
	return ps
}

func (c catalogText) document(d catalog.Document) catalog.Document {
	d.Title = c.p.TC("document title", d.Title)
	return d
}

func (c catalogText) topic(t catalog.Topic) catalog.Topic {
	t.Name = c.p.TC("topic", t.Name)
	return t
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
	pr := s.printer(r)
	tr := catalogText{pr}
	q := r.URL.Query()
	d := frameworkData{Query: q.Get("q"), Kind: q.Get("kind"), Topic: q.Get("topic"), Topics: cat.UsedTopics()}
	for i := range d.Topics {
		d.Topics[i].Topic = tr.topic(d.Topics[i].Topic)
	}
	if d.Query != "" {
		d.Searched = true
		d.Results = tr.provisions(cat.Search(d.Query))
	} else {
		f := catalog.Filter{Kind: catalog.Kind(d.Kind), Topic: d.Topic}
		for _, doc := range cat.Documents() {
			f.Document = doc.Symbol
			if ps := cat.Provisions(f); len(ps) > 0 {
				d.Documents = append(d.Documents, docGroup{Document: tr.document(doc), Provisions: tr.provisions(ps)})
			}
		}
	}
	s.renderKept(w, r, "framework", key, page{Title: pr.T("The framework"), Nav: "framework", Data: d})
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
	tr := catalogText{s.printer(r)}
	d := provisionData{Provision: tr.provision(p)}
	if doc, err := cat.Document(p.Document); err == nil {
		d.Document = tr.document(doc)
	}
	related, _ := cat.Related(p.ID)
	d.Related = tr.provisions(related)
	for _, t := range p.Topics {
		if tp, err := cat.Topic(t); err == nil {
			d.Topics = append(d.Topics, tr.topic(tp))
		}
	}
	s.renderKept(w, r, "provision", key, page{Title: d.Provision.ShortTitle, Nav: "framework", Data: d})
}
