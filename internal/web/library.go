package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/meeting"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
)

// The policy library's pages (CBM 7, 8): the documents a person may read,
// searched and filtered, paged; a document with its file or link; the
// form; and withdrawal by the State that shared it. The library service
// decides who reads and does what; the pages ask it which buttons to show.

var libraryFlashes = map[string]i18n.Message{
	"added":   i18n.M("The document is in the library."),
	"changed": i18n.M("The document is saved."),
	"deleted": i18n.M("The document is withdrawn from the library."),
}

func libraryFlash(r *http.Request) any {
	if m, ok := libraryFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

// libraryWords writes the coded facts of documents in the page's language.
type libraryWords struct{ checkWords }

func (w libraryWords) Type(code any) string {
	return w.p.TC("library type", library.Type(fmt.Sprint(code)).Label())
}

func (w libraryWords) Status(code any) string {
	return w.p.TC("library status", library.Status(fmt.Sprint(code)).Label())
}

// Visibility says who may read a document, in the words capacity
// building uses for the same rule.
func (w libraryWords) Visibility(code any) string {
	return capacityWords{w.checkWords}.Visibility(code)
}

// Owner names who shared a document: a State, or the secretariat.
func (w libraryWords) Owner(code string) string { return capacityWords{w.checkWords}.Owner(code) }

// OwnerInSentence names who shared a document inside a sentence.
func (w libraryWords) OwnerInSentence(code string) string {
	return capacityWords{w.checkWords}.OwnerInSentence(code)
}

// Excerpt is the start of a summary, for the list.
func (w libraryWords) Excerpt(s string) string { return meeting.Excerpt(s, 240) }

// Language names a document's language.
func (w libraryWords) Language(code string) string { return languageList(w.p, []string{code}) }

// stateOption is a State in a filter's list.
type stateOption struct{ Code, Name string }

// libraryFilterData is what the list's filters offer.
type libraryFilterData struct {
	Types  []library.Type
	Groups []provisionGroup
	States []stateOption
}

func (s *Server) libraryFilters(r *http.Request) libraryFilterData {
	p := s.printer(r)
	d := libraryFilterData{Types: library.Types(), Groups: findingGroups(p, s.app.Catalog)}
	for _, st := range states.All() {
		d.States = append(d.States, stateOption{Code: st.Alpha2, Name: stateName(p, st.Alpha2)})
	}
	slices.SortFunc(d.States, func(a, b stateOption) int { return cmp.Compare(a.Name, b.Name) })
	return d
}

type libraryListData struct {
	libraryWords
	libraryFilterData
	Documents []library.Document
	Pager     pager
	CanAdd    bool
	Searched  bool
}

func (s *Server) libraryList(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	ctx := r.Context()
	p := s.printer(r)
	q := r.URL.Query()
	d := libraryListData{libraryWords: libraryWords{checkWords{p}}, libraryFilterData: s.libraryFilters(r), Searched: q.Get("q") != ""}
	d.CanAdd = s.app.Library.CanAdd(ctx, a) == nil
	pg := page{Title: p.T("Policy library"), Nav: "transparency", Data: d, Form: q, Flash: libraryFlash(r)}
	req, err := paging.Parse(q)
	if err != nil {
		s.listProblem(w, r, "librarylist", pg, err)
		return
	}
	f := library.Filter{State: q.Get("state"), Type: library.Type(q.Get("type")), Provision: q.Get("provision"), Query: q.Get("q")}
	res, err := s.app.Library.List(ctx, a, f, req)
	if err != nil {
		s.listProblem(w, r, "librarylist", pg, err)
		return
	}
	d.Documents, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "librarylist", pg)
}

type libraryDocData struct {
	libraryWords
	Doc library.Document
	// Successor is the document that supersedes it, when the viewer may
	// read it.
	Successor *library.Document
	CanEdit   bool
}

func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	ctx := r.Context()
	d := libraryDocData{libraryWords: libraryWords{checkWords{s.printer(r)}}}
	doc, err := s.app.Library.Document(ctx, a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Doc, d.CanEdit = doc, s.app.Library.CanEdit(ctx, a, doc) == nil
	if doc.SupersededBy != "" {
		if next, err := s.app.Library.Document(ctx, a, doc.SupersededBy); err == nil {
			d.Successor = &next
		}
	}
	s.render(w, r, http.StatusOK, "librarydoc", page{Title: doc.Title, Nav: "transparency", Data: d, Flash: libraryFlash(r)})
}

// libraryFile serves a document's file as a communication's attachment is
// served, by the meetings' documents' helper: always a download,
// sandboxed, never sniffed.
func (s *Server) libraryFile(w http.ResponseWriter, r *http.Request) {
	at, content, err := s.app.Library.File(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	serveRecordFile(w, r, meeting.Record{File: at}, content, "private, no-store")
}

func (s *Server) libraryDelete(w http.ResponseWriter, r *http.Request) {
	version, _ := formVersion(r.PostForm)
	if err := s.app.Library.Delete(r.Context(), who(r), r.PathValue("id"), version); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/library?done=deleted")
}
