package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/messaging"
	paging "github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/tlp"
)

// The pages after a meeting: who attended, its minutes and documents,
// what its organiser publishes, and the public list of published past
// meetings. The meeting service decides who reads and who keeps each;
// the pages ask it (CanKeepRecords, CanRecordAttendance, CanPublish)
// which forms to show.

var recordFlashes = map[string]i18n.Message{
	"attendance":  i18n.M("The attendance is recorded."),
	"minutes":     i18n.M("The minutes are added. The invited States can read them."),
	"file":        i18n.M("The document is added. The invited States can read it."),
	"edited":      i18n.M("The record is changed. Its earlier version is kept."),
	"withdrawn":   i18n.M("The record is withdrawn."),
	"published":   i18n.M("The meeting is on the public list of past meetings."),
	"unpublished": i18n.M("The meeting is no longer on the public list."),
}

func recordFlash(r *http.Request) any {
	if m, ok := recordFlashes[r.URL.Query().Get("done")]; ok {
		return m
	}
	return nil
}

// recordWords writes the coded facts of a meeting's records in the
// page's language.
type recordWords struct{ meetingWords }

func newRecordWords(p *i18n.Printer) recordWords {
	return recordWords{meetingWords{checkWords{p}}}
}

func (w recordWords) Presence(code any) string {
	return w.p.TC("attendance", meeting.Presence(fmt.Sprint(code)).Label())
}

// Convener names who convened a published meeting.
func (w recordWords) Convener(state string) string {
	return w.Organiser(meeting.Meeting{OrganiserState: state})
}

// Excerpt is the start of a published summary, for the public list.
func (w recordWords) Excerpt(s string) string { return meeting.Excerpt(s, 240) }

// Publishable reports whether a label may go on the public page.
func (w recordWords) Publishable(l tlp.Label) bool { return meeting.Publishable(l) }

// --- Attendance ---

type attendanceData struct {
	recordWords
	Attendance meeting.Attendance
	POCs       map[string]directory.POC // the invited entries the reader may see in the directory
	Presences  []meeting.Presence
	CanRecord  bool
	// Why is why the organiser's side cannot record yet (the meeting
	// has not begun), shown instead of the form.
	Why string
}

func (s *Server) attendanceData(r *http.Request, id string) (attendanceData, error) {
	a := who(r)
	ctx := r.Context()
	d := attendanceData{recordWords: newRecordWords(s.printer(r)), Presences: meeting.Presences()}
	at, err := s.app.Meetings.Attendance(ctx, a, id)
	if err != nil {
		return d, err
	}
	d.Attendance = at
	ids := make([]string, len(at.POCs))
	for i, p := range at.POCs {
		ids[i] = p.Invitation.POCID
	}
	if d.POCs, err = s.app.Directory.POCsByID(ctx, a, ids); err != nil {
		return d, err
	}
	switch why := s.app.Meetings.CanRecordAttendance(ctx, a, at.Meeting); {
	case why == nil:
		d.CanRecord = !a.ReadOnly
	case errs.Is(why, errs.Conflict) && s.app.Meetings.CanKeepRecords(ctx, a, at.Meeting) == nil:
		d.Why = s.errorText(r, why)
	}
	return d, nil
}

// attendanceValues writes the recorded marks as the form holds them.
func attendanceValues(at meeting.Attendance) url.Values {
	v := url.Values{}
	for _, p := range at.POCs {
		v["p_"+p.Invitation.ID] = []string{string(p.Presence)}
	}
	return v
}

func (s *Server) attendancePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.attendanceData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingattendance", page{Title: s.printer(r).T("Attendance: {title}", "title", d.Attendance.Meeting.Title),
		Nav: "meetings", Data: d, Form: attendanceValues(d.Attendance), Flash: recordFlash(r)})
}

// attendanceSave records the marks of the form's radio groups, one per
// invited POC, named p_<invitation>.
func (s *Server) attendanceSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	marks := map[string]meeting.Presence{}
	for k, v := range r.PostForm {
		if inv, ok := strings.CutPrefix(k, "p_"); ok && len(v) > 0 {
			marks[inv] = meeting.Presence(v[0])
		}
	}
	_, err := s.app.Meetings.RecordAttendance(r.Context(), who(r), id, marks)
	if err == nil {
		redirect(w, r, "/meetings/"+id+"/records/attendance?done=attendance")
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.attendanceData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "meetingattendance", page{Title: s.printer(r).T("Attendance: {title}", "title", d.Attendance.Meeting.Title),
		Nav: "meetings", Data: d}, err)
}

// --- Minutes and documents ---

type recordsData struct {
	recordWords
	Meeting    meeting.Meeting
	Records    []meeting.Record
	Labels     []tlp.Label
	Limits     messaging.AttachmentLimits
	CanKeep    bool
	CanPublish bool
}

