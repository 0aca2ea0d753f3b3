package api

import (
	"net/http"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/errs"
)

type checkOut struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	ScopeKind          string     `json:"scope_kind"`
	Scope              []string   `json:"scope"`
	Levels             []string   `json:"levels"`
	Status             string     `json:"status"`
	OpensAt            time.Time  `json:"opens_at"`
	ClosesAt           time.Time  `json:"closes_at"`
	ReminderAfterHours int        `json:"reminder_after_hours"`
	RepeatMonths       int        `json:"repeat_months"`
	Published          bool       `json:"published"`
	PreviousID         string     `json:"previous_id,omitempty"`
	OpenedAt           *time.Time `json:"opened_at"`
	ClosedAt           *time.Time `json:"closed_at"`
	CreatedAt          time.Time  `json:"created_at"`
}

func checkFrom(c checks.Check) checkOut {
	out := checkOut{ID: c.ID, Name: c.Name, ScopeKind: c.ScopeKind, Scope: c.Scope, Levels: c.Levels, Status: c.Status,
		OpensAt: utc(c.OpensAt), ClosesAt: utc(c.ClosesAt), ReminderAfterHours: c.ReminderAfter, RepeatMonths: c.RepeatMonths,
		Published: c.Published, PreviousID: c.PreviousID, OpenedAt: utcPtr(c.OpenedAt), ClosedAt: utcPtr(c.ClosedAt), CreatedAt: utc(c.CreatedAt)}
	if out.Scope == nil {
		out.Scope = []string{}
	}
	if out.Levels == nil {
		out.Levels = []string{}
	}
	return out
}

// checkRef is the check a report or view is about. v1 named it
// "campaign"; both keys carry the same object until v2 drops the old one.
type checkRef struct {
	Check    checkOut `json:"check"`
	Campaign checkOut `json:"campaign"` // deprecated: removed in v2
}

func refTo(c checkOut) checkRef { return checkRef{Check: c, Campaign: c} }

type tallyOut struct {
	Key          string  `json:"key"`
	Total        int     `json:"total"`
	Acknowledged int     `json:"acknowledged"`
	Bounced      int     `json:"bounced"`
	Rate         float64 `json:"rate"`
}

func talliesFrom(ts []checks.Tally) []tallyOut {
	out := make([]tallyOut, len(ts))
	for i, t := range ts {
		out[i] = tallyOut(t)
	}
	return out
}

type unreachableOut struct {
	ChallengeID string     `json:"challenge_id"`
	POCID       string     `json:"poc_id"`
	State       string     `json:"state"`
	Level       string     `json:"level"`
	BouncedAt   *time.Time `json:"bounced_at"`
	Bounce      string     `json:"bounce,omitempty"`
}

// followUpOut is a point of contact a check did not reach, with what the
// caller may see of its entry to follow up.
type followUpOut struct {
	unreachableOut
	Reason        string   `json:"reason"`
	FunctionTitle string   `json:"function_title,omitempty"`
	Organisation  string   `json:"organisation,omitempty"`
	Emails        []string `json:"emails"`
	Phones        []string `json:"phones"`
}

// reportOut is a check's results over every State in it: the
// secretariat's view (scope "all") or the published aggregates (scope
// "public", without by_state and unreachable).
type reportOut struct {
	checkRef
	Scope         string           `json:"scope"`
	Overall       tallyOut         `json:"overall"`
	MedianSeconds *float64         `json:"median_seconds"`
	P90Seconds    *float64         `json:"p90_seconds"`
	ByLevel       []tallyOut       `json:"by_level"`
	ByRegion      []tallyOut       `json:"by_region"`
	ByState       []tallyOut       `json:"by_state"`
	Unreachable   []unreachableOut `json:"unreachable"`
}

// seconds is null while nobody has answered, rather than a misleading 0.
func seconds(d time.Duration, answered bool) *float64 {
	if !answered {
		return nil
	}
	s := d.Seconds()
	return &s
}

