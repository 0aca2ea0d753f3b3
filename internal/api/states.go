package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
)

func (s *server) listStates(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	view, err := s.app.Directory.View(r.Context(), a)
	if err != nil {
		return err
	}
	key := keptKey("states", view, r)
	if s.sendKept(w, key) {
		return nil
	}
	q := r.URL.Query()
	f := directory.StateFilter{Query: q.Get("q"), Region: q.Get("region")}
	var bad errs.Fields
	if v := q.Get("participating"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad.Add("participating", "use true or false")
		}
		f.Participating = &b
	}
	req, err := pageRequest(r, bad.Err())
	if err != nil {
		return err
	}
	p, err := s.app.Directory.StatePage(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	told := a.Authenticated()
	return s.writeKept(w, key, pageOf(r, p, func(st directory.State) stateOut { return stateFrom(st, told) }))
}

func (s *server) getState(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	st, err := s.app.Directory.State(r.Context(), a, stateCode(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateFrom(st, a.Authenticated()))
}

// stateCode reads {code}; codes are stored upper-case, people type either.
func stateCode(r *http.Request) string { return strings.ToUpper(r.PathValue("code")) }

// optionalDate is a JSON date that tells "null" from "absent", because
// participating_since: null means "left the directory" and must be said
// on purpose.
type optionalDate struct {
	set bool
	raw *string
}

func (d *optionalDate) UnmarshalJSON(b []byte) error {
	d.set = true
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d.raw = &s
	return nil
}

type participationIn struct {
	ParticipatingSince optionalDate `json:"participating_since"`
}

func (s *server) setParticipation(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in participationIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	var since *time.Time
	var f errs.Fields
	switch d := in.ParticipatingSince; {
	case !d.set:
		f.Add("participating_since", `give the date the State joined, like "2025-01-31", or null if it left`)
	case d.raw != nil:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(*d.raw))
		if err != nil {
			f.Add("participating_since", `use a date like "2025-01-31"`)
		}
		since = &t
	}
	if err := f.Err(); err != nil {
		return err
	}
	code := stateCode(r)
	if err := s.app.Directory.SetParticipation(r.Context(), a, code, since); err != nil {
		return renameFields(err, map[string]string{"since": "participating_since"})
	}
	st, err := s.app.Directory.State(r.Context(), a, code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateFrom(st, true))
}
