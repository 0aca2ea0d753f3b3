package web

import (
	"fmt"

	"github.com/detente/detente/internal/meeting"
)

// meetingWords writes a meeting's coded facts in the page's language: its
// kind, an answer, the States, groups and levels it invites. The pages'
// data embed it, as incidentWords does for incidents.
type meetingWords struct{ checkWords }

func (w meetingWords) Kind(code any) string {
	return w.p.TC("meeting kind", meeting.Kind(fmt.Sprint(code)).Label())
}

func (w meetingWords) Answer(code any) string {
	return w.p.TC("meeting answer", meeting.Answer(fmt.Sprint(code)).Label())
}

// Levels names the levels a meeting invites; none chosen is every level.
func (w meetingWords) Levels(v []meeting.Level) string {
	if len(v) == 0 {
		return w.p.T("Every level")
	}
	codes := make([]string, len(v))
	for i, l := range v {
		codes[i] = string(l)
	}
	return w.LevelList(codes)
}

// Organiser names who convenes a meeting.
func (w meetingWords) Organiser(m meeting.Meeting) string {
	if m.OrganiserState == "" {
		return w.p.TC("meeting organiser", "The secretariat")
	}
	return w.State(m.OrganiserState)
}

// AnswerVerb labels the button that gives an answer.
func (w meetingWords) AnswerVerb(code any) string {
	switch meeting.Answer(fmt.Sprint(code)) {
	case meeting.Accepted:
		return w.p.TC("meeting answer button", "Accept")
	case meeting.Tentative:
		return w.p.TC("meeting answer button", "Tentatively accept")
	case meeting.Declined:
		return w.p.TC("meeting answer button", "Decline")
	}
	return fmt.Sprint(code)
}

// OrganiserInSentence names who convenes a meeting inside a sentence.
func (w meetingWords) OrganiserInSentence(m meeting.Meeting) string {
	if m.OrganiserState == "" {
		return w.p.TC("meeting organiser, in a sentence", "the secretariat")
	}
	return w.State(m.OrganiserState)
}
