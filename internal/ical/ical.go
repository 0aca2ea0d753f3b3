// Package ical writes iCalendar (RFC 5545) objects for meeting invitations,
// their updates and cancellations (iTIP methods REQUEST and CANCEL, RFC
// 5546) and calendar feeds (PUBLISH).
//
// It writes only what detente sends: one or more VEVENTs with their
// organiser and attendees, and a VTIMEZONE for each zone an event names,
// built from the Go time zone database for the years around the events, so
// a calendar without that zone still places them right. Lines end in CRLF
// and are folded at 75 octets, never inside a UTF-8 sequence.
package ical

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Method is the iTIP method of a calendar object.
type Method string

const (
	Request Method = "REQUEST" // an invitation or its update
	Cancel  Method = "CANCEL"  // the event no longer takes place for the attendee
	Publish Method = "PUBLISH" // a feed: no reply expected
)

// Status is an event's status.
type Status string

const (
	Confirmed Status = "CONFIRMED"
	Cancelled Status = "CANCELLED"
)

// PartStat is an attendee's participation status.
type PartStat string

const (
	NeedsAction PartStat = "NEEDS-ACTION"
	Accepted    PartStat = "ACCEPTED"
	Declined    PartStat = "DECLINED"
	Tentative   PartStat = "TENTATIVE"
)

// Person is an organiser or attendee: a name and a mail address.
type Person struct {
	Name  string
	Email string
}

// Attendee is an invited person and where their answer stands.
type Attendee struct {
	Person
	PartStat PartStat // empty: NEEDS-ACTION
	RSVP     bool     // a reply is expected
}

// Event is one VEVENT.
type Event struct {
	UID      string // stable for the meeting across updates and cancellation
	Sequence int    // increases with every change attendees must see
	Stamp    time.Time
	Start    time.Time
	End      time.Time
	// Zone is the IANA name the times are shown in; "" or "UTC" writes
	// them in UTC.
	Zone        string
	Summary     string
	Description string
	Location    string // empty: not written
	URL         string
	Organizer   Person
	Attendees   []Attendee
	Status      Status
}

// Calendar is one VCALENDAR object.
type Calendar struct {
	ProdID string // e.g. "-//detente//meetings//EN"
	Method Method // empty: no METHOD property
	Name   string // X-WR-CALNAME for feeds; empty: not written
	Events []Event
}

// Bytes writes c as an iCalendar stream. It fails for an event without a
// UID, with an end before its start, or with a zone Go cannot load.
func (c Calendar) Bytes() ([]byte, error) {
	w := &writer{}
	w.prop("BEGIN", "VCALENDAR")
	w.prop("PRODID", paramSafe(c.ProdID))
	w.prop("VERSION", "2.0")
	w.prop("CALSCALE", "GREGORIAN")
	if c.Method != "" {
		w.prop("METHOD", string(c.Method))
	}
	if c.Name != "" {
		w.prop("X-WR-CALNAME", Escape(c.Name))
	}
	zones, err := c.zones()
	if err != nil {
		return nil, err
	}
	for _, z := range zones {
		w.timezone(z)
	}
	for _, e := range c.Events {
		if err := w.event(e); err != nil {
			return nil, err
		}
	}
	w.prop("END", "VCALENDAR")
	return w.buf.Bytes(), nil
}

// zoneSpan is a zone and the span its VTIMEZONE must cover.
type zoneSpan struct {
	loc      *time.Location
	from, to time.Time
}

// zones collects the zones the events name, each covering its events.
func (c Calendar) zones() ([]zoneSpan, error) {
	byName := map[string]*zoneSpan{}
	var names []string
	for _, e := range c.Events {
		if utc(e.Zone) {
			continue
		}
		z, ok := byName[e.Zone]
		if !ok {
			loc, err := time.LoadLocation(e.Zone)
			if err != nil {
				return nil, fmt.Errorf("ical: zone %q: %w", e.Zone, err)
			}
			z = &zoneSpan{loc: loc, from: e.Start, to: e.End}
			byName[e.Zone] = z
			names = append(names, e.Zone)
		}
		if e.Start.Before(z.from) {
			z.from = e.Start
		}
		if e.End.After(z.to) {
			z.to = e.End
		}
	}
	slices.Sort(names)
	out := make([]zoneSpan, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out, nil
}

func utc(zone string) bool { return zone == "" || zone == "UTC" || zone == "Etc/UTC" }

type writer struct{ buf bytes.Buffer }

// prop writes one content line, name and value already encoded.
func (w *writer) prop(name, value string) { w.line(name + ":" + value) }

// line writes l folded: at most 75 octets a line, a continuation line
// starting with a space, never splitting a UTF-8 sequence.
func (w *writer) line(l string) {
	const max = 75
	room := max
	for len(l) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		w.buf.WriteString(l[:cut])
		w.buf.WriteString("\r\n ")
		l = l[cut:]
		room = max - 1
	}
	w.buf.WriteString(l)
	w.buf.WriteString("\r\n")
}

const (
	localForm = "20060102T150405"
	utcForm   = "20060102T150405Z"
)