func unreachableFrom(chs []checks.Challenge) []unreachableOut {
	out := make([]unreachableOut, len(chs))
	for i, u := range chs {
		out[i] = unreachableOut{ChallengeID: u.ID, POCID: u.POCID, State: u.State, Level: u.Level, BouncedAt: utcPtr(u.BouncedAt), Bounce: u.Bounce}
	}
	return out
}

func reportFrom(r checks.Report) reportOut {
	answered := r.Overall.Acknowledged > 0
	return reportOut{checkRef: refTo(checkFrom(r.Check)), Scope: r.Scope, Overall: tallyOut(r.Overall),
		MedianSeconds: seconds(r.Median, answered), P90Seconds: seconds(r.P90, answered),
		ByLevel: talliesFrom(r.ByLevel), ByRegion: talliesFrom(r.ByRegion), ByState: talliesFrom(r.ByState),
		Unreachable: unreachableFrom(r.Unreachable)}
}

// checkViewOut is a check's results as the caller may see them. The
// secretariat gets every State's figures (scope "all", overall); a State
// its own only (scope is its code, own), and the published aggregates once
// the secretariat publishes them, never a figure over all States before.
// The follow-up list, which can be long, is paged at .../follow-up.
type checkViewOut struct {
	checkRef
	Scope         string     `json:"scope"`
	Overall       *tallyOut  `json:"overall,omitempty"`
	Own           *tallyOut  `json:"own,omitempty"`
	MedianSeconds *float64   `json:"median_seconds"`
	P90Seconds    *float64   `json:"p90_seconds"`
	ByLevel       []tallyOut `json:"by_level"`
	ByRegion      []tallyOut `json:"by_region"`
	ByState       []tallyOut `json:"by_state"`
	Published     *reportOut `json:"published,omitempty"`
	InScope       *int       `json:"points_in_scope,omitempty"`
}

func checkViewFrom(v checks.View) checkViewOut {
	switch {
	case v.All != nil:
		r := reportFrom(*v.All)
		out := checkViewOut{checkRef: r.checkRef, Scope: r.Scope, Overall: &r.Overall, MedianSeconds: r.MedianSeconds, P90Seconds: r.P90Seconds,
			ByLevel: r.ByLevel, ByRegion: r.ByRegion, ByState: r.ByState}
		if v.Check.Status == checks.Scheduled {
			n := v.InScope
			out.InScope = &n
		}
		return out
	case v.Own != nil:
		o := v.Own
		own := tallyOut(o.Own)
		answered := o.Own.Acknowledged > 0
		out := checkViewOut{checkRef: refTo(checkFrom(o.Check)), Scope: o.State, Own: &own,
			MedianSeconds: seconds(o.Median, answered), P90Seconds: seconds(o.P90, answered),
			ByLevel: talliesFrom(o.ByLevel), ByRegion: []tallyOut{}, ByState: []tallyOut{own}}
		if o.Published != nil {
			p := reportFrom(*o.Published)
			out.Published = &p
		}
		return out
	}
	return checkViewOut{checkRef: refTo(checkFrom(v.Check))}
}

// pendingOut is a challenge waiting for the caller's answer. "check" is
// the check's name, as v1's "campaign" was; the old keys stay until v2.
type pendingOut struct {
	ChallengeID string    `json:"challenge_id"`
	CheckID     string    `json:"check_id"`
	Check       string    `json:"check"`
	CampaignID  string    `json:"campaign_id"` // deprecated: removed in v2
	Campaign    string    `json:"campaign"`    // deprecated: removed in v2
	POCID       string    `json:"poc_id"`
	Level       string    `json:"level"`
	ClosesAt    time.Time `json:"closes_at"`
}

type checkIn struct {
	Name               string   `json:"name"`
	ScopeKind          string   `json:"scope_kind"`
	Scope              []string `json:"scope"`
	Levels             []string `json:"levels"`
	OpensAt            *string  `json:"opens_at"`
	WindowHours        int      `json:"window_hours"`
	ReminderAfterHours int      `json:"reminder_after_hours"`
	RepeatMonths       int      `json:"repeat_months"`
}