func (s *Server) recordsData(r *http.Request, id string) (recordsData, error) {
	a := who(r)
	ctx := r.Context()
	d := recordsData{recordWords: newRecordWords(s.printer(r)), Labels: meeting.RecordLabels(), Limits: s.app.Messaging.AttachmentLimits()}
	m, recs, err := s.app.Meetings.Records(ctx, a, id)
	if err != nil {
		return d, err
	}
	d.Meeting, d.Records = m, recs
	d.CanKeep = s.app.Meetings.CanKeepRecords(ctx, a, m) == nil
	d.CanPublish = s.app.Meetings.CanPublish(ctx, a, m) == nil
	return d, nil
}

func (s *Server) recordsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.recordsData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingrecords", page{Title: s.printer(r).T("Minutes and documents: {title}", "title", d.Meeting.Title),
		Nav: "meetings", Data: d, Flash: recordFlash(r)})
}

// minutesAdd and fileAdd are the two forms of the records page. Their
// fields are named apart (m_title, f_title…) so that the errors of one
// show beside its own fields.
func (s *Server) minutesAdd(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s.recordAdd(w, r, meeting.Minutes, "m_", meeting.RecordInput{Title: f.Get("m_title"), TLP: tlp.Label(f.Get("m_tlp")), Body: f.Get("body")})
}

