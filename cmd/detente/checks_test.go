package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cli runs "detente COMMAND SUB [args]" against the data directory and
// returns its output. The directory flags go right after SUB, before any
// positional argument, as the flag package wants.
func cli(t *testing.T, dir string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	full := append([]string{args[0], args[1], "-data", dir, "-log-level", "warn"}, args[2:]...)
	err := run(context.Background(), full, noenv, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func TestChecksCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no name", []string{"checks", "create"}, "-name:"},
		{"unknown region", []string{"checks", "create", "-name", "x", "-scope", "regions", "-in", "Atlantis"}, `-in: unknown regional group "Atlantis"`},
		{"reminder after the window", []string{"checks", "create", "-name", "x", "-window", "24h", "-remind", "30h"}, "-remind: remind within the response window"},
		{"window of 3,000,000 hours", []string{"checks", "create", "-name", "x", "-window", "3000000h"}, `invalid value "3000000h" for flag -window`},
		{"window of 2,000,000 hours", []string{"checks", "create", "-name", "x", "-window", "2000000h"}, "-window: use at most 2160 hours"},
		{"negative window", []string{"checks", "create", "-name", "x", "-window", "-5h"}, "-window: give points of contact at least one hour"},
		{"window in minutes", []string{"checks", "create", "-name", "x", "-window", "90m"}, "-window: use whole hours"},
		{"opens in year 9999", []string{"checks", "create", "-name", "x", "-opens", "9999-12-31T00:00:00Z"}, "-opens: choose a time within two years"},
		{"opened in 2001", []string{"checks", "create", "-name", "x", "-opens", "2001-01-01T00:00:00Z"}, "-opens: choose a time from now on"},
		{"opens not a date", []string{"checks", "create", "-name", "x", "-opens", "tomorrow"}, "-opens: give a date and time in RFC 3339"},
		{"opens with a NUL", []string{"checks", "create", "-name", "x", "-opens", "2027-01-01T00:00:00Z\x00"}, "-opens: give a date and time in RFC 3339"},
		{"repeat of 99999999999 months", []string{"checks", "create", "-name", "x", "-repeat", "99999999999"}, "-repeat: repeat every 1 to 24 months"},
		{"negative repeat", []string{"checks", "create", "-name", "x", "-repeat", "-6"}, "-repeat: repeat every 1 to 24 months"},
		{"name with a NUL", []string{"checks", "create", "-name", "x\x00y"}, "-name:"},
		{"unknown subcommand", []string{"checks", "launch"}, "unknown checks command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cli(t, dir, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
	if out, _ := cli(t, dir, "", "checks", "list"); strings.Count(out, "\n") != 1 {
		t.Fatalf("refused checks were stored:\n%s", out)
	}

	out, err := cli(t, dir, "", "checks", "create", "-name", "Semi-annual check", "-scope", "regions", "-in", "African,Asia-Pacific", "-levels", "technical", "-repeat", "6")
	if err == nil && !regexp.MustCompile(`"Semi-annual check — (first|second) half of 20\d\d"`).MatchString(out) {
		t.Errorf("a repeating check's run is not named after its period: %s", out)
	}
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`scheduled ([0-9a-f-]{36})`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no id in %q", out)
	}
	out, err = cli(t, dir, "", "checks", "list")
	if err != nil || !strings.Contains(out, id[1]) || !strings.Contains(out, "Semi-annual check") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = cli(t, dir, "", "checks", "report", id[1])
	if err != nil || !regexp.MustCompile(`Semi-annual check — \w+ half of \d{4} \(scheduled\)`).MatchString(out) || !strings.Contains(out, "points of contact in scope") {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if _, err := cli(t, dir, "", "checks", "publish", id[1]); err == nil || !strings.Contains(err.Error(), "once the campaign has closed") {
		t.Fatalf("publishing an open check: %v", err)
	}
	if _, err := cli(t, dir, "", "checks", "report", "not-an-id"); err == nil {
		t.Fatal("a report of an unknown check succeeded")
	}
}

func TestTemplatesCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := cli(t, dir, "", "templates", "list")
	if err != nil || !strings.Contains(out, "incident_notification") || !strings.Contains(out, "vulnerability_report") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	shown, err := cli(t, dir, "", "templates", "show", "vulnerability_report")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(shown), &tmpl); err != nil {
		t.Fatalf("show is not JSON: %v\n%s", err, shown)
	}
	if tmpl["version"] != float64(1) {
		t.Fatalf("version %v", tmpl["version"])
	}

	// A broken template is refused field by field, and nothing changes.
	broken := strings.Replace(shown, `"title": "`, `"title": "  `, 1)
	broken = strings.Replace(broken, `"kind": "`, `"kind": "x`, 1)
	if _, err := cli(t, dir, broken, "templates", "publish", "-"); err == nil || !strings.Contains(err.Error(), "-fields[0]: kind is text") {
		t.Fatalf("broken template: %v", err)
	}
	tmpl["title"] = "Vulnerability report (coordinated disclosure)"
	adapted, _ := json.Marshal(tmpl)
	out, err = cli(t, dir, string(adapted), "templates", "publish", "-")
	if err != nil || !strings.Contains(out, "published vulnerability_report version 2") {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	out, _ = cli(t, dir, "", "templates", "list")
	if !regexp.MustCompile(`vulnerability_report\s+2\s+\d+\s+Vulnerability report \(coordinated disclosure\)`).MatchString(out) {
		t.Fatalf("list after publishing:\n%s", out)
	}
}

func TestJobsCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := cli(t, dir, "", "jobs", "stats")
	if err != nil || out != "queued 0, running 0, failed 0\n" {
		t.Fatalf("stats on an empty queue: %v %q", err, out)
	}
	// A check scheduled from the console leaves its jobs in the queue.
	if _, err := cli(t, dir, "", "checks", "create", "-name", "Console check", "-opens", time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	if out, _ := cli(t, dir, "", "jobs", "stats"); !strings.HasPrefix(out, "queued 3,") {
		t.Errorf("after scheduling a check: %q, want its open, remind and close jobs", out)
	}
	if out, err := cli(t, dir, "", "jobs", "failed"); err != nil || strings.Count(out, "\n") != 1 {
		t.Errorf("failed jobs on a healthy queue: %v %q", err, out)
	}
	if _, err := cli(t, dir, "", "jobs", "retry", "01900000-0000-7000-8000-000000000000"); err == nil || !strings.Contains(err.Error(), "no failed job") {
		t.Errorf("retrying an unknown job: %v", err)
	}
}
