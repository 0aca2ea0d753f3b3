package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/mail"
)

// TestExercisesScenariosAndCapacityCommands reads the demo's finished run,
// the shipped scenarios and capacity building from the command line, as
// the secretariat and as a State's people, and round-trips a scenario file.
func TestExercisesScenariosAndCapacityCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.Parse("test", []string{"-data", dir}, noenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Mail: m, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	}
	if _, err := demo.Seed(ctx, open, time.Now().UTC(), "demo-password-for-tests"); err != nil {
		t.Fatal(err)
	}

	out, err := cli(t, dir, "", "exercises", "list")
	if err != nil {
		t.Fatal(err)
	}
	var runID string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "EXERCISE: Tabletop: hospital ransomware") {
			runID = strings.Fields(line)[0]
		}
	}
	if runID == "" {
		t.Fatalf("the demo's run is not listed:\n%s", out)
	}
	if out, err := cli(t, dir, "", "exercises", "list", "-as", "cert.duty@br.demo.invalid"); err != nil || strings.Contains(out, runID) {
		t.Errorf("Brazil, which did not take part, lists the run (%v):\n%s", err, out)
	}

	text, err := cli(t, dir, "", "exercises", "report", runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EXERCISE: Tabletop", "servers-located", "met", "late", "missed", "went_well"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	csv, err := cli(t, dir, "", "exercises", "report", "-format", "csv", runID)
	if err != nil || !strings.HasPrefix(csv, "inject,title,offset_s,") {
		t.Fatalf("csv: %v\n%s", err, csv)
	}
	own, err := cli(t, dir, "", "exercises", "report", "-as", "cert.duty@fr.demo.invalid", "-format", "json", runID)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(own), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, own)
	}
	if strings.Contains(own, "Name a deputy at the policy level") || !strings.Contains(own, "Agree in advance which authority") {
		t.Errorf("France's report must show its own lesson and not Kenya's:\n%s", own)
	}

	list, err := cli(t, dir, "", "scenarios", "list", "-owner", "shipped")
	if err != nil {
		t.Fatal(err)
	}
	var scID string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, "Ransomware on a hospital network") {
			scID = strings.Fields(line)[0]
		}
	}
	if scID == "" {
		t.Fatalf("shipped scenario not listed:\n%s", list)
	}
	file, err := cli(t, dir, "", "scenarios", "export", scID)
	if err != nil || !strings.Contains(file, `"format": "detente-scenario"`) && !strings.Contains(file, `"format":"detente-scenario"`) {
		t.Fatalf("export: %v\n%.300s", err, file)
	}
	path := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	imported, err := cli(t, dir, "", "scenarios", "import", "-as", "secretariat@un.demo.invalid", path)
	if err != nil || !strings.Contains(imported, "imported ") {
		t.Fatalf("import: %v %s", err, imported)
	}
	if mine, err := cli(t, dir, "", "scenarios", "list", "-as", "secretariat@un.demo.invalid", "-owner", "mine"); err != nil || !strings.Contains(mine, "Ransomware on a hospital network") {
		t.Errorf("the imported scenario is not the secretariat's (%v):\n%s", err, mine)
	}

	if out, err := cli(t, dir, "", "capacity", "partnerships"); err != nil || !strings.Contains(out, "Written procedures and training") || !strings.Contains(out, "KE") {
		t.Errorf("published partnerships (%v):\n%s", err, out)
	}
	// Brazil's proposal to Japan, unanswered, is the two sides' only.
	if out, err := cli(t, dir, "", "capacity", "partnerships", "-mine", "-as", "cert.duty@jp.demo.invalid"); err != nil || !strings.Contains(out, "vulnerability reports in industrial control") {
		t.Errorf("Japan's partnerships (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "capacity", "partnerships", "-mine", "-as", "cert.duty@fr.demo.invalid"); err != nil || strings.Contains(out, "industrial control") {
		t.Errorf("France sees Brazil's proposal to Japan (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "capacity", "needs", "-provision", "norm-j"); err != nil || !strings.Contains(out, "BR") || strings.Contains(out, "Awareness campaign") {
		t.Errorf("needs under norm 13(j) (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "capacity", "offers", "-state", "secretariat"); err != nil || !strings.Contains(out, "Course for new points of contact") || strings.Contains(out, "FR") {
		t.Errorf("the secretariat's offers (%v):\n%s", err, out)
	}

	profile, err := cli(t, dir, "", "profiles", "show", "FR")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"France (FR)", "cycle 2026", "cycle 2027", "National cyber strategy (2025)", "norm-j", "with KE"} {
		if !strings.Contains(profile, want) {
			t.Errorf("France's profile lacks %q:\n%s", want, profile)
		}
	}
	if cmp, err := cli(t, dir, "", "profiles", "compare", "JP", "FR", "KE"); err != nil || !strings.Contains(cmp, "PROVISION  JP") || !strings.Contains(cmp, "norm-j") {
		t.Errorf("comparison (%v):\n%s", err, cmp)
	}
	if counts, err := cli(t, dir, "", "profiles", "counts"); err != nil || !strings.Contains(counts, "2027 cycle") || !strings.Contains(counts, "norm-j") {
		t.Errorf("counts (%v):\n%s", err, counts)
	}

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no subcommand", []string{"exercises", "start"}, "usage"},
		{"report without a run", []string{"exercises", "report"}, "usage"},
		{"unknown run", []string{"exercises", "report", "0190aaaa-0000-7000-8000-000000000000"}, "no such exercise run"},
		{"unknown format", []string{"exercises", "report", "-format", "pdf", runID}, "-format"},
		{"import without -as", []string{"scenarios", "import", path}, "usage"},
		{"capacity without a list", []string{"capacity", "matches"}, "usage"},
		{"four States compared", []string{"profiles", "compare", "FR", "KE", "JP", "BR"}, "-states"},
		{"profile of no State", []string{"profiles", "show", "QQ"}, "no"},
		{"needs of no region", []string{"capacity", "needs", "-region", "Atlantis"}, "-region"},
		{"import of no scenario", []string{"scenarios", "import", "-as", "secretariat@un.demo.invalid", "/dev/null"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cli(t, dir, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}
