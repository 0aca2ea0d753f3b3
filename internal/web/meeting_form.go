package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/states"
)

// The organiser's form: new and edit. The agenda is a fixed number of
// rows, the items recorded and a few empty ones, so that no script is
// needed to add one; an empty row is no item. Times are typed as the wall
// clock of the time zone chosen beside them.

const (
	agendaSpareRows = 2
	agendaMaxRows   = 60 // rows a form may send; the service counts the items
	badMeetingWhen  = "enter a date and time such as 2026-05-01T14:30"
)

// formZones are the time zones the meeting and exercise forms offer: the
// seats of the United Nations and of regional organisations, and a spread
// of capitals around the world. One a meeting or run already has stays
// offered.
var formZones = []string{"UTC",
	"America/New_York", "Europe/Zurich", "Europe/Vienna", "Africa/Nairobi", "Asia/Bangkok", "America/Santiago",
	"Africa/Abidjan", "Africa/Addis_Ababa", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos",
	"America/Bogota", "America/Mexico_City", "America/Sao_Paulo", "America/Toronto", "America/Los_Angeles",
	"Asia/Dubai", "Asia/Jakarta", "Asia/Kolkata", "Asia/Riyadh", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
	"Australia/Sydney", "Europe/Brussels", "Europe/London", "Europe/Moscow", "Europe/Paris", "Pacific/Auckland", "Pacific/Fiji"}

type meetingFormData struct {
	meetingWords
	New     bool
	ID      string
	Rows    []int // the agenda rows' numbers
	Kinds   []meeting.Kind
	Levels  []meeting.Level
	Regions []string
	States  []directory.State // the participating States
	Zones   []string
	Groups  []provisionGroup
}

func (s *Server) meetingFormData(r *http.Request, id string, form url.Values) (meetingFormData, error) {
	p := s.printer(r)
	d := meetingFormData{meetingWords: meetingWords{checkWords{p}}, New: id == "", ID: id, Kinds: meeting.Kinds(),
		Levels: meeting.Levels(), Regions: states.Regions(), Zones: formZones, Groups: findingGroups(p, s.app.Catalog)}
	if z := form.Get("time_zone"); z != "" && !slices.Contains(d.Zones, z) {
		d.Zones = append([]string{z}, d.Zones...)
	}
	rows, _ := strconv.Atoi(form.Get("rows"))
	for i := range min(max(rows, agendaSpareRows), agendaMaxRows) {
		d.Rows = append(d.Rows, i)
	}
	sts, err := s.app.Directory.States(r.Context(), who(r))
	if err != nil {
		return d, err
	}
	for _, st := range sts {
		if st.Participating() {
			d.States = append(d.States, st)
		}
	}
	return d, nil
}

// meetingValues writes a meeting as the form holds it, its times in its
// own zone.
func meetingValues(m meeting.Meeting) url.Values {
	v := url.Values{"title": {m.Title}, "kind": {string(m.Kind)}, "time_zone": {m.TimeZone},
		"start": {inZone(m.Start, m.TimeZone).Format(whenForm)}, "end": {inZone(m.End, m.TimeZone).Format(whenForm)},
		"venue": {m.Venue}, "video_url": {m.VideoURL}, "states": m.States, "groups": m.Groups,
		"contact_name": {m.Contact.Name}, "contact_email": {m.Contact.Email}, "version": {strconv.Itoa(m.Version)}}
	for _, l := range m.Levels {
		v.Add("levels", string(l))
	}
	for i, it := range m.Agenda {
		k := strconv.Itoa(i)
		v.Set("ag_title_"+k, it.Title)
		v.Set("ag_notes_"+k, it.Notes)
		v["ag_prov_"+k] = it.Provisions
	}
	v.Set("rows", strconv.Itoa(len(m.Agenda)+agendaSpareRows))
	return v
}

