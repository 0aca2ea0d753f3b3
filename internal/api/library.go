package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
)

// The wire shapes of the policy library. Who last changed a document is
// left out, as for capacity building: a public document is read by anyone.

// libraryFileOut describes a document's file; its content is at
// /library/documents/{id}/file.
type libraryFileOut struct {
	Name         string `json:"name"`
	OriginalName string `json:"original_name"`
	DeclaredType string `json:"declared_type"`
	DetectedType string `json:"detected_type"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
}

type libraryDocumentOut struct {
	ID string `json:"id"`
	// OwnerState is empty for the secretariat.
	OwnerState   string   `json:"owner_state"`
	Type         string   `json:"type"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Language     string   `json:"language"`
	Date         *string  `json:"date"`
	Status       string   `json:"status"`
	SupersededBy string   `json:"superseded_by"`
	Provisions   []string `json:"provisions"`
	Topics       []string `json:"topics"`
	Visibility   string   `json:"visibility"`
	// Link is empty when the document keeps a file, File null when it
	// is a link.
	Link      string          `json:"link"`
	File      *libraryFileOut `json:"file"`
	Text      string          `json:"text"`
	Version   int             `json:"version"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func libraryDocumentFrom(d library.Document) libraryDocumentOut {
	out := libraryDocumentOut{ID: d.ID, OwnerState: d.Owner, Type: string(d.Type), Title: d.Title, Summary: d.Summary, Language: d.Language,
		Date: dateOf(d.Date), Status: string(d.Status), SupersededBy: d.SupersededBy, Provisions: nonNil(d.Provisions), Topics: nonNil(d.Topics),
		Visibility: string(d.Visibility), Link: d.Link, Text: string(d.Text), Version: d.Version, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
	if d.HasFile() {
		out.File = &libraryFileOut{Name: d.File.Name, OriginalName: d.File.OriginalName, DeclaredType: d.File.DeclaredType,
			DetectedType: d.File.DetectedType, Size: d.File.Size, SHA256: d.File.SHA256}
	}
	return out
}

// writeLibraryDocument sends d, naming the document that supersedes it
// only to a caller who may read that one.
func (s *server) writeLibraryDocument(ctx context.Context, w http.ResponseWriter, a actor.Actor, status int, d library.Document) error {
	if d.SupersededBy != "" {
		if _, err := s.app.Library.Document(ctx, a, d.SupersededBy); errs.Is(err, errs.NotFound) {
			d.SupersededBy = ""
		} else if err != nil {
			return err
		}
	}
	w.Header().Set("ETag", etag(d.Version))
	return writeJSON(w, status, libraryDocumentFrom(d))
}

// libraryListed is d as a list gives it: without the document that
// supersedes it, which the caller may not be allowed to know of and a
// page cannot ask about for each of its items.
func libraryListed(d library.Document) libraryDocumentOut {
	d.SupersededBy = ""
	return libraryDocumentFrom(d)
}

// listLibraryDocuments lists, or searches with q, the documents the
// caller may read, with the pages' filters.
func (s *server) listLibraryDocuments(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	q := r.URL.Query()
	f := library.Filter{State: strings.TrimSpace(q.Get("state")), Type: library.Type(strings.TrimSpace(q.Get("type"))),
		Provision: strings.TrimSpace(q.Get("provision")), Query: q.Get("q")}
	return capacityList(w, r, func(req page.Request) (page.Page[library.Document], error) {
		return s.app.Library.List(r.Context(), a, f, req)
	}, libraryListed)
}

// libraryDocumentIn is a document as its owner gives it: a link, or a
// file in base64 as a message's attachments are sent.
type libraryDocumentIn struct {
	Version      *int     `json:"version"`
	Type         string   `json:"type"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Language     string   `json:"language"`
	Date         string   `json:"date"`
	Status       string   `json:"status"`
	SupersededBy string   `json:"superseded_by"`
	Provisions   []string `json:"provisions"`
	Topics       []string `json:"topics"`
	Visibility   string   `json:"visibility"`
	Link         string   `json:"link"`
	File         *fileIn  `json:"file"`
}

// msgLibraryDay is the message for a date that cannot be read.
const msgLibraryDay = "enter a date such as 2027-05-01"

