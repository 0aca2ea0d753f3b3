package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/taxii"
)

// incidentsSTIX exports and imports through the caller's actor, like
// every other handler; the rest of an imported bundle goes to the
// importing State's TAXII collection where the server has one.
func (s *server) incidentsSTIX() *incidentstix.Service { return s.app.IncidentsSTIX }

// writeSTIX sends a bundle with the STIX 2.1 media type.
func writeSTIX(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", incidentstix.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *server) getIncidentSTIX(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	b, err := s.incidentsSTIX().Export(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSTIX(w, b)
	return nil
}

// listIncidentsSTIX is GET /incidents as one bundle per page: the same
// filters and paging, the next page in a Link header since a bundle has
// no place for it.
func (s *server) listIncidentsSTIX(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, req, err := s.incidentQuery(r, a)
	if err != nil {
		return err
	}
	b, next, err := s.incidentsSTIX().ExportPage(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, page.NextURL(r.URL, next)))
	}
	writeSTIX(w, b)
	return nil
}

// The summary of an import, as the API answers it.

type madeOut struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	Title  string `json:"title"`
}

type importFailureOut struct {
	Object  string `json:"object"`
	Message string `json:"message"`
}

type taxiiOutcomeOut struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message"`
}

type taxiiStatusOut struct {
	ID          string            `json:"id"`
	Collection  string            `json:"collection"`
	RequestedAt time.Time         `json:"requested_at"`
	Total       int               `json:"total"`
	Successes   []taxiiOutcomeOut `json:"successes"`
	Failures    []taxiiOutcomeOut `json:"failures"`
	Pendings    []taxiiOutcomeOut `json:"pendings"`
}

type importSummaryOut struct {
	Bundle       string             `json:"bundle"`
	Objects      int                `json:"objects"`
	Incidents    []madeOut          `json:"incidents"`
	Attributions []madeOut          `json:"attributions"`
	Findings     []madeOut          `json:"findings"`
	Failures     []importFailureOut `json:"failures"`
	// Stored is what the State's TAXII collection kept of the bundle;
	// null where the server keeps no collections.
	Stored *taxiiStatusOut `json:"stored"`
}

func madeFrom(m incidentstix.Made) madeOut {
	return madeOut{Object: m.Object, ID: m.ID, Title: m.Title}
}

func outcomeFrom(o taxii.Outcome) taxiiOutcomeOut {
	return taxiiOutcomeOut{ID: o.ID, Version: o.Version, Message: o.Message}
}

func importSummaryFrom(sum incidentstix.Summary) importSummaryOut {
	out := importSummaryOut{Bundle: sum.Bundle, Objects: sum.Objects, Incidents: listOf(sum.Incidents, madeFrom).Items,
		Attributions: listOf(sum.Attributions, madeFrom).Items, Findings: listOf(sum.Findings, madeFrom).Items,
		Failures: listOf(sum.Failures, func(f incidentstix.Failure) importFailureOut {
			return importFailureOut{Object: f.Object, Message: f.Message}
		}).Items}
	if st := sum.Stored; st != nil {
		out.Stored = &taxiiStatusOut{ID: st.ID, Collection: st.Collection, RequestedAt: utc(st.RequestedAt), Total: st.Total,
			Successes: listOf(st.Successes, outcomeFrom).Items, Failures: listOf(st.Failures, outcomeFrom).Items,
			Pendings: listOf(st.Pendings, outcomeFrom).Items}
	}
	return out
}

// importIncidentsSTIX records a STIX 2.1 bundle's incidents for the
// caller's State. The body is the bundle itself, up to the STIX limits
// rather than the API's usual one: a bundle of reports and indicators is
// larger than any form.
func (s *server) importIncidentsSTIX(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/stix+json") ||
		(mt == "application/stix+json" && params["version"] != "" && params["version"] != stix.SpecVersion) {
		return &errs.Error{Code: errs.UnsupportedMedia,
			Message: "send a STIX 2.1 bundle with Content-Type: application/stix+json;version=2.1 or application/json"}
	}
	limit := int64(stix.DefaultLimits().MaxBytes)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the bundle is larger than the limit of %d bytes", limit)}
	}
	if err != nil {
		return &errs.Error{Code: errs.Malformed, Message: "the request body could not be read"}
	}
	// The service decides who may import before it reads the bundle, so
	// a refused caller learns nothing from its body; JSON that does not
	// parse is then a request error, as for every other body.
	sum, err := s.incidentsSTIX().Import(r.Context(), a, body)
	if errs.Is(err, errs.Invalid) {
		if perr := notJSON(body); perr != nil {
			return perr
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, importSummaryFrom(sum))
}

// notJSON says where body fails to be JSON, or nil when it is JSON.
func notJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badJSON("the request body is empty; send a STIX 2.1 bundle", nil)
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return jsonProblem(body, err)
	}
	return nil
}
