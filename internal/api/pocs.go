package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/states"
)

// pocFilter reads the listing filters, refusing values that could only be
// typos: a misspelt level would otherwise silently match nothing.
func pocFilter(r *http.Request) (directory.Filter, error) {
	q := r.URL.Query()
	f := directory.Filter{State: strings.ToUpper(strings.TrimSpace(q.Get("state"))), Region: q.Get("region"), Level: directory.Level(q.Get("level")),
		Query: q.Get("q")}
	var bad errs.Fields
	if f.Region != "" && !slices.Contains(states.Regions(), f.Region) {
		bad.Add("region", "use one of the UN regional groups: "+strings.Join(states.Regions(), ", "))
	}
	if f.Level != "" && !slices.Contains(directory.Levels, f.Level) {
		bad.Add("level", "use diplomatic, policy or technical")
	}
	if v := q.Get("stale"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad.Add("stale", "use true or false")
		}
		f.Stale = &b
	}
	if v := q.Get("retired"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad.Add("retired", "use true or false")
		}
		f.Retired = b
	}
	return f, bad.Err()
}

func (s *server) listPOCs(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	view, err := s.app.Directory.View(r.Context(), a)
	if err != nil {
		return err
	}
	key := keptKey("pocs", view, r)
	if s.sendKept(w, key) {
		return nil
	}
	f, ferr := pocFilter(r)
	req, err := pageRequest(r, ferr)
	if err != nil {
		return err
	}
	p, err := s.app.Directory.POCPage(r.Context(), a, f, req)
	if err != nil {
		return err
	}
	return s.writeKept(w, key, pageOf(r, p, s.pocsFor(a)))
}

// pocsFor renders entries for a: the account link only to the entry's
// State's administrators, who set it.
func (s *server) pocsFor(a actor.Actor) func(directory.POC) pocOut {
	return func(p directory.POC) pocOut {
		return pocFrom(p, s.app.Directory.SeesAccountLink(a, p.State))
	}
}

// etag names a POC version; PUT takes it back in If-Match.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// writePOC sends p, as a may see it, with its version as the entity tag.
func (s *server) writePOC(w http.ResponseWriter, a actor.Actor, status int, p directory.POC) error {
	w.Header().Set("ETag", etag(p.Version))
	return writeJSON(w, status, s.pocsFor(a)(p))
}

func (s *server) getPOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Directory.POC(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writePOC(w, a, http.StatusOK, p)
}

func (s *server) pocHistory(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	vs, err := s.app.Directory.History(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	see := s.app.Directory.SeesAccountLink
	return writeJSON(w, http.StatusOK, listOf(vs, func(v directory.Version) versionOut { return versionFrom(v, see(a, v.Snapshot.State)) }))
}

func (s *server) confirmPOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Directory.Confirm(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writePOC(w, a, http.StatusOK, p)
}

func (s *server) retirePOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Directory.Retire(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writePOC(w, a, http.StatusOK, p)
}

func (s *server) reinstatePOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	p, err := s.app.Directory.Reinstate(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writePOC(w, a, http.StatusOK, p)
}

// pocIn is the body of a nomination, and of an edit, which replaces every
// field.
type pocIn struct {
	Level         string   `json:"level"`
	FunctionTitle string   `json:"function_title"`
	Organisation  string   `json:"organisation"`
	PersonName    string   `json:"person_name"`
	Emails        []string `json:"emails"`
	Phones        []string `json:"phones"`
	Languages     []string `json:"languages"`
	TimeZone      string   `json:"time_zone"`
	Availability  string   `json:"availability"`
	Hours         string   `json:"hours"`
	PGPKey        string   `json:"pgp_key"`
	// AccountID links the entry to the account that answers for it. An
	// edit that leaves it out keeps the link; null or "" removes it.
	AccountID optionalString `json:"account_id"`
}

func (in pocIn) input() directory.POCInput {
	return directory.POCInput{
		Level: directory.Level(in.Level), FunctionTitle: in.FunctionTitle, Organisation: in.Organisation, PersonName: in.PersonName,
		Emails: in.Emails, Phones: in.Phones, Languages: in.Languages, TimeZone: in.TimeZone,
		Availability: in.Availability, Hours: in.Hours, PGPKey: in.PGPKey,
		AccountID: in.AccountID.value, KeepAccount: !in.AccountID.set,
	}
}

// optionalString is a string field that tells "absent" from null or a
// value: replacing a whole entry must not undo what the client never saw.
type optionalString struct {
	set   bool
	value string
}

func (o *optionalString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.value = ""
		return nil
	}
	return json.Unmarshal(b, &o.value)
}

func (s *server) nominatePOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in pocIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.app.Directory.Nominate(r.Context(), a, stateCode(r), in.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/pocs/"+p.ID)
	return s.writePOC(w, a, http.StatusCreated, p)
}
