package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/ical/icaltest"
)

func sample() ical.Calendar {
	geneva, _ := time.LoadLocation("Europe/Zurich")
	return ical.Calendar{ProdID: "-//detente//meetings//EN", Method: ical.Request, Events: []ical.Event{{
		UID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@detente.invalid", Sequence: 2,
		Stamp: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC),
		Start: time.Date(2027, 3, 29, 9, 30, 0, 0, geneva), End: time.Date(2027, 3, 29, 12, 0, 0, 0, geneva),
		Zone: "Europe/Zurich", Summary: "Regular POC meeting; spring, 2027",
		Description: "Agenda:\n1. Communication checks\n2. Norm 13(h) \\ requests",
		Location:    "Palais des Nations, Room XVII", URL: "https://detente.example/meetings/1",
		Organizer: ical.Person{Name: "Secretariat", Email: "sec@detente.example"},
		Attendees: []ical.Attendee{{Person: ical.Person{Name: "CERT-FR, duty officer", Email: "cert@fr.example"}, RSVP: true},
			{Person: ical.Person{Name: `Ministry "Foreign"`, Email: "mfa@ke.example"}, PartStat: ical.Accepted}},
	}}}
}

func text(t *testing.T, p icaltest.Prop) string {
	t.Helper()
	s, err := icaltest.Unescape(p.Value)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return s
}

