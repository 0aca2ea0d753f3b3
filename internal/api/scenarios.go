package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

// The wire shapes of scenarios. A scenario's content is given in the
// scenario file format (docs/SCENARIOS.md), the same file export writes
// and import reads, so that a client needs to know one shape only.

type scenarioSummaryOut struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	// OwnerState is empty for the secretariat's and the shipped ones.
	OwnerState string    `json:"owner_state"`
	Shipped    bool      `json:"shipped"`
	Shared     bool      `json:"shared"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Injects    int       `json:"injects"`
	Duration   int64     `json:"duration_s"`
	Provisions []string  `json:"provisions"`
	SavedAt    time.Time `json:"saved_at"`
}

func scenarioSummaryFrom(s scenario.Summary) scenarioSummaryOut {
	return scenarioSummaryOut{ID: s.ID, Version: s.Version, OwnerState: s.OwnerState, Shipped: s.Shipped, Shared: s.Shared, Title: s.Title,
		Summary: s.Summary, Injects: s.Injects, Duration: runSecs(s.Duration), Provisions: nonNil(s.Provisions), SavedAt: utc(s.SavedAt)}
}

type scenarioOut struct {
	ID         string `json:"id"`
	Version    int    `json:"version"`
	OwnerState string `json:"owner_state"`
	Shipped    bool   `json:"shipped"`
	Shared     bool   `json:"shared"`
	Withdrawn  bool   `json:"withdrawn"`
	// CopiedFrom is the scenario it was copied from, empty if none.
	CopiedFrom string    `json:"copied_from"`
	SavedAt    time.Time `json:"saved_at"`
	// SavedBy is the name of who saved this version as it was; empty for
	// a shipped version.
	SavedBy string `json:"saved_by"`
	// Content is the version in the scenario file format.
	Content json.RawMessage `json:"content"`
}

func scenarioFrom(sc scenario.Scenario) scenarioOut {
	return scenarioOut{ID: sc.ID, Version: sc.Version, OwnerState: sc.OwnerState, Shipped: sc.Shipped, Shared: sc.Shared, Withdrawn: sc.Withdrawn,
		CopiedFrom: sc.CopiedFrom, SavedAt: utc(sc.SavedAt), SavedBy: sc.SavedName, Content: scenario.Encode(scenario.InputOf(sc))}
}

type scenarioVersionOut struct {
	Version int       `json:"version"`
	Title   string    `json:"title"`
	SavedAt time.Time `json:"saved_at"`
	SavedBy string    `json:"saved_by"`
}

func scenarioVersionFrom(v scenario.VersionInfo) scenarioVersionOut {
	return scenarioVersionOut{Version: v.Version, Title: v.Title, SavedAt: utc(v.SavedAt), SavedBy: v.SavedName}
}

// msgScenarioVersion is the pages' message for a version that is none.
const msgScenarioVersion = "this scenario has no such version"

// scenarioVersion reads ?version=: 0 (the newest) when absent; a version
// that cannot be one is not found, as on the pages.
func scenarioVersion(r *http.Request) (int, error) {
	v := r.URL.Query().Get("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errs.E(errs.NotFound, msgScenarioVersion)
	}
	return n, nil
}

func writeScenario(w http.ResponseWriter, status int, sc scenario.Scenario) error {
	w.Header().Set("ETag", etag(sc.Version))
	return writeJSON(w, status, scenarioFrom(sc))
}

// listScenarios lists the scenarios the caller sees, newest saved first,
// filtered as the page is by owner (shipped, mine) and provision.
func (s *server) listScenarios(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	q := r.URL.Query()
	f := scenario.Filter{Owner: strings.TrimSpace(q.Get("owner")), Provision: strings.TrimSpace(q.Get("provision"))}
	req, err := pageRequest(r, nil)
	if err != nil {
		// The filters are the service's to check: asked with a page of
		// its own, so that one answer names every parameter to fix, and
		// an anonymous caller is told to sign in first.
		_, ferr := s.app.Scenarios.List(r.Context(), a, f, page.Request{})
		if ferr != nil && !errs.Is(ferr, errs.Invalid) {
			return ferr
		}
		_, err = pageRequest(r, ferr)
		return err
	}
	p, err := s.app.Scenarios.List(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, scenarioSummaryFrom))
}

func (s *server) getScenario(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	version, err := scenarioVersion(r)
	if err != nil {
		// Who may read is asked first, so that a caller who may not is
		// told so rather than to fix a version.
		if _, lerr := s.app.Scenarios.Scenario(r.Context(), a, r.PathValue("id"), 0); lerr != nil {
			return lerr
		}
		return err
	}
	sc, err := s.app.Scenarios.Scenario(r.Context(), a, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeScenario(w, http.StatusOK, sc)
}

func (s *server) scenarioVersions(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Scenarios.Versions(r.Context(), a, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, scenarioVersionFrom))
}

// exportScenario serves a version as the scenario file itself.
func (s *server) exportScenario(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	version, err := scenarioVersion(r)
	if err != nil {
		if _, lerr := s.app.Scenarios.Scenario(r.Context(), a, r.PathValue("id"), 0); lerr != nil {
			return lerr
		}
		return err
	}
	b, sc, err := s.app.Scenarios.Export(r.Context(), a, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("scenario-%s-v%d.json", sc.ID, sc.Version)}))
	h.Set("ETag", etag(sc.Version))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client has gone
	return nil
}

// importScenario writes the scenario file sent as the body as a new
// scenario of the caller's side. The file may carry attachments, so its
// limit is the format's, not the API's usual one.
func (s *server) importScenario(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &errs.Error{Code: errs.UnsupportedMedia, Message: "send the request body as JSON with Content-Type: application/json"}
	}
	limit := int64(scenario.MaxFile)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", limit)}
	}
	if err != nil {
		return &errs.Error{Code: errs.Malformed, Message: "the request body could not be read"}
	}
	// Who may import is asked before the file is read, so a refused
	// caller learns nothing from its body.
	if err := s.app.Scenarios.CanWrite(r.Context(), a); err != nil {
		return err
	}
	if perr := notJSON(body); perr != nil {
		return perr
	}
	if field, problem := badString(body); problem != "" {
		return badJSON(fmt.Sprintf("field %s %s", field, problem), map[string]string{field: problem})
	}
	sc, err := s.app.Scenarios.Import(r.Context(), a, body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/scenarios/"+sc.ID)
	return writeScenario(w, http.StatusCreated, sc)
}

type scenarioCopyIn struct {
	Version int `json:"version"`
}

// copyScenario writes a version of a scenario the caller sees as a new
// scenario of its side; the body, naming the version, is optional.
func (s *server) copyScenario(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in scenarioCopyIn
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	if in.Version < 0 {
		return errs.E(errs.NotFound, msgScenarioVersion)
	}
	sc, err := s.app.Scenarios.Copy(r.Context(), a, r.PathValue("id"), in.Version)
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/scenarios/"+sc.ID)
	return writeScenario(w, http.StatusCreated, sc)
}
