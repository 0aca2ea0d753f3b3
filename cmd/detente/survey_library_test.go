package main

import (
	"bytes"
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
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/survey"
)

// TestSurveyAndLibraryCommands reads the survey and the library from the
// command line as the secretariat and as States' people, opens a cycle,
// exports a report and shares documents. What they read is made through
// the services first: France and Kenya participate, France drafts its
// report of the current cycle and published the one before, and keeps a
// private document.
func TestSurveyAndLibraryCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.Parse("test", []string{"-data", dir}, noenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	since := now.AddDate(-1, 0, 0)
	who := map[string]actor.Actor{}
	for _, x := range []struct {
		email string
		role  actor.Role
		state string
	}{{"sec@un.test.invalid", actor.Secretariat, ""}, {"poc@fr.test.invalid", actor.POC, "FR"}, {"poc@ke.test.invalid", actor.POC, "KE"}} {
		if x.state != "" {
			if err := a.Directory.SetParticipation(ctx, actor.Operator, x.state, &since); err != nil {
				t.Fatal(err)
			}
		}
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.email, DisplayName: x.email, Role: x.role, State: x.state})
		if err != nil {
			t.Fatal(err)
		}
		who[x.email] = acc.Actor()
	}
	must := func(r survey.Report, err error) survey.Report {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	sec, fr := who["sec@un.test.invalid"], who["poc@fr.test.invalid"]
	cycle := func(name string, opens time.Time) survey.Cycle {
		deadline := now.AddDate(0, 2, 0)
		c, err := a.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: name, Opens: &opens, Deadline: &deadline})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before, current := cycle("CLI-before", now.AddDate(0, -2, 0)), cycle("CLI-now", now.AddDate(0, 0, -7))
	published := must(a.Survey.Start(ctx, fr, before.ID))
	published = must(a.Survey.Save(ctx, fr, published.ID, published.Version, survey.PartCBMs, []survey.Answer{
		{Subject: survey.Subject{Provision: "cbm-1", Item: "a"}, Taken: survey.Yes, Measures: "=A national registry of points of contact."}}))
	published = must(a.Survey.Submit(ctx, fr, published.ID, published.Version))
	published = must(a.Survey.Publish(ctx, fr, published.ID, published.Version, survey.Participants))
	draft := must(a.Survey.Start(ctx, fr, current.ID))
	priv := library.Input{Type: library.Strategy, Title: "FR draft strategy, private", Language: "fr", Status: library.InProgress,
		Visibility: library.Private, File: &messaging.Upload{Name: "draft.txt", Content: bytes.NewReader([]byte("A palimpsest of measures."))}}
	if _, err := a.Library.Add(ctx, fr, priv); err != nil {
		t.Fatal(err)
	}
	a.Close()

	// The survey.
	out, err := cli(t, dir, "", "survey", "cycles")
	if err != nil || !strings.Contains(out, "CLI-before") || !strings.Contains(out, "CLI-now") {
		t.Fatalf("cycles (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "survey", "open-cycle", "-name", "CLI-next", "-opens", "2031-01-01", "-deadline", "2031-06-30"); err != nil || !strings.Contains(out, "opened ") {
		t.Fatalf("open-cycle (%v): %s", err, out)
	}
	if _, err := cli(t, dir, "", "survey", "open-cycle", "-as", "poc@fr.test.invalid", "-name", "FR's", "-opens", "2031-01-01", "-deadline", "2031-06-30"); err == nil {
		t.Error("a State's POC opened a cycle")
	}
	if _, err := cli(t, dir, "", "survey", "open-cycle", "-name", "", "-opens", "2031-02-30", "-deadline", "2031-06-30"); err == nil ||
		!strings.Contains(err.Error(), "-opens: enter a date") || !strings.Contains(err.Error(), "-name:") {
		t.Errorf("bad cycle: %v", err)
	}
	// The secretariat never reads a draft; France reads its own.
	if out, err := cli(t, dir, "", "survey", "reports", "CLI-now"); err != nil || strings.Contains(out, draft.ID) {
		t.Errorf("the secretariat lists France's draft (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "survey", "reports", "-as", "poc@fr.test.invalid", current.ID); err != nil || !strings.Contains(out, draft.ID) {
		t.Errorf("France's reports (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "survey", "reports", "-as", "poc@ke.test.invalid", "CLI-before"); err != nil || !strings.Contains(out, published.ID) ||
		!strings.Contains(out, "participants") {
		t.Errorf("Kenya reads France's report for participants (%v):\n%s", err, out)
	}
	if _, err := cli(t, dir, "", "survey", "export", "-as", "poc@ke.test.invalid", draft.ID); err == nil {
		t.Error("Kenya exports France's draft")
	}
	csv, err := cli(t, dir, "", "survey", "export", "-format", "csv", published.ID)
	if err != nil || !strings.HasPrefix(csv, "state,cycle,subject,taken,") || !strings.Contains(csv, "FR,CLI-before,cbm-1.a,yes,") ||
		!strings.Contains(csv, "'=A national registry") {
		t.Errorf("csv (%v):\n%s", err, csv)
	}
	// The draft carries the answers of the cycle before.
	js, err := cli(t, dir, "", "survey", "export", "-as", "poc@fr.test.invalid", draft.ID)
	var rep struct {
		Status  string `json:"status"`
		Answers []struct {
			Subject string `json:"subject"`
		} `json:"answers"`
	}
	if err != nil || json.Unmarshal([]byte(js), &rep) != nil || rep.Status != "draft" || len(rep.Answers) != 1 || rep.Answers[0].Subject != "cbm-1.a" {
		t.Errorf("json (%v):\n%s", err, js)
	}

	// The library.
	file := filepath.Join(t.TempDir(), "position.html")
	if err := os.WriteFile(file, []byte("<html><body><p>Kenya's position on sovereignty and due diligence.</p><script>var hidden;</script></body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = cli(t, dir, "", "library", "add", "-as", "poc@ke.test.invalid", "-type", "law_position", "-title", "KE position on international law",
		"-language", "en", "-visibility", "public", "-provisions", "cbm-7,cbm-8", "-date", "2025-06-30", "-file", file)
	if err != nil || !strings.Contains(out, "position.html") || !strings.Contains(out, "text extracted") {
		t.Fatalf("add a file (%v): %s", err, out)
	}
	if out, err := cli(t, dir, "", "library", "add", "-as", "sec@un.test.invalid", "-type", "good_practice", "-title", "Good practice on POC directories",
		"-language", "en", "-visibility", "participants", "-link", "https://un.test.invalid/good-practice"); err != nil || !strings.Contains(out, "https://un.test.invalid/good-practice") {
		t.Fatalf("add a link (%v): %s", err, out)
	}
	if _, err := cli(t, dir, "", "library", "add", "-as", "poc@ke.test.invalid", "-type", "novel", "-title", "X", "-language", "en",
		"-visibility", "public", "-date", "someday"); err == nil || !strings.Contains(err.Error(), "-date: enter a date") || !strings.Contains(err.Error(), "-type:") ||
		!strings.Contains(err.Error(), "-file:") {
		t.Errorf("bad document: %v", err)
	}
	if _, err := cli(t, dir, "", "library", "add", "-type", "law", "-title", "X"); err == nil {
		t.Error("add without -as")
	}
	if out, err := cli(t, dir, "", "library", "list", "-state", "ke", "-provision", "cbm-7"); err != nil || !strings.Contains(out, "KE position on international law") {
		t.Errorf("list (%v):\n%s", err, out)
	}
	// Search reads the files' text; a private document is its State's.
	if out, err := cli(t, dir, "", "library", "search", "sovereign", "diligence"); err != nil || !strings.Contains(out, "KE position") || strings.Contains(out, "FR draft") {
		t.Errorf("search (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "library", "search", "-as", "poc@ke.test.invalid", "palimpsest"); err != nil || strings.Contains(out, "FR draft") {
		t.Errorf("Kenya finds France's private document (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "library", "search", "-as", "poc@fr.test.invalid", "palimpsest"); err != nil || !strings.Contains(out, "FR draft") {
		t.Errorf("France does not find its own document (%v):\n%s", err, out)
	}
	if out, err := cli(t, dir, "", "library", "search", "hidden"); err != nil || strings.Contains(out, "KE position") {
		t.Errorf("a script's text was indexed (%v):\n%s", err, out)
	}
}
