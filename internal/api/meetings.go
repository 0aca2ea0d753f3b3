package api

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/page"
)

// The wire shapes of meetings. The venue and video link are left out,
// not sent empty, for a caller who may not see them; "private" says
// whether they were given.

type agendaItemOut struct {
	Title      string   `json:"title"`
	Notes      string   `json:"notes"`
	Provisions []string `json:"provisions"`
}

type contactOut struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type answerCountsOut struct {
	Invited   int `json:"invited"`
	Accepted  int `json:"accepted"`
	Declined  int `json:"declined"`
	Tentative int `json:"tentative"`
}

type meetingOut struct {
	ID string `json:"id"`
	// OrganiserState is empty when the secretariat convenes the meeting.
	OrganiserState string          `json:"organiser_state"`
	Title          string          `json:"title"`
	Kind           string          `json:"kind"`
	Start          time.Time       `json:"start"`
	End            time.Time       `json:"end"`
	TimeZone       string          `json:"time_zone"`
	Private        bool            `json:"private"`
	Venue          string          `json:"venue,omitempty"`
	VideoURL       string          `json:"video_url,omitempty"`
	Agenda         []agendaItemOut `json:"agenda"`
	States         []string        `json:"states"`
	Groups         []string        `json:"groups"`
	Levels         []string        `json:"levels"`
	Invited        []string        `json:"invited"`
	Contact        contactOut      `json:"contact"`
	Status         string          `json:"status"`
	Sequence       int             `json:"sequence"`
	Version        int             `json:"version"`
	Answers        answerCountsOut `json:"answers"`
	// MyAnswer is the caller's answer when its account answers for an
	// invited point of contact; left out otherwise.
	MyAnswer  string    `json:"my_answer,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

func meetingFrom(m meeting.Meeting) meetingOut {
	out := meetingOut{ID: m.ID, OrganiserState: m.OrganiserState, Title: m.Title, Kind: string(m.Kind), Start: utc(m.Start), End: utc(m.End),
		TimeZone: m.TimeZone, Private: m.Private, Agenda: make([]agendaItemOut, len(m.Agenda)), States: nonNil(m.States),
		Groups: nonNil(m.Groups), Levels: make([]string, len(m.Levels)), Invited: nonNil(m.Invited),
		Contact: contactOut{Name: m.Contact.Name, Email: m.Contact.Email}, Status: string(m.Status), Sequence: m.Sequence, Version: m.Version,
		Answers:  answerCountsOut{Invited: m.Counts.Invited, Accepted: m.Counts.Accepted, Declined: m.Counts.Declined, Tentative: m.Counts.Tentative},
		MyAnswer: string(m.MyAnswer), CreatedAt: utc(m.CreatedAt), UpdatedAt: utc(m.UpdatedAt), UpdatedBy: m.UpdatedBy}
	if m.Private {
		out.Venue, out.VideoURL = m.Venue, m.VideoURL
	}
	for k, it := range m.Agenda {
		out.Agenda[k] = agendaItemOut{Title: it.Title, Notes: it.Notes, Provisions: nonNil(it.Provisions)}
	}
	for k, l := range m.Levels {
		out.Levels[k] = string(l)
	}
	return out
}

type invitationOut struct {
	ID         string     `json:"id"`
	POCID      string     `json:"poc_id"`
	State      string     `json:"state"`
	Level      string     `json:"level"`
	Answer     string     `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
	// SentSequence is the SEQUENCE last mailed; -1 before the first mail.
	SentSequence int `json:"sent_sequence"`
	// Removed: no longer invited, after an edit took its State or level off.
	Removed bool `json:"removed"`
}

func invitationFrom(i meeting.Invitation) invitationOut {
	return invitationOut{ID: i.ID, POCID: i.POCID, State: i.State, Level: string(i.Level), Answer: string(i.Answer),
		AnsweredAt: utcPtr(i.AnsweredAt), SentSequence: i.SentSequence, Removed: i.Removed}
}

type agendaItemIn struct {
	Title      string   `json:"title"`
	Notes      string   `json:"notes"`
	Provisions []string `json:"provisions"`
}

type contactIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// meetingIn is a meeting as an organiser sends it. Start and end are
// strings, read here: a wall time in time_zone ("2026-07-01T10:00") or an
// RFC 3339 time, which is the same instant whatever its offset.
type meetingIn struct {
	Title    string         `json:"title"`
	Kind     string         `json:"kind"`
	Start    string         `json:"start"`
	End      string         `json:"end"`
	TimeZone string         `json:"time_zone"`
	Venue    string         `json:"venue"`
	VideoURL string         `json:"video_url"`
	Agenda   []agendaItemIn `json:"agenda"`
	States   []string       `json:"states"`
	Groups   []string       `json:"groups"`
	Levels   []string       `json:"levels"`
	Contact  contactIn      `json:"contact"`
}

// meetingEditIn replaces every field of a meeting, at the version edited
// (If-Match or version).
type meetingEditIn struct {
	meetingIn
	Version *int `json:"version"`
}

// msgMeetingTime is the catalogue's message for a start or end that
// cannot be read.
const msgMeetingTime = "enter a date and time such as 2026-05-01T14:30"

