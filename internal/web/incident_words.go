package web

import (
	"fmt"
	"strings"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
)

// incidentWords writes what the incident pages say of an incident's coded
// facts — status, sectors, severity, the terms of an attribution, a
// finding — in the page's language: each code type's English label,
// translated under its context in po/incident. The pages' data embed it,
// so that a template writes {{$.Data.Sector .}}.
type incidentWords struct{ p *i18n.Printer }

func (w incidentWords) Status(code any) string {
	s := incident.Status(fmt.Sprint(code))
	return w.p.TC("incident status", s.Label())
}
func (w incidentWords) Sector(code any) string {
	s := incident.Sector(fmt.Sprint(code))
	if s.Label() == "" {
		return string(s)
	}
	return w.p.TC("incident sector", s.Label())
}
func (w incidentWords) Severity(code any) string {
	s := incident.Severity(fmt.Sprint(code))
	return w.p.TC("incident severity", s.Label())
}
func (w incidentWords) Category(code any) string {
	c := incident.ActorCategory(fmt.Sprint(code))
	return w.p.TC("actor category", c.Label())
}
func (w incidentWords) Spectrum(code any) string {
	s := incident.Spectrum(fmt.Sprint(code))
	if s.Label() == "" {
		return string(s)
	}
	return w.p.TC("responsibility spectrum", s.Label())
}
func (w incidentWords) Likelihood(code any) string {
	l := incident.Likelihood(fmt.Sprint(code))
	return w.p.TC("likelihood", l.Label())
}
func (w incidentWords) Confidence(code any) string {
	c := incident.Confidence(fmt.Sprint(code))
	return w.p.TC("confidence", c.Label())
}
func (w incidentWords) Basis(code any) string {
	b := incident.Basis(fmt.Sprint(code))
	return w.p.TC("attribution basis", b.Label())
}
func (w incidentWords) Outcome(code any) string {
	o := incident.Outcome(fmt.Sprint(code))
	if o == "" {
		return ""
	}
	return w.p.TC("finding", o.Label())
}

// SectorList, BasisList and StateList write a list as the language separates the
// items of one.
func (w incidentWords) SectorList(v []incident.Sector) string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = w.Sector(s)
	}
	return w.join(out)
}
func (w incidentWords) BasisList(v []incident.Basis) string {
	out := make([]string, len(v))
	for i, b := range v {
		out[i] = w.Basis(b)
	}
	return w.join(out)
}
func (w incidentWords) StateList(v []string) string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = stateName(w.p, s)
	}
	return w.join(out)
}

func (w incidentWords) join(v []string) string {
	return strings.Join(v, w.p.TC("list separator", ", "))
}

// Action names what a version of an incident records.
func (w incidentWords) Action(a string) string {
	switch a {
	case "create":
		return w.p.TC("incident version", "Recorded")
	case "edit":
		return w.p.TC("incident version", "Edited")
	case "status":
		return w.p.TC("incident version", "Status changed")
	case "link":
		return w.p.TC("incident version", "Communication linked")
	}
	return a
}

// provisionGroup is a heading of provisions a finding may be made on.
type provisionGroup struct {
	Title      string
	Provisions []catalog.Provision
}

// findingGroups are the provisions findings are made on, as the pages
// offer them: the norms of paragraph 13, the views on international law
// of paragraph 28 and the global confidence-building measures.
func findingGroups(p *i18n.Printer, cat *catalog.Catalog) []provisionGroup {
	norms := cat.Provisions(catalog.Filter{Kind: catalog.KindNorm, Document: "A/70/174"})
	var law []catalog.Provision
	for _, x := range cat.Provisions(catalog.Filter{Kind: catalog.KindLaw, Document: "A/70/174"}) {
		if strings.HasPrefix(x.Paragraph, "28(") {
			law = append(law, x)
		}
	}
	cbms := cat.Provisions(catalog.Filter{Kind: catalog.KindCBM, Document: oewgCBMDocument(cat)})
	return []provisionGroup{
		{Title: p.T("Norms, paragraph 13 (a)–(k)"), Provisions: norms},
		{Title: p.T("How international law applies, paragraph 28 (a)–(f)"), Provisions: law},
		{Title: p.T("Global confidence-building measures"), Provisions: cbms},
	}
}