// meetingInput reads the form. A date that is no date is reported in bad,
// and the form goes back without asking the service. rowOf maps each
// agenda item back to its row.
func meetingInput(f url.Values) (in meeting.Input, rowOf []int, bad errs.Fields) {
	in = meeting.Input{Title: f.Get("title"), Kind: meeting.Kind(f.Get("kind")), TimeZone: f.Get("time_zone"),
		Venue: f.Get("venue"), VideoURL: f.Get("video_url"), States: f["states"], Groups: f["groups"],
		Contact: meeting.Contact{Name: f.Get("contact_name"), Email: f.Get("contact_email")}}
	for _, field := range []string{"start", "end"} {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			continue
		}
		t, ok := parseWhen(v)
		if !ok {
			bad.Add(field, badMeetingWhen)
		}
		if field == "start" {
			in.Start = t
		} else {
			in.End = t
		}
	}
	for _, l := range f["levels"] {
		in.Levels = append(in.Levels, meeting.Level(l))
	}
	rows, _ := strconv.Atoi(f.Get("rows"))
	for i := range min(max(rows, 0), agendaMaxRows) {
		k := strconv.Itoa(i)
		title, notes, provs := f.Get("ag_title_"+k), f.Get("ag_notes_"+k), f["ag_prov_"+k]
		if strings.TrimSpace(title+notes) == "" && len(provs) == 0 {
			continue
		}
		in.Agenda = append(in.Agenda, meeting.AgendaItem{Title: title, Notes: notes, Provisions: provs})
		rowOf = append(rowOf, i)
	}
	return in, rowOf, bad
}

func (s *Server) meetingNewForm(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Meetings.CanOrganise(r.Context(), who(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := url.Values{"kind": {string(meeting.InPerson)}, "time_zone": {"UTC"}, "rows": {strconv.Itoa(agendaSpareRows + 1)}}
	d, err := s.meetingFormData(r, "", form)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingform", page{Title: s.printer(r).T("Schedule a meeting"), Nav: "meetings", Form: form, Data: d})
}

func (s *Server) meetingEditForm(w http.ResponseWriter, r *http.Request) {
	a := who(r)
	m, err := s.app.Meetings.Meeting(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Meetings.CanEdit(r.Context(), a, m); err != nil {
		s.renderError(w, r, err)
		return
	}
	if m.Status == meeting.Cancelled {
		s.renderError(w, r, errs.E(errs.Conflict, "this meeting is cancelled"))
		return
	}
	form := meetingValues(m)
	d, err := s.meetingFormData(r, m.ID, form)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingform", page{Title: s.printer(r).T("Change the meeting"), Nav: "meetings", Form: form, Data: d})
}

// meetingSave schedules a new meeting (id "") or changes one.
func (s *Server) meetingSave(w http.ResponseWriter, r *http.Request, id string) {
	a := who(r)
	in, rowOf, bad := meetingInput(r.PostForm)
	// The service is asked even when a date could not be read: it decides
	// who may send this form, and finds the other fields' problems. A
	// date it did not get reads as missing there, so it cannot succeed.
	var m meeting.Meeting
	var err error
	done := "scheduled"
	if id == "" {
		m, err = s.app.Meetings.Create(r.Context(), a, in)
	} else {
		version, _ := formVersion(r.PostForm)
		m, err = s.app.Meetings.Edit(r.Context(), a, id, version, in)
		done = "changed"
	}
	if err == nil {
		redirect(w, r, "/meetings/"+m.ID+"?done="+done)
		return
	}
	err = withFieldErrors(onRows(err, "agenda", rowOf), bad)
	d, derr := s.meetingFormData(r, id, r.PostForm)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	title := s.printer(r).T("Schedule a meeting")
	if id != "" {
		title = s.printer(r).T("Change the meeting")
	}
	s.renderForm(w, r, "meetingform", page{Title: title, Nav: "meetings", Data: d}, err)
}

func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) { s.meetingSave(w, r, "") }

// withFieldErrors puts the problems the page found itself (a date that is
// no date) in place of the service's for the same fields.
func withFieldErrors(err error, bad errs.Fields) error {
	own := errs.FieldsOf(bad.Err())
	var e *errs.Error
	if len(own) == 0 || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	cp := *e
	cp.Fields = maps.Clone(e.Fields)
	maps.Copy(cp.Fields, own)
	return &cp
}