func (w *writer) event(e Event) error {
	switch {
	case e.UID == "":
		return fmt.Errorf("ical: an event needs a UID")
	case e.End.Before(e.Start):
		return fmt.Errorf("ical: event %s ends before it starts", e.UID)
	}
	w.prop("BEGIN", "VEVENT")
	w.prop("UID", Escape(e.UID))
	w.prop("SEQUENCE", fmt.Sprint(max(e.Sequence, 0)))
	w.prop("DTSTAMP", e.Stamp.UTC().Format(utcForm))
	if utc(e.Zone) {
		w.prop("DTSTART", e.Start.UTC().Format(utcForm))
		w.prop("DTEND", e.End.UTC().Format(utcForm))
	} else {
		loc, err := time.LoadLocation(e.Zone)
		if err != nil {
			return fmt.Errorf("ical: zone %q: %w", e.Zone, err)
		}
		tz := ";TZID=" + paramValue(e.Zone)
		for _, p := range []struct {
			name string
			at   time.Time
		}{{"DTSTART", e.Start}, {"DTEND", e.End}} {
			if ambiguous(p.at, loc) {
				// RFC 5545 3.3.5 means the first of the two, but readers
				// differ (ical.js takes the second): UTC is read alike.
				w.prop(p.name, p.at.UTC().Format(utcForm))
				continue
			}
			w.line(p.name + tz + ":" + p.at.In(loc).Format(localForm))
		}
	}
	w.prop("SUMMARY", Escape(e.Summary))
	if e.Description != "" {
		w.prop("DESCRIPTION", Escape(e.Description))
	}
	if e.Location != "" {
		w.prop("LOCATION", Escape(e.Location))
	}
	if e.URL != "" {
		w.prop("URL", uriSafe(e.URL))
	}
	if e.Organizer.Email != "" {
		w.line("ORGANIZER" + cn(e.Organizer.Name) + ":" + mailto(e.Organizer.Email))
	}
	for _, a := range e.Attendees {
		ps := a.PartStat
		if ps == "" {
			ps = NeedsAction
		}
		rsvp := "FALSE"
		if a.RSVP {
			rsvp = "TRUE"
		}
		w.line("ATTENDEE" + cn(a.Name) + ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=" + string(ps) + ";RSVP=" + rsvp + ":" + mailto(a.Email))
	}
	status := e.Status
	if status == "" {
		status = Confirmed
	}
	w.prop("STATUS", string(status))
	w.prop("TRANSP", "OPAQUE")
	w.prop("END", "VEVENT")
	return nil
}

// ambiguous reports whether t's wall time in loc also names another
// instant, as the hour repeated when summer time ends does.
func ambiguous(t time.Time, loc *time.Location) bool {
	wall := t.In(loc).Format(localForm)
	for s := -3 * time.Hour; s <= 3*time.Hour; s += 15 * time.Minute {
		if s != 0 && t.Add(s).In(loc).Format(localForm) == wall {
			return true
		}
	}
	return false
}

// timezone writes a VTIMEZONE for z: one observance per transition in the
// span (a year either side of the events), or a single standard one for
// a zone without transitions then. Listing the transitions rather than
// rules keeps it exact for zones whose rules changed.
func (w *writer) timezone(z zoneSpan) {
	from, to := z.from.AddDate(-1, 0, 0), z.to.AddDate(1, 0, 0)
	w.prop("BEGIN", "VTIMEZONE")
	w.prop("TZID", paramSafe(z.loc.String()))
	t := from.In(z.loc)
	name, offset := t.Zone()
	wrote := false
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			break
		}
		next := end.In(z.loc)
		nextName, nextOffset := next.Zone()
		if nextOffset != offset || nextName != name {
			kind := "STANDARD"
			if next.IsDST() {
				kind = "DAYLIGHT"
			}
			// The onset is the local time before the change (RFC 5545
			// 3.6.5: DTSTART in the offset in force before it).
			onset := end.In(time.FixedZone("", offset)).Format(localForm)
			w.observance(kind, onset, offset, nextOffset, nextName)
			wrote = true
		}
		t, name, offset = next, nextName, nextOffset
	}
	if !wrote {
		kind := "STANDARD"
		if t.IsDST() {
			kind = "DAYLIGHT"
		}
		w.observance(kind, "19700101T000000", offset, offset, name)
	}
	w.prop("END", "VTIMEZONE")
}

func (w *writer) observance(kind, onset string, from, to int, name string) {
	w.prop("BEGIN", kind)
	w.prop("DTSTART", onset)
	w.prop("TZOFFSETFROM", utcOffset(from))
	w.prop("TZOFFSETTO", utcOffset(to))
	if name != "" {
		w.prop("TZNAME", Escape(name))
	}
	w.prop("END", kind)
}

// utcOffset writes seconds east of UTC as ±HHMM, or ±HHMMSS when the
// offset has seconds (some historical zones).
func utcOffset(secs int) string {
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	s := fmt.Sprintf("%s%02d%02d", sign, secs/3600, secs/60%60)
	if secs%60 != 0 {
		s += fmt.Sprintf("%02d", secs%60)
	}
	return s
}

// Escape encodes s as a TEXT value: backslash, semicolon, comma and
// newline escaped; carriage returns and other control characters, which
// TEXT cannot hold, dropped (a tab is kept).
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteRune(r)
		default:
			if !unicode.IsControl(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// paramValue writes a parameter value, quoted when it holds a character
// that would end it. A double quote cannot appear in one at all and
// becomes a single quote.
func paramValue(s string) string {
	s = strings.ReplaceAll(paramSafe(s), `"`, "'")
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// paramSafe drops control characters and invalid UTF-8, which no value
// may hold unescaped.
func paramSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// uriSafe keeps a URI to the characters a URI value may carry.
func uriSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func cn(name string) string {
	if name = strings.TrimSpace(paramSafe(name)); name == "" {
		return ""
	}
	return ";CN=" + paramValue(name)
}

func mailto(addr string) string { return "mailto:" + uriSafe(addr) }
