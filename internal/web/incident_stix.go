package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/taxii"
)

// Incidents as STIX 2.1 bundles: an incident or the filtered list
// downloaded, and a bundle imported from a file. incidentstix reads and
// writes only through the incident and TAXII services with the caller's
// actor, so a download holds exactly what the caller may read.

// importRoute is the import form, which may post a bundle as large as
// importLimit (attachments.go lets it through).
const importRoute = "POST /incidents/import"

// stixService is the bundles' service over the services the edges hold.
func (s *Server) stixService() *incidentstix.Service { return s.app.IncidentsSTIX }

// importLimit is the largest bundle file import takes: what the bundle
// reader and the State's TAXII collection both accept.
func (s *Server) importLimit() int64 {
	n := int64(stix.DefaultLimits().MaxBytes)
	if s.app.TAXII != nil {
		n = min(n, int64(s.app.TAXII.MaxContentLength()))
	}
	return n
}

// isImport reports whether r posts to the import form.
func (s *Server) isImport(r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	return pattern == importRoute
}

// incidentSTIX downloads one incident as a bundle; an incident the caller
// may not read is not found.
func (s *Server) incidentSTIX(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b, err := s.stixService().Export(r.Context(), who(r), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeBundle(w, "incident-"+safeFileName(id)+".json", b)
}

// incidentsSTIX downloads every incident the caller may read that the
// list's filters select, as one bundle.
func (s *Server) incidentsSTIX(w http.ResponseWriter, r *http.Request) {
	f, err := incidentFilter(r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	b, err := s.stixService().ExportAll(r.Context(), who(r), f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeBundle(w, "incidents-"+s.app.Clock.Now().UTC().Format(time.DateOnly)+".json", b)
}

func writeBundle(w http.ResponseWriter, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", incidentstix.MediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client has gone
}

// safeFileName keeps letters, digits and dashes: the id comes from the
// address, and the service has already found it.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

type importData struct {
	Limit   string // the largest file, in words
	Detail  string // what the bundle reader found wrong, as it says it
	Summary *importSummary
}

// importSummary is what an import did, as the page shows it.
type importSummary struct {
	incidentstix.Summary
	Failures []importFailure
	Kept     int             // objects the State's collection kept
	Refused  []taxii.Outcome // objects it refused, and why
}

// importFailure is an object whose record the service refused: each of
// its fields' problems, in the reader's language.
type importFailure struct {
	Object   string
	Problems []string
}

func (s *Server) importPage(r *http.Request, d importData) page {
	p := s.printer(r)
	d.Limit = fileSize(p, s.importLimit())
	return page{Title: p.T("Import a STIX bundle"), Nav: "incidents", Data: d}
}

// importForm shows the import form to those who may record incidents.
func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Incidents.CanReport(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incidentimport", s.importPage(r, importData{}))
}

// importBundle imports the posted file and shows what became of it. A
// file that is missing, too large or not a STIX 2.1 bundle comes back as
// the field's error, and nothing is written.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	ctx := r.Context()
	p := s.printer(r)
	if err := s.app.Incidents.CanReport(ctx, a); err != nil {
		s.renderError(w, r, err)
		return
	}
	refuse := func(status int, msg, detail string) {
		pg := s.importPage(r, importData{Detail: detail})
		pg.Errors = map[string]string{"bundle": msg}
		s.render(w, r, status, "incidentimport", pg)
	}
	body, err := s.uploadedBundle(r)
	switch {
	case errors.Is(err, errNoFile):
		refuse(http.StatusUnprocessableEntity, p.T("Choose a file holding a STIX 2.1 bundle."), "")
		return
	case errors.Is(err, errFileTooLarge):
		refuse(http.StatusRequestEntityTooLarge, p.T("This file is too large: a bundle may have at most {size}. Nothing was imported.",
			"size", fileSize(p, s.importLimit())), "")
		return
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	sum, err := s.stixService().Import(ctx, a, body)
	if err != nil {
		switch {
		case errs.Is(err, errs.TooLarge):
			refuse(http.StatusRequestEntityTooLarge, p.T("This bundle holds too many objects or nests them too deeply. Nothing was imported."), err.Error())
		case errs.Is(err, errs.Invalid):
			refuse(http.StatusUnprocessableEntity, p.T("This file is not a STIX 2.1 bundle that can be imported. Nothing was imported."),
				errs.FieldsOf(err)["bundle"])
		default:
			s.renderError(w, r, err)
		}
		return
	}
	d := importData{Summary: &importSummary{Summary: sum}}
	for _, f := range sum.Failures {
		d.Summary.Failures = append(d.Summary.Failures, importFailure{Object: f.Object, Problems: failureProblems(p, f.Message)})
	}
	if st := sum.Stored; st != nil {
		d.Summary.Kept = len(st.Successes)
		d.Summary.Refused = st.Failures
	}
	pg := s.importPage(r, d)
	pg.Flash = i18n.M("The bundle is imported. What it made is listed below.")
	s.render(w, r, http.StatusOK, "incidentimport", pg)
}

// The form's file is missing or over importLimit; the page says so in
// the reader's language.
var (
	errNoFile       = errors.New("no file chosen")
	errFileTooLarge = errors.New("file too large")
)

// uploadedBundle returns the bytes of the form's "bundle" file.
func (s *Server) uploadedBundle(r *http.Request) ([]byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["bundle"]) == 0 {
		return nil, errNoFile
	}
	fh := r.MultipartForm.File["bundle"][0]
	if fh.Size == 0 {
		return nil, errNoFile
	}
	if fh.Size > s.importLimit() {
		return nil, errFileTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, errs.Internalf(err, "open uploaded bundle")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, s.importLimit()+1))
	if err != nil {
		return nil, errs.Internalf(err, "read uploaded bundle")
	}
	return b, nil
}

// failureProblems splits an import failure ("field: problem; …") into
// its problems, each translated where the catalogue knows it.
func failureProblems(p *i18n.Printer, msg string) []string {
	var out []string
	for part := range strings.SplitSeq(msg, "; ") {
		field, problem, ok := strings.Cut(part, ": ")
		if !ok {
			out = append(out, p.Known(part))
			continue
		}
		out = append(out, field+": "+p.Known(problem))
	}
	return out
}
