package web

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/meeting"
)

// The page a mailed answer link opens. The token in the address is the
// credential: following the link shows the meeting and changes nothing,
// so that a mail scanner that opens links answers nothing; only the form
// it shows, posted, records the answer and uses the link up.

type meetingAnswerData struct {
	meetingWords
	Meeting    meeting.Meeting
	Invitation meeting.Invitation
	Answers    []meeting.Answer
	Answered   meeting.Answer // after the POST: the answer recorded
	// YourZone is the invitee's time zone when the meeting's times read
	// differently there; empty when they read the same.
	YourZone string
}

// otherWallTime reports whether m's start or end shows another wall time
// in zone than in the meeting's own zone.
func otherWallTime(m meeting.Meeting, zone string) bool {
	theirs, err := time.LoadLocation(zone)
	if zone == "" || err != nil {
		return false
	}
	ours, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		return true
	}
	for _, t := range []time.Time{m.Start, m.End} {
		if t.In(theirs).Format(time.DateTime) != t.In(ours).Format(time.DateTime) {
			return true
		}
	}
	return false
}

func (s *Server) meetingAnswerPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	m, inv, err := s.app.Meetings.Invitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderMeetingAnswer(w, r, http.StatusOK, meetingAnswerData{Meeting: m, Invitation: inv}, nil, "")
}

func (s *Server) meetingAnswer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	ans := meeting.Answer(r.PostForm.Get("answer"))
	m, err := s.app.Meetings.RespondByToken(r.Context(), token, ans, clientAddr(r))
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			// No answer chosen: the same form again, with the link unused.
			if m, inv, perr := s.app.Meetings.Invitation(r.Context(), token); perr == nil {
				s.renderMeetingAnswer(w, r, http.StatusUnprocessableEntity, meetingAnswerData{Meeting: m, Invitation: inv}, nil, s.printer(r).Known(errs.FieldsOf(err)["answer"]))
				return
			}
		}
		s.renderError(w, r, err)
		return
	}
	s.renderMeetingAnswer(w, r, http.StatusOK, meetingAnswerData{Meeting: m, Answered: ans}, i18n.M("Thank you: your answer is recorded."), "")
}

func (s *Server) renderMeetingAnswer(w http.ResponseWriter, r *http.Request, status int, d meetingAnswerData, flash any, problem string) {
	p := s.printer(r)
	d.meetingWords = meetingWords{checkWords{p}}
	d.Answers = meeting.Answers()
	if otherWallTime(d.Meeting, d.Invitation.TimeZone) {
		d.YourZone = d.Invitation.TimeZone
	}
	s.render(w, r, status, "meetinganswer", page{Title: p.T("Your answer to a meeting invitation"), Data: d, Flash: flash, Message: problem})
}
