// Package icaljs reads iCalendar text in tests with ical.js, an
// implementation independent of package ical and of icaltest's strict
// reader, run by node over tools/ical/parse.js (`cd tools/ical && npm ci`
// installs it). What ical.js understood comes back as values to compare
// with what was meant: a calendar program reading our mails, feeds and
// files with another library must see the same UID, SEQUENCE, METHOD and
// instants. Without node or the module a test is skipped, except under
// CI=true, where it fails.
package icaljs

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Calendar is what ical.js read.
type Calendar struct {
	Version string   `json:"version"`
	ProdID  string   `json:"prodid"`
	Method  string   `json:"method"`
	Name    string   `json:"name"` // X-WR-CALNAME
	Zones   []string `json:"zones"`
	Events  []Event  `json:"events"`
}

// Event is one VEVENT as ical.js read it; values are unescaped.
type Event struct {
	UID         string     `json:"uid"`
	Sequence    *int       `json:"sequence"` // nil: none
	Summary     string     `json:"summary"`
	Description string     `json:"description"`
	Location    string     `json:"location"`
	Status      string     `json:"status"`
	URL         string     `json:"url"`
	Stamp       string     `json:"dtstamp"`
	Start       *When      `json:"start"`
	End         *When      `json:"end"`
	Organizer   *Person    `json:"organizer"`
	Attendees   []Attendee `json:"attendees"`
}

// When is a DTSTART or DTEND: its TZID, its local time as written, and
// the instant ical.js computed from the calendar's own VTIMEZONE.
type When struct {
	TZID  string    `json:"tzid"`
	Local string    `json:"local"`
	UTC   time.Time `json:"utc"`
}

// Person is an ORGANIZER.
type Person struct {
	Value string `json:"value"` // mailto:…
	CN    string `json:"cn"`
}

// Attendee is an ATTENDEE.
type Attendee struct {
	Value    string `json:"value"`
	CN       string `json:"cn"`
	PartStat string `json:"partstat"`
	RSVP     string `json:"rsvp"`
}

// Parse reads data with ical.js, failing the test if ical.js refuses it.
func Parse(t testing.TB, data []byte) Calendar {
	t.Helper()
	script := Script(t)
	cmd := exec.Command("node", script)
	cmd.Dir = filepath.Dir(script)
	cmd.Stdin = bytes.NewReader(data)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("ical.js refuses the calendar: %v\n%s\n%s", err, errOut.Bytes(), data)
	}
	var c Calendar
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatalf("ical.js's reading: %v\n%s", err, out.Bytes())
	}
	return c
}

// Script returns the path of parse.js once node and ical.js are there;
// otherwise it skips the test, or fails it under CI=true.
func Script(t testing.TB) string {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI", what)
		}
		t.Skipf("%s not found", what)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	tools := filepath.Join(dir, "tools", "ical")
	if _, err := os.Stat(filepath.Join(tools, "node_modules", "ical.js", "package.json")); err != nil {
		missing("ical.js (cd tools/ical && npm ci)")
	}
	return filepath.Join(tools, "parse.js")
}