type publishIn struct {
	Published bool `json:"published"`
}

func (s *server) listChecks(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Checks.ChecksPage(r.Context(), a, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, checkFrom))
}

// checkFollowUp is one page of a check's points of contact not reached,
// with the contact details the caller may see of each entry.
func (s *server) checkFollowUp(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	q := r.URL.Query()
	req, err := pageRequest(r, nil)
	if err != nil {
		return err
	}
	p, err := s.app.Checks.FollowUp(r.Context(), a, r.PathValue("id"), checks.FollowUpFilter{State: q.Get("state"), Level: q.Get("level"), Status: q.Get("status")}, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOf(r, p, func(ch checks.Challenge) followUpOut {
		out := followUpOut{unreachableOut: unreachableFrom([]checks.Challenge{ch})[0], Reason: checks.NoAnswer, Emails: []string{}, Phones: []string{}}
		if ch.BouncedAt != nil {
			out.Reason = checks.Bounced
		}
		// A retired entry, or one the caller may not read, is listed
		// without details.
		if poc, err := s.app.Directory.POC(r.Context(), a, ch.POCID); err == nil {
			out.FunctionTitle, out.Organisation, out.Emails, out.Phones = poc.FunctionTitle, poc.Organisation, nonNil(poc.Emails), nonNil(poc.Phones)
		}
		return out
	}))
}

func (s *server) createCheck(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in checkIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	pin := checks.Input{Name: in.Name, ScopeKind: in.ScopeKind, Scope: in.Scope, Levels: in.Levels, WindowHours: in.WindowHours,
		ReminderAfter: in.ReminderAfterHours, RepeatMonths: in.RepeatMonths}
	if in.OpensAt != nil {
		// Parsed here rather than by the decoder, so that a bad time is a
		// field error like any other, not a malformed body.
		t, err := time.Parse(time.RFC3339, *in.OpensAt)
		if err != nil {
			return &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields",
				Fields: map[string]string{"opens_at": "give a date and time in RFC 3339, such as 2027-01-03T09:00:00Z"}}
		}
		pin.OpensAt = t
	}
	c, err := s.app.Checks.Create(r.Context(), a, pin)
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/checks/"+c.ID)
	return writeJSON(w, http.StatusCreated, checkFrom(c))
}

func (s *server) getCheck(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	v, err := s.app.Checks.View(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, checkViewFrom(v))
}

func (s *server) publishCheck(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in publishIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.app.Checks.SetPublished(r.Context(), a, id, in.Published); err != nil {
		return err
	}
	c, err := s.app.Checks.Check(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, checkFrom(c))
}

func (s *server) pendingChecks(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	cs, err := s.app.Checks.Pending(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(cs, func(c checks.Confirmation) pendingOut {
		return pendingOut{ChallengeID: c.Challenge.ID, CheckID: c.Check.ID, Check: c.Check.Name, CampaignID: c.Check.ID, Campaign: c.Check.Name,
			POCID: c.Challenge.POCID, Level: c.Challenge.Level, ClosesAt: utc(c.Check.ClosesAt)}
	}))
}

func (s *server) acknowledgeCheck(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := s.app.Checks.AcknowledgeAsAccount(r.Context(), a, r.PathValue("id"), checks.ViaAPI); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publishedResults is public: the aggregates the secretariat published,
// never broken down by State.
func (s *server) publishedResults(w http.ResponseWriter, r *http.Request, _ actor.Actor) error {
	cs, err := s.app.Checks.Published(r.Context())
	if err != nil {
		return err
	}
	var reps []checks.Report
	for _, c := range cs {
		rep, err := s.app.Checks.PublicResults(r.Context(), c.ID)
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	return writeJSON(w, http.StatusOK, listOf(reps, reportFrom))
}