// TestRoundTrip writes an invitation with a zone and reads it back
// strictly: the times resolve through the VTIMEZONE written to the same
// instants, across the change to summer time two days before, and every
// text property reads back as written.
func TestRoundTrip(t *testing.T) {
	c := sample()
	raw, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := icaltest.Read(raw)
	if err != nil {
		t.Fatalf("strict reader: %v\n%s", err, raw)
	}
	if m, _ := cal.One("METHOD"); m.Value != "REQUEST" {
		t.Errorf("METHOD %q", m.Value)
	}
	evs := cal.Sub("VEVENT")
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	e, want := evs[0], c.Events[0]
	zones := map[string]*icaltest.Component{}
	for _, z := range cal.Sub("VTIMEZONE") {
		id, _ := z.One("TZID")
		zones[id.Value] = z
	}
	for name, at := range map[string]time.Time{"DTSTART": want.Start, "DTEND": want.End} {
		got, err := icaltest.When(e, name, zones)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(at) {
			t.Errorf("%s resolves to %s, want %s", name, got, at.UTC())
		}
	}
	for name, v := range map[string]string{"UID": want.UID, "SUMMARY": want.Summary, "DESCRIPTION": want.Description, "LOCATION": want.Location} {
		p, ok := e.One(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if got := text(t, p); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if s, _ := e.One("SEQUENCE"); s.Value != "2" {
		t.Errorf("SEQUENCE %q", s.Value)
	}
	as := e.All("ATTENDEE")
	if len(as) != 2 || as[0].Params["CN"] != "CERT-FR, duty officer" || as[0].Params["RSVP"] != "TRUE" || as[0].Params["PARTSTAT"] != "NEEDS-ACTION" ||
		as[1].Params["CN"] != "Ministry 'Foreign'" || as[1].Params["PARTSTAT"] != "ACCEPTED" || as[1].Value != "mailto:mfa@ke.example" {
		t.Errorf("attendees %+v", as)
	}
	if st, _ := e.One("STATUS"); st.Value != "CONFIRMED" {
		t.Errorf("STATUS %q", st.Value)
	}
}

// TestUTCAndCancel writes a cancellation in UTC: no VTIMEZONE, times with
// Z, and the cancelled status.
func TestUTCAndCancel(t *testing.T) {
	c := sample()
	c.Method = ical.Cancel
	c.Events[0].Zone, c.Events[0].Status = "UTC", ical.Cancelled
	raw, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := icaltest.Read(raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if len(cal.Sub("VTIMEZONE")) != 0 {
		t.Error("a VTIMEZONE for an event in UTC")
	}
	e := cal.Sub("VEVENT")[0]
	if s, _ := e.One("DTSTART"); s.Value != "20270329T073000Z" {
		t.Errorf("DTSTART %q", s.Value)
	}
	if st, _ := e.One("STATUS"); st.Value != "CANCELLED" {
		t.Errorf("STATUS %q", st.Value)
	}
}

// TestFoldingMultiByte folds long lines of two-, three- and four-octet
// characters: no line over 75 octets, no sequence split, and the value
// reads back whole.
func TestFoldingMultiByte(t *testing.T) {
	for _, tc := range []struct{ name, unit string }{
		{"ascii", "a"}, {"cyrillic", "ж"}, {"arabic", "اجتماع "}, {"chinese", "会议"}, {"emoji", "🗓"}, {"mixed", "é会🗓,;\\\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample()
			c.Events[0].Summary = strings.Repeat(tc.unit, 300)
			raw, err := c.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			cal, err := icaltest.Read(raw)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range bytes.Split(raw, []byte("\r\n")) {
				if len(l) > 75 || !utf8.Valid(l) {
					t.Fatalf("line of %d octets, valid UTF-8 %v", len(l), utf8.Valid(l))
				}
			}
			if got := text(t, first(cal.Sub("VEVENT")[0], "SUMMARY")); got != c.Events[0].Summary {
				t.Errorf("summary does not read back: %d octets, want %d", len(got), len(c.Events[0].Summary))
			}
		})
	}
}

func first(c *icaltest.Component, name string) icaltest.Prop {
	p, _ := c.One(name)
	return p
}

// TestEscape holds the TEXT escapes to RFC 5545 3.3.11.
func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"a,b;c", `a\,b\;c`},
		{"one\ntwo", `one\ntwo`},
		{"one\r\ntwo", `one\ntwo`},
		{"bell\x07 and NUL\x00", "bell and NUL"},
		{"tab\tkept", "tab\tkept"},
		{"bad \xff byte", "bad \uFFFD byte"},
	} {
		if got := ical.Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRefuses: an event without UID, ending before it starts, or in a
// zone that does not exist is not written.
func TestRefuses(t *testing.T) {
	for name, edit := range map[string]func(*ical.Event){
		"no uid":       func(e *ical.Event) { e.UID = "" },
		"end first":    func(e *ical.Event) { e.End = e.Start.Add(-time.Minute) },
		"unknown zone": func(e *ical.Event) { e.Zone = "Mars/Olympus_Mons" },
	} {
		c := sample()
		edit(&c.Events[0])
		if _, err := c.Bytes(); err == nil {
			t.Errorf("%s: written", name)
		}
	}
}

// TestZones: zones with and without daylight saving, and with odd offsets,
// resolve to the same instants through their VTIMEZONE.
func TestZones(t *testing.T) {
	for _, zone := range []string{"Asia/Tokyo", "Africa/Nairobi", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		c := sample()
		e := &c.Events[0]
		e.Zone, e.Start, e.End = zone, time.Date(2027, 7, 1, 9, 0, 0, 0, loc), time.Date(2027, 7, 1, 17, 0, 0, 0, loc)
		raw, err := c.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		cal, err := icaltest.Read(raw)
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		zones := map[string]*icaltest.Component{zone: cal.Sub("VTIMEZONE")[0]}
		got, err := icaltest.When(cal.Sub("VEVENT")[0], "DTSTART", zones)
		if err != nil || !got.Equal(e.Start) {
			t.Errorf("%s: %v %v, want %v", zone, got, err, e.Start.UTC())
		}
	}
}

// FuzzText writes any text into the text properties: the result is always
// strict iCalendar, and reads back as Escape's input with what TEXT
// cannot carry removed.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a,b;c\\d\ne", strings.Repeat("会", 80), "\x00\x01\r\n", "\xff\xfe", "🗓" + strings.Repeat("é", 40), `"quoted"` + ":;,"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, summary, name string) {
		c := sample()
		c.Events[0].Summary, c.Events[0].Description, c.Events[0].Location = summary, summary, summary
		c.Events[0].Attendees[0].Name = name
		c.Name = name
		raw, err := c.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		cal, err := icaltest.Read(raw)
		if err != nil {
			t.Fatalf("%v\n%q", err, raw)
		}
		want := strings.ReplaceAll(strings.ToValidUTF8(summary, "\uFFFD"), "\r\n", "\n")
		want = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
				return -1
			}
			return r
		}, want)
		e := cal.Sub("VEVENT")[0]
		if _, ok := e.One("LOCATION"); summary == "" && ok {
			t.Error("an empty location is written")
		}
		if got := text(t, first(e, "SUMMARY")); got != want {
			t.Errorf("summary %q, want %q", got, want)
		}
	})
}
