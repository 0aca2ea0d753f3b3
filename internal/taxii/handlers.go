package taxii

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/stix"
)

// The TAXII 2.1 resources as JSON: the wire types, kept apart from the
// service's.
type (
	discoveryJSON struct {
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Default     string   `json:"default"`
		APIRoots    []string `json:"api_roots"`
	}
	apiRootJSON struct {
		Title            string   `json:"title"`
		Description      string   `json:"description"`
		Versions         []string `json:"versions"`
		MaxContentLength int      `json:"max_content_length"`
	}
	collectionJSON struct {
		ID          string   `json:"id"`
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		CanRead     bool     `json:"can_read"`
		CanWrite    bool     `json:"can_write"`
		MediaTypes  []string `json:"media_types"`
	}
	envelopeJSON struct { // its objects are written by envelope
		More bool   `json:"more"`
		Next string `json:"next,omitempty"`
	}
	manifestRecordJSON struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	}
	manifestJSON struct {
		More    bool                 `json:"more"`
		Next    string               `json:"next,omitempty"`
		Objects []manifestRecordJSON `json:"objects,omitempty"`
	}
	versionsJSON struct {
		More     bool     `json:"more"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}
	statusDetailJSON struct {
		ID      string `json:"id"`
		Version string `json:"version,omitempty"`
		Message string `json:"message,omitempty"`
	}
	statusJSON struct {
		ID               string             `json:"id"`
		Status           string             `json:"status"`
		RequestTimestamp string             `json:"request_timestamp"`
		TotalCount       int                `json:"total_count"`
		SuccessCount     int                `json:"success_count"`
		Successes        []statusDetailJSON `json:"successes,omitempty"`
		FailureCount     int                `json:"failure_count"`
		Failures         []statusDetailJSON `json:"failures,omitempty"`
		PendingCount     int                `json:"pending_count"`
		Pendings         []statusDetailJSON `json:"pendings,omitempty"`
	}
)

func (s *Server) discovery(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	writeJSON(w, http.StatusOK, discoveryJSON{Title: "detente TAXII 2.1",
		Description: "STIX 2.1 shared among the States of this installation and published by its secretariat.",
		Default:     APIRoot, APIRoots: []string{APIRoot}})
	return nil
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	writeJSON(w, http.StatusOK, apiRootJSON{Title: "detente", Description: "The collections of this installation.",
		Versions: []string{MediaTAXII}, MaxContentLength: s.svc.MaxContentLength()})
	return nil
}

func collectionOut(c Collection) collectionJSON {
	return collectionJSON{ID: c.ID, Title: c.Title, Description: c.Description, CanRead: c.CanRead, CanWrite: c.CanWrite, MediaTypes: []string{MediaSTIX}}
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	cs, err := s.svc.Collections(r.Context(), a)
	if err != nil {
		return err
	}
	out := struct {
		Collections []collectionJSON `json:"collections,omitempty"`
	}{}
	for _, c := range cs {
		out.Collections = append(out.Collections, collectionOut(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	c, err := s.svc.Collection(r.Context(), a, r.PathValue("collection"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, collectionOut(c))
	return nil
}

// formatAdded writes a date_added at the microsecond it is kept to,
// always with six digits, so that the text of two compares as their times.
func formatAdded(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// dateHeaders sets X-TAXII-Date-Added-First and -Last from a page.
func dateHeaders(w http.ResponseWriter, p Page) {
	if len(p.Records) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", formatAdded(p.Records[0].DateAdded))
	w.Header().Set("X-TAXII-Date-Added-Last", formatAdded(p.Records[len(p.Records)-1].DateAdded))
}

// envelope writes the objects of p with their stored bytes as they are:
// encoding/json would compact each one again (and check it, which Add
// did), so the envelope around them is written here.
func envelope(w http.ResponseWriter, p Page) {
	head, _ := json.Marshal(envelopeJSON{More: p.More, Next: p.Next}) // two plain fields always marshal
	size := len(head) + len(`,"objects":[]`)
	for _, rec := range p.Records {
		size += len(rec.Body) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, head[:len(head)-1]...)
	if len(p.Records) > 0 {
		b = append(b, `,"objects":[`...)
		for i, rec := range p.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, rec.Body...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	dateHeaders(w, p)
	w.Header().Set("Content-Type", MediaTAXII)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Server) objects(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Objects(r.Context(), a, r.PathValue("collection"), f)
	if err != nil {
		return err
	}
	envelope(w, p)
	return nil
}

func (s *Server) object(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Object(r.Context(), a, r.PathValue("collection"), r.PathValue("object"), f)
	if err != nil {
		return err
	}
	envelope(w, p)
	return nil
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Manifest(r.Context(), a, r.PathValue("collection"), f)
	if err != nil {
		return err
	}
	out := manifestJSON{More: p.More, Next: p.Next}
	for _, rec := range p.Records {
		out.Objects = append(out.Objects, manifestRecordJSON{ID: rec.ObjectID, DateAdded: formatAdded(rec.DateAdded),
			Version: stix.FormatTime(rec.Version), MediaType: MediaSTIX})
	}
	dateHeaders(w, p)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Versions(r.Context(), a, r.PathValue("collection"), r.PathValue("object"), f)
	if err != nil {
		return err
	}
	out := versionsJSON{More: p.More, Next: p.Next}
	for _, rec := range p.Records {
		out.Versions = append(out.Versions, stix.FormatTime(rec.Version))
	}
	dateHeaders(w, p)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) add(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	// Who may write is checked before the body is read, so that a caller
	// who may not is told so without sending megabytes first.
	collection := r.PathValue("collection")
	if err := s.svc.CanWrite(r.Context(), a, collection); err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	st, err := s.svc.Add(r.Context(), a, collection, body)
	if err != nil {
		return err
	}
	l := s.lang(r)
	l.header(w)
	writeJSON(w, http.StatusAccepted, statusOut(st, l))
	return nil
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	if err := s.svc.Delete(r.Context(), a, r.PathValue("collection"), r.PathValue("object"), f); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	st, err := s.svc.Status(r.Context(), a, r.PathValue("status"))
	if err != nil {
		return err
	}
	l := s.lang(r)
	l.header(w)
	writeJSON(w, http.StatusOK, statusOut(st, l))
	return nil
}

// statusOut is a status as TAXII writes it, its messages in l's language.
func statusOut(st Status, l lang) statusJSON {
	list := func(os []Outcome) []statusDetailJSON {
		var out []statusDetailJSON
		for _, o := range os {
			o.Message = l.known(o.Message)
			out = append(out, statusDetailJSON(o))
		}
		return out
	}
	state := "complete"
	if len(st.Pendings) > 0 {
		state = "pending"
	}
	return statusJSON{ID: st.ID, Status: state, RequestTimestamp: stix.FormatTime(st.RequestedAt), TotalCount: st.Total,
		SuccessCount: len(st.Successes), Successes: list(st.Successes), FailureCount: len(st.Failures), Failures: list(st.Failures),
		PendingCount: len(st.Pendings), Pendings: list(st.Pendings)}
}