// input converts in; bad holds what could not be read (the date, the
// file's base64), for the service's check to complete.
func (in libraryDocumentIn) input() (library.Input, errs.Fields) {
	out := library.Input{Type: library.Type(strings.TrimSpace(in.Type)), Title: in.Title, Summary: in.Summary, Language: strings.TrimSpace(in.Language),
		Status: library.Status(strings.TrimSpace(in.Status)), SupersededBy: strings.TrimSpace(in.SupersededBy), Provisions: in.Provisions,
		Topics: in.Topics, Visibility: library.Visibility(strings.TrimSpace(in.Visibility)), Link: strings.TrimSpace(in.Link)}
	var bad errs.Fields
	if v := strings.TrimSpace(in.Date); v != "" {
		if t, err := time.Parse(time.DateOnly, v); err != nil {
			bad.Add("date", msgLibraryDay)
		} else {
			out.Date = &t
		}
	}
	if in.File != nil {
		b, err := base64.StdEncoding.DecodeString(in.File.ContentBase64)
		if err != nil {
			bad.Add("file.content_base64", "the file is not standard base64 (RFC 4648)")
		} else {
			out.File = &messaging.Upload{Name: in.File.Name, MediaType: in.File.MediaType, Content: bytes.NewReader(b)}
		}
	}
	return out, bad
}

// libraryError names the file's problems as the body does.
func libraryError(err error) error {
	return renameFields(err, map[string]string{"attachments": "file"})
}

// decodeLibrary reads a document's body, whose limit is the usual one
// plus the largest file in base64.
func (s *server) decodeLibrary(w http.ResponseWriter, r *http.Request) (libraryDocumentIn, error) {
	var in libraryDocumentIn
	limit := s.app.Library.FileLimit()/3*4 + 4096 + s.maxBody()
	err := s.decodeLimit(w, r, &in, limit)
	return in, err
}

// withBad completes bad with the service's check of what could be read,
// writing nothing.
func (s *server) withBad(ctx context.Context, a actor.Actor, id string, in library.Input, bad errs.Fields) error {
	err := s.app.Library.Check(ctx, a, id, in)
	if err != nil && !errs.Is(err, errs.Invalid) {
		return err
	}
	for k, v := range errs.FieldsOf(libraryError(err)) {
		if k == "file" && in.File == nil {
			continue // the file was given, but not as base64
		}
		bad.Add(k, v)
	}
	return bad.Err()
}

// addLibraryDocument shares a document of the caller's side.
func (s *server) addLibraryDocument(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	in, err := s.decodeLibrary(w, r)
	if err != nil {
		return err
	}
	input, bad := in.input()
	if len(bad) > 0 {
		return s.withBad(r.Context(), a, "", input, bad)
	}
	d, err := s.app.Library.Add(r.Context(), a, input)
	if err != nil {
		return libraryError(err)
	}
	w.Header().Set("Location", prefix+"/library/documents/"+d.ID)
	return s.writeLibraryDocument(r.Context(), w, a, http.StatusCreated, d)
}

func (s *server) getLibraryDocument(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	d, err := s.app.Library.Document(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeLibraryDocument(r.Context(), w, a, http.StatusOK, d)
}

// editLibraryDocument replaces a document at the version seen; without a
// file or a link, its file stays.
func (s *server) editLibraryDocument(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	in, err := s.decodeLibrary(w, r)
	if err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	input, bad := in.input()
	if len(bad) > 0 {
		return s.withBad(r.Context(), a, r.PathValue("id"), input, bad)
	}
	d, err := s.app.Library.Edit(r.Context(), a, r.PathValue("id"), version, input)
	if err != nil {
		return libraryError(err)
	}
	return s.writeLibraryDocument(r.Context(), w, a, http.StatusOK, d)
}

// withdrawLibraryDocument withdraws a document at the version seen; the
// body is optional when If-Match says it.
func (s *server) withdrawLibraryDocument(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	var in struct {
		Version *int `json:"version"`
	}
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	if err := s.app.Library.Delete(r.Context(), a, r.PathValue("id"), version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getLibraryFile serves a document's file as a message's attachments are
// served: always as a download, never as something a browser would run.
func (s *server) getLibraryFile(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	at, content, err := s.app.Library.File(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	serveFile(w, at, content)
	return nil
}

// serveFile writes a kept file with the headers that keep a browser from
// running it.
func serveFile(w http.ResponseWriter, at messaging.Attachment, content []byte) {
	h := w.Header()
	h.Set("Content-Type", at.ServedType())
	h.Set("Content-Disposition", at.Disposition())
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	if sum, err := hex.DecodeString(at.SHA256); err == nil && len(sum) == sha256.Size {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":") // RFC 9530
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(content)
}
