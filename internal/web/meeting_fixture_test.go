package web_test

import (
	"context"
	"regexp"
	"time"

	"github.com/detente/detente/internal/meeting"
)

// What the meeting pages must show only to those who may see it.
const (
	secMeetingTitle = "Regular meeting of POCs 8d2e"
	frMeetingTitle  = "FR–KE bilateral consultation 3a9f"
	secVenue        = "Palais des Nations, Room XVII"
	secVideo        = "https://video.un.test.invalid/poc-8d2e"
	frVideo         = "https://video.fr.test.invalid/bilateral-3a9f"
)

// meetings are the fixture's meetings: the secretariat's, inviting the
// technical POCs of FR and KE (KE's answered for by KE's POC account), in
// Geneva and by video; and FR's virtual one with KE.
type meetings struct {
	sec, fr meeting.Meeting
}

var answerLink = regexp.MustCompile(`/meetings/answer/([A-Za-z0-9_-]{20,})`)

func (f *fixture) meetings() meetings {
	f.t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC) // a wall time, read in the zone
	var ms meetings
	var err error
	ms.sec, err = f.app.Meetings.Create(ctx, f.acc["sec"].Actor(), meeting.Input{Title: secMeetingTitle, Kind: meeting.Hybrid,
		Start: start, End: start.Add(3 * time.Hour), TimeZone: "Europe/Zurich", Venue: secVenue, VideoURL: secVideo,
		Agenda: []meeting.AgendaItem{{Title: "Requests for assistance", Notes: "How quickly were they answered?", Provisions: []string{"norm-h"}},
			{Title: "Next communication check"}},
		States: []string{"FR", "KE"}, Levels: []meeting.Level{meeting.Technical},
		Contact: meeting.Contact{Name: "POC meetings desk", Email: "meetings@un.test.invalid"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.drain() // first, so that the newest mail to KE is FR's invitation
	ms.fr, err = f.app.Meetings.Create(ctx, f.acc["fradmin"].Actor(), meeting.Input{Title: frMeetingTitle, Kind: meeting.Virtual,
		Start: start.AddDate(0, 0, 7), End: start.AddDate(0, 0, 7).Add(time.Hour), TimeZone: "Africa/Nairobi", VideoURL: frVideo,
		States: []string{"KE"}, Contact: meeting.Contact{Name: "FR MFA", Email: "cyber@fr-mfa.test.invalid"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.drain()
	return ms
}

// answerToken returns the answer link's secret last mailed to address.
func (f *fixture) answerToken(address string) string {
	f.t.Helper()
	found := f.mail.Newest(address, answerLink)
	if found == nil {
		f.t.Fatalf("no meeting invitation to %s", address)
	}
	return found[1]
}