// meetingTime reads a start or end: an RFC 3339 time is moved into zone
// (when zone is one) so that its wall time there is what the service
// reads; a time without offset is the wall time already.
func meetingTime(s, zone string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
			return t.In(loc), true
		}
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// input converts the body into the service's input. A time that cannot be
// read goes on as the zero time, which the service refuses, so that it
// still names every other field; bad holds the message to give for it.
func (in meetingIn) input() (meeting.Input, errs.Fields) {
	var bad errs.Fields
	out := meeting.Input{Title: in.Title, Kind: meeting.Kind(in.Kind), TimeZone: in.TimeZone, Venue: in.Venue, VideoURL: in.VideoURL,
		States: in.States, Groups: in.Groups, Contact: meeting.Contact{Name: in.Contact.Name, Email: in.Contact.Email}}
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"start", in.Start, &out.Start}, {"end", in.End, &out.End}} {
		if strings.TrimSpace(f.v) == "" {
			continue
		}
		t, ok := meetingTime(f.v, strings.TrimSpace(in.TimeZone))
		if !ok {
			bad.Add(f.name, msgMeetingTime)
		}
		*f.dst = t
	}
	for _, it := range in.Agenda {
		out.Agenda = append(out.Agenda, meeting.AgendaItem{Title: it.Title, Notes: it.Notes, Provisions: it.Provisions})
	}
	for _, l := range in.Levels {
		out.Levels = append(out.Levels, meeting.Level(l))
	}
	return out, bad
}

// agendaField matches the service's "agenda.3.title".
var agendaField = regexp.MustCompile(`^agenda\.(\d+)(\..+)?$`)

// meetingError returns err with the service's field names written as the
// body names them ("agenda[3].title", "contact.email"), and the messages
// found while reading the body in place of the service's.
func meetingError(err error, more errs.Fields) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Invalid || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		switch {
		case k == "contact_name":
			k = "contact.name"
		case k == "contact_email":
			k = "contact.email"
		default:
			if m := agendaField.FindStringSubmatch(k); m != nil {
				k = "agenda[" + m[1] + "]" + m[2]
			}
		}
		fields[k] = v
	}
	for k, v := range more {
		fields[k] = v
	}
	return &errs.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e}
}

func writeMeeting(w http.ResponseWriter, status int, m meeting.Meeting) error {
	w.Header().Set("ETag", etag(m.Version))
	return writeJSON(w, status, meetingFrom(m))
}

// listMeetings lists the meetings the caller may see: those not yet over,
// soonest first, or with when=past those over, latest first.
func (s *server) listMeetings(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var bad errs.Fields
	list := s.app.Meetings.Upcoming
	switch r.URL.Query().Get("when") {
	case "", "upcoming":
	case "past":
		list = s.app.Meetings.Past
	default:
		// Who may list is the service's question: asked first, so that an
		// anonymous caller is told to sign in rather than to fix a filter.
		if _, err := list(r.Context(), a, page.Request{}); err != nil {
			return err
		}
		bad.Add("when", "use upcoming or past")
	}
	req, err := pageRequest(r, bad.Err())
	if err != nil {
		return err
	}
	p, err := list(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, meetingFrom))
}

func (s *server) createMeeting(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in meetingIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	input, bad := in.input()
	m, err := s.app.Meetings.Create(r.Context(), a, input)
	if err != nil {
		return meetingError(err, bad)
	}
	w.Header().Set("Location", prefix+"/meetings/"+m.ID)
	return writeMeeting(w, http.StatusCreated, m)
}

func (s *server) getMeeting(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	m, err := s.app.Meetings.Meeting(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeMeeting(w, http.StatusOK, m)
}

// editMeeting replaces a meeting at the version the caller edited: a
// stale one gets 409, none at all 428.
func (s *server) editMeeting(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in meetingEditIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	input, bad := in.input()
	m, err := s.app.Meetings.Edit(r.Context(), a, r.PathValue("id"), version, input)
	if err != nil {
		return meetingError(err, bad)
	}
	return writeMeeting(w, http.StatusOK, m)
}

type meetingVersionIn struct {
	Version *int `json:"version"`
}

// cancelMeeting cancels a meeting at the version the caller saw; the body
// is optional when If-Match says it.
func (s *server) cancelMeeting(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in meetingVersionIn
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	m, err := s.app.Meetings.Cancel(r.Context(), a, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeMeeting(w, http.StatusOK, m)
}

type meetingAnswerIn struct {
	Answer string `json:"answer"`
}

// answerMeeting records the caller's answer for every invited point of
// contact its account answers for.
func (s *server) answerMeeting(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in meetingAnswerIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.app.Meetings.Respond(r.Context(), a, r.PathValue("id"), meeting.Answer(strings.TrimSpace(in.Answer)))
	if err != nil {
		return err
	}
	return writeMeeting(w, http.StatusOK, m)
}

// meetingInvitations lists every invitation of a meeting and its answer,
// for the organiser's side.
func (s *server) meetingInvitations(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	invs, err := s.app.Meetings.AllInvitations(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(invs, invitationFrom))
}

// meetingCalendar serves one meeting as an iCalendar file, as the caller
// may see it.
func (s *server) meetingCalendar(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	body, err := s.app.Meetings.Calendar(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="meeting.ics"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the client has gone
	return nil
}
