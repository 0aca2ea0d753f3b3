package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/scenario"
)

// uploadRoutes are the forms that may carry files (multipart/form-data).
var uploadRoutes = map[string]bool{
	"POST /messages":            true,
	"POST /messages/{id}/reply": true,
	importRoute:                 true, // one STIX bundle, up to importLimit

	"POST /meetings/{id}/records/files": true, // one document of a meeting
	scenarioImportRoute:                 true, // one scenario file, up to scenario.MaxFile

	"POST /library":           true, // one document of the policy library
	"POST /library/{id}/edit": true,
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// acceptsFiles reports whether r is a multipart post to a form that takes files.
func (s *Server) acceptsFiles(r *http.Request) bool {
	if !isMultipart(r) {
		return false
	}
	_, pattern := s.mux.Handler(r)
	return uploadRoutes[pattern]
}

// bodyLimit is the largest body r may have. A signed-in person's form
// with files may carry a message's worth of them and one file more, so
// that a sender a little over is told which file to drop rather than
// refused outright.
func (s *Server) bodyLimit(r *http.Request) int64 {
	limit := s.app.Config.MaxBodyBytes
	if who(r).Authenticated() && s.acceptsFiles(r) {
		if s.isImport(r) {
			return limit + s.importLimit()
		}
		if _, pattern := s.mux.Handler(r); pattern == scenarioImportRoute {
			return limit + scenario.MaxFile
		}
		l := s.app.Messaging.AttachmentLimits()
		limit += l.MaxTotalBytes + l.MaxFileBytes
	}
	return limit
}

// parseForm reads a posted form, URL-encoded or multipart. A multipart
// form is read into memory whole (the body limit bounds it), never into
// temporary files: attached files may be TLP:RED and must reach no disk
// but the database's.
func (s *Server) parseForm(r *http.Request) error {
	var err error
	if isMultipart(r) {
		err = r.ParseMultipartForm(s.bodyLimit(r))
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	p := s.printer(r)
	var big *http.MaxBytesError
	if errors.As(err, &big) && who(r).Authenticated() && s.isImport(r) {
		return errs.E(errs.TooLarge, "%s", p.T("This file is too large: a bundle may have at most {size}. Nothing was imported.",
			"size", fileSize(p, s.importLimit())))
	}
	if errors.As(err, &big) && who(r).Authenticated() && s.acceptsFiles(r) {
		return errs.E(errs.TooLarge, "%s", p.T("The form is too large: go back and choose fewer or smaller files. {limits}",
			"limits", attachmentLimits(p, s.app.Messaging.AttachmentLimits())))
	}
	return errs.E(errs.Invalid, "%s", p.T("the form could not be read; it may be too large"))
}

// uploads returns the files chosen in the form's "attachments" input, and
// a function that closes them once the service has read them.
func uploads(r *http.Request) ([]messaging.Upload, func(), error) {
	var closers []io.Closer
	done := func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}
	if r.MultipartForm == nil {
		return nil, done, nil
	}
	var out []messaging.Upload
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // a file input left empty
		}
		f, err := fh.Open()
		if err != nil {
			done()
			return nil, func() {}, errs.Internalf(err, "open uploaded file")
		}
		closers = append(closers, f)
		out = append(out, messaging.Upload{Name: fh.Filename, MediaType: fh.Header.Get("Content-Type"), Content: f})
	}
	return out, done, nil
}

// attachment serves a file attached to a message to those who may read
// the message. It is always a download, never a page of this site: a
// sandboxing policy, no sniffing, and a type browsers do not run.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	at, content, err := s.app.Messaging.Attachment(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", at.ServedType())
	h.Set("Content-Disposition", at.Disposition())
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if sum, err := hex.DecodeString(at.SHA256); err == nil && len(sum) == sha256.Size {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":") // RFC 9530
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(content)
	}
}