func (s *Server) fileAdd(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	ups, done, err := uploads(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	defer done()
	s.recordAdd(w, r, meeting.Document, "f_", meeting.RecordInput{Title: f.Get("f_title"), TLP: tlp.Label(f.Get("f_tlp")), Files: ups})
}

func (s *Server) recordAdd(w http.ResponseWriter, r *http.Request, kind meeting.RecordKind, prefix string, in meeting.RecordInput) {
	id := r.PathValue("id")
	_, err := s.app.Meetings.AddRecord(r.Context(), who(r), id, kind, in)
	if err == nil {
		done := "minutes"
		if kind == meeting.Document {
			done = "file"
		}
		redirect(w, r, "/meetings/"+id+"/records/documents?done="+done)
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.recordsData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "meetingrecords", page{Title: s.printer(r).T("Minutes and documents: {title}", "title", d.Meeting.Title),
		Nav: "meetings", Data: d}, prefixed(err, prefix, "title", "tlp"))
}

// prefixed names the fields of err that two forms share after the form
// that sent them.
func prefixed(err error, prefix string, shared ...string) error {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	var out errs.Fields
	for k, v := range fields {
		for _, s := range shared {
			if k == s {
				k = prefix + k
			}
		}
		out.Add(k, v)
	}
	return out.Err()
}

type recordData struct {
	recordWords
	Meeting  meeting.Meeting
	Record   meeting.Record
	Versions []meeting.RecordVersion
	Labels   []tlp.Label
	CanKeep  bool
}

func (s *Server) recordData(r *http.Request, id string) (recordData, error) {
	a := who(r)
	ctx := r.Context()
	d := recordData{recordWords: newRecordWords(s.printer(r)), Labels: meeting.RecordLabels()}
	m, rec, vs, err := s.app.Meetings.Record(ctx, a, id)
	if err != nil {
		return d, err
	}
	d.Meeting, d.Record, d.Versions = m, rec, vs
	d.CanKeep = s.app.Meetings.CanKeepRecords(ctx, a, m) == nil && !a.ReadOnly
	return d, nil
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.recordData(r, r.PathValue("rec"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingrecord", page{Title: d.Record.Title, Nav: "meetings", Data: d, Flash: recordFlash(r)})
}

func recordValues(rec meeting.Record) url.Values {
	return url.Values{"title": {rec.Title}, "tlp": {rec.TLP.String()}, "body": {rec.Body}, "version": {strconv.Itoa(rec.Version)}}
}

func (s *Server) recordEditForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.recordData(r, r.PathValue("rec"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.app.Meetings.CanKeepRecords(r.Context(), who(r), d.Meeting); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingrecordform", page{Title: s.printer(r).T("Change “{title}”", "title", d.Record.Title),
		Nav: "meetings", Data: d, Form: recordValues(d.Record)})
}

func (s *Server) recordEdit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("rec")
	f := r.PostForm
	version, _ := formVersion(f)
	rec, err := s.app.Meetings.EditRecord(r.Context(), who(r), id, version, meeting.RecordInput{Title: f.Get("title"), TLP: tlp.Label(f.Get("tlp")), Body: f.Get("body")})
	if err == nil {
		redirect(w, r, "/meetings/records/"+rec.ID+"?done=edited")
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, derr := s.recordData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "meetingrecordform", page{Title: s.printer(r).T("Change “{title}”", "title", d.Record.Title), Nav: "meetings", Data: d}, err)
}

func (s *Server) recordWithdraw(w http.ResponseWriter, r *http.Request) {
	version, _ := formVersion(r.PostForm)
	m, err := s.app.Meetings.WithdrawRecord(r.Context(), who(r), r.PathValue("rec"), version)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/meetings/"+m.ID+"/records/documents?done=withdrawn")
}

func (s *Server) recordDownload(w http.ResponseWriter, r *http.Request) {
	rec, content, err := s.app.Meetings.RecordFile(r.Context(), who(r), r.PathValue("rec"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	serveRecordFile(w, r, rec, content, "private, no-store")
}

// serveRecordFile sends a document as a communication's attachment is
// sent: always a download, sandboxed, never sniffed, typed only as what
// browsers do not run.
func serveRecordFile(w http.ResponseWriter, r *http.Request, rec meeting.Record, content []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", rec.File.ServedType())
	h.Set("Content-Disposition", rec.File.Disposition())
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cache)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if sum, err := hex.DecodeString(rec.File.SHA256); err == nil && len(sum) == sha256.Size {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(content)
	}
}

// --- Publication ---

type publishData struct {
	recordWords
	Meeting   meeting.Meeting
	Records   []meeting.Record
	Published bool
}

func (s *Server) publishData(r *http.Request, id string) (publishData, url.Values, error) {
	a := who(r)
	ctx := r.Context()
	d := publishData{recordWords: newRecordWords(s.printer(r))}
	m, recs, err := s.app.Meetings.Records(ctx, a, id)
	if err != nil {
		return d, nil, err
	}
	if err := s.app.Meetings.CanPublish(ctx, a, m); err != nil {
		return d, nil, err
	}
	pub, found, err := s.app.Meetings.Publication(ctx, a, id)
	if err != nil {
		return d, nil, err
	}
	d.Meeting, d.Records, d.Published = m, recs, found
	form := url.Values{"summary": {pub.Summary}}
	for _, rec := range recs {
		if rec.Published {
			form["records"] = append(form["records"], rec.ID)
		}
	}
	return d, form, nil
}

func (s *Server) publishForm(w http.ResponseWriter, r *http.Request) {
	d, form, err := s.publishData(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "meetingpublish", page{Title: s.printer(r).T("Publish: {title}", "title", d.Meeting.Title),
		Nav: "meetings", Data: d, Form: form})
}

func (s *Server) publishSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f := r.PostForm
	var err error
	done := "published"
	if f.Get("unpublish") != "" {
		err, done = s.app.Meetings.Unpublish(r.Context(), who(r), id), "unpublished"
	} else {
		err = s.app.Meetings.Publish(r.Context(), who(r), id, meeting.PublishInput{Summary: f.Get("summary"), Records: f["records"]})
	}
	if err == nil {
		redirect(w, r, "/meetings/"+id+"/records/documents?done="+done)
		return
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		s.renderError(w, r, err)
		return
	}
	d, _, derr := s.publishData(r, id)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	s.renderForm(w, r, "meetingpublish", page{Title: s.printer(r).T("Publish: {title}", "title", d.Meeting.Title), Nav: "meetings", Data: d}, err)
}

// --- The public pages ---

type publicMeetingsData struct {
	recordWords
	Meetings []meeting.Publication
	Pager    pager
}

func (s *Server) publicMeetings(w http.ResponseWriter, r *http.Request) {
	p := s.printer(r)
	d := publicMeetingsData{recordWords: newRecordWords(p)}
	pg := page{Title: p.T("Past meetings of points of contact"), Nav: "meetings", Data: d}
	req, err := paging.Parse(r.URL.Query())
	if err != nil {
		s.listProblem(w, r, "meetingspublic", pg, err)
		return
	}
	res, err := s.app.Meetings.Published(r.Context(), who(r), req)
	if err != nil {
		s.listProblem(w, r, "meetingspublic", pg, err)
		return
	}
	d.Meetings, d.Pager = res.Items, pagerFor(r, res.Next)
	pg.Data = d
	s.render(w, r, http.StatusOK, "meetingspublic", pg)
}

type publicMeetingData struct {
	recordWords
	Meeting meeting.Publication
}

func (s *Server) publicMeeting(w http.ResponseWriter, r *http.Request) {
	pub, err := s.app.Meetings.PublishedMeeting(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := publicMeetingData{recordWords: newRecordWords(s.printer(r)), Meeting: pub}
	s.render(w, r, http.StatusOK, "meetingpublic", page{Title: pub.Title, Nav: "meetings", Data: d})
}

func (s *Server) publicFile(w http.ResponseWriter, r *http.Request) {
	rec, content, err := s.app.Meetings.PublishedFile(r.Context(), who(r), r.PathValue("rec"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	serveRecordFile(w, r, rec, content, "no-store")
}
