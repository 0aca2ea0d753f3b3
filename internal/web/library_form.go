package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/library"
)

// The form of a document, new and edit: a file or a link. Topics are
// typed separated by commas; provisions are chosen from a list. A file is
// not kept when the form comes back with errors, as on the other forms
// that take files.

type libraryFormData struct {
	libraryWords
	New          bool
	ID           string
	Types        []library.Type
	Statuses     []library.Status
	Visibilities []library.Visibility
	Groups       []provisionGroup
	FileLimit    int64
	// Kept is the file an edited document keeps when none is chosen.
	Kept string
}

func (s *Server) libraryFormData(r *http.Request, d *library.Document) libraryFormData {
	p := s.printer(r)
	out := libraryFormData{libraryWords: libraryWords{checkWords{p}}, New: d == nil, Types: library.Types(), Statuses: library.Statuses(),
		Visibilities: library.Visibilities(), Groups: findingGroups(p, s.app.Catalog), FileLimit: s.app.Library.FileLimit()}
	if d != nil {
		out.ID = d.ID
		if d.HasFile() {
			out.Kept = d.File.Name
		}
	}
	return out
}

func (s *Server) libraryFormTitle(r *http.Request, isNew bool) string {
	if isNew {
		return s.printer(r).TC("library", "Add a document to the library")
	}
	return s.printer(r).TC("library", "Change the document")
}

// libraryInput reads the form; a date that is no date is reported in bad.
func libraryInput(f url.Values) (in library.Input, bad errs.Fields) {
	in = library.Input{Type: library.Type(f.Get("type")), Title: f.Get("title"), Summary: f.Get("summary"), Language: f.Get("language"),
		Status: library.Status(f.Get("status")), SupersededBy: supersedingID(f.Get("superseded_by")), Provisions: f["provisions"],
		Topics: splitList(f.Get("topics")), Visibility: library.Visibility(f.Get("visibility")), Link: f.Get("link")}
	if v := strings.TrimSpace(f.Get("date")); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add("date", badCapacityDay)
		} else {
			in.Date = &t
		}
	}
	return in, bad
}

// supersedingID takes the id of a document, or the address of its page as
// copied from the browser.
func supersedingID(v string) string {
	v = strings.TrimSpace(v)
	if u, err := url.Parse(v); err == nil && strings.HasPrefix(u.Path, "/library/") {
		return strings.TrimPrefix(u.Path, "/library/")
	}
	return v
}

func libraryValues(d library.Document) url.Values {
	v := url.Values{"type": {string(d.Type)}, "title": {d.Title}, "summary": {d.Summary}, "language": {d.Language}, "status": {string(d.Status)},
		"superseded_by": {d.SupersededBy}, "provisions": d.Provisions, "topics": {strings.Join(d.Topics, ", ")},
		"visibility": {string(d.Visibility)}, "link": {d.Link}, "version": {strconv.Itoa(d.Version)}}
	if d.Date != nil {
		v.Set("date", d.Date.Format(time.DateOnly))
	}
	return v
}

func (s *Server) libraryNew(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Library.CanAdd(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"visibility": {string(library.Public)}, "status": {string(library.Adopted)}, "type": {string(library.Strategy)}}
	s.render(w, r, http.StatusOK, "libraryform", page{Title: s.libraryFormTitle(r, true), Nav: "transparency", Form: form,
		Data: s.libraryFormData(r, nil)})
}

func (s *Server) libraryEdit(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	d, err := s.app.Library.Document(r.Context(), a, r.PathValue("id"))
	if err == nil {
		err = s.app.Library.CanEdit(r.Context(), a, d)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "libraryform", page{Title: s.libraryFormTitle(r, false), Nav: "transparency", Form: libraryValues(d),
		Data: s.libraryFormData(r, &d)})
}

func (s *Server) libraryCreate(w http.ResponseWriter, r *http.Request) { s.librarySave(w, r, "") }
func (s *Server) libraryUpdate(w http.ResponseWriter, r *http.Request) {
	s.librarySave(w, r, r.PathValue("id"))
}

// librarySave adds (id "") or changes a document. When the page could
// not read a field, the service is asked to check the rest, writing
// nothing: it decides who may send the form and finds the other problems.
func (s *Server) librarySave(w http.ResponseWriter, r *http.Request, id string) {
	a := who(r)
	ctx := r.Context()
	ups, done, err := uploads(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	defer done()
	in, bad := libraryInput(r.PostForm)
	if len(ups) > 1 {
		bad.Add("attachments", "choose one file")
	} else if len(ups) == 1 {
		in.File = &ups[0]
	}
	var d library.Document
	var before *library.Document
	if id != "" {
		if cur, err := s.app.Library.Document(ctx, a, id); err == nil {
			before = &cur
		}
	}
	version, _ := formVersion(r.PostForm)
	switch {
	case len(bad) > 0:
		if err = s.app.Library.Check(ctx, a, id, in); err == nil {
			err = bad.Err()
		}
	case id == "":
		d, err = s.app.Library.Add(ctx, a, in)
	default:
		d, err = s.app.Library.Edit(ctx, a, id, version, in)
	}
	if err == nil {
		done := "added"
		if id != "" {
			done = "changed"
		}
		redirect(w, r, "/library/"+d.ID+"?done="+done)
		return
	}
	s.renderForm(w, r, "libraryform", page{Title: s.libraryFormTitle(r, id == ""), Nav: "transparency",
		Data: s.libraryFormData(r, before)}, withFieldErrors(err, bad))
}
