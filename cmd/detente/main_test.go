package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/scenario"

	_ "modernc.org/sqlite"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noenv(string) string { return "" }

func TestDemoServesAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0", "-log-level", "warn"}, noenv, strings.NewReader(""), &out, io.Discard)
	}()

	addrRe := regexp.MustCompile(`Open\s+(http://127\.0\.0\.1:\d+)/`)
	var base string
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("demo stopped early: %v\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("demo did not start:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
			if m := addrRe.FindStringSubmatch(out.String()); m != nil {
				base = m[1]
			}
		}
	}
	printed := out.String()
	for _, want := range []string{"secretariat@un.demo.invalid", "focal.point@fr.demo.invalid", "cert.duty@fr.demo.invalid", "analyst@fr.demo.invalid", "Password for every account below: demo-"} {
		if !strings.Contains(printed, want) {
			t.Errorf("demo output lacks %q:\n%s", want, printed)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/framework/norm-h"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		if path == "/" && !strings.Contains(string(body), "DEMO installation") {
			t.Error("the demo banner is missing")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo did not shut down cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop after cancel")
	}
}

func TestAuditVerifyNamesTheTamperedEntry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"admin", "create-user", "-email", "sec@un.invalid", "-name", "Secretariat", "-role", "secretariat", "-data", dir, "-log-level", "warn"}
	if err := run(ctx, args, noenv, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatalf("create-user: %v", err)
	}
	if !strings.Contains(out.String(), "initial password:") {
		t.Fatalf("no password printed: %s", out.String())
	}
	for _, email := range []string{"a@fr.invalid", "b@fr.invalid"} {
		args := []string{"admin", "create-user", "-email", email, "-name", "x", "-role", "poc", "-state", "FR", "-data", dir, "-log-level", "warn"}
		if err := run(ctx, args, noenv, strings.NewReader(""), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify", "-data", dir, "-log-level", "warn"}, noenv, nil, &out, io.Discard); err != nil {
		t.Fatalf("verify of an intact chain: %v (%s)", err, out.String())
	}
	// The first start installs the shipped scenarios, each an entry of
	// its own, before the three accounts.
	shipped, err := scenario.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("ok: %d entries", len(shipped)+3); !strings.Contains(out.String(), want) {
		t.Fatalf("verify output: %s", out.String())
	}

	db, err := sql.Open("sqlite", filepath.Join(dir, "detente.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out.Reset()
	err = run(ctx, []string{"audit", "verify", "-data", dir, "-log-level", "warn"}, noenv, nil, &out, io.Discard)
	if err == nil {
		t.Fatal("verify passed a tampered chain")
	}
	if !strings.Contains(out.String(), "broken at entry 2") {
		t.Fatalf("verify does not name entry 2: %s", out.String())
	}
}

func TestCreateUserReportsFieldErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"malformed email", []string{"-email", "nope", "-name", "x", "-role", "poc", "-state", "FR"}, "-email:"},
		{"unknown State", []string{"-email", "a@b.invalid", "-name", "x", "-role", "poc", "-state", "QQ"}, "-state: unknown State"},
		{"short password", []string{"-email", "a@b.invalid", "-name", "x", "-role", "secretariat", "-password-stdin"}, "-password: use at least 12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"admin", "create-user", "-data", dir, "-log-level", "warn"}, tc.args...)
			err := run(context.Background(), args, noenv, strings.NewReader("short\n"), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, noenv, nil, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "Usage") {
		t.Fatalf("err = %v, stderr = %s", err, stderr.String())
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, noenv, nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "detente ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

func TestFrameworkCommand(t *testing.T) {
	tests := []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{[]string{"framework", "list", "norm"}, "norm-k", false},
		{[]string{"framework", "show", "norm-h"}, "States should respond to appropriate requests for assistance", false},
		{[]string{"framework", "show", "cbm-1"}, "Ping", false},
		{[]string{"framework", "search", "attribute"}, "law-28f", false},
		{[]string{"framework", "misp"}, `"namespace"`, false},
		{[]string{"framework", "show", "norm-z"}, "", true},
		{[]string{"framework", "list", "treaty"}, "", true},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, noenv, nil, &out, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}

func TestServeCreatesFirstAdministratorAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", dir}, noenv, nil, io.Discard, &stderr)
	}()
	addrRe := regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)
	var addr string
	for addr == "" {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
		case <-ctx.Done():
			t.Fatalf("serve did not start:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
			if m := addrRe.FindStringSubmatch(stderr.String()); m != nil {
				addr = m[1]
			}
		}
	}
	if !strings.Contains(stderr.String(), "First run: created the secretariat administrator") || !strings.Contains(stderr.String(), "admin@detente.invalid") {
		t.Fatalf("no first administrator announced:\n%s", stderr.String())
	}
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Error("no graceful shutdown logged")
	}
	// A second start finds the account and creates no other.
	var again syncBuffer
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() {
		done2 <- run(ctx2, []string{"serve", "-addr", "127.0.0.1:0", "-data", dir}, noenv, nil, io.Discard, &again)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(again.String(), "listening") {
		if time.Now().After(deadline) {
			cancel2()
			t.Fatalf("second start did not listen:\n%s", again.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel2()
	<-done2
	if strings.Contains(again.String(), "First run") {
		t.Error("a second start created another administrator")
	}
}
