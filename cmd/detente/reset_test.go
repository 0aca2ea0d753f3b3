package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestResetUserFromTheConsole(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	base := []string{"-data", dir, "-log-level", "warn", "-base-url", "https://detente.test.invalid"}
	create := append([]string{"admin", "create-user", "-email", "poc@fr.test.invalid", "-name", "POC", "-role", "poc", "-state", "FR", "-password-stdin"}, base...)
	if err := run(ctx, create, noenv, strings.NewReader("correct horse battery staple\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"admin", "reset-user", "-email", "POC@fr.test.invalid"}, base...), noenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// No relay is configured: the operator is given the link to hand over.
	for _, want := range []string{"reset poc@fr.test.invalid", "no mail relay is configured", "https://detente.test.invalid/reset/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	err := run(ctx, append([]string{"admin", "reset-user", "-email", "nobody@fr.test.invalid"}, base...), noenv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no such account") {
		t.Errorf("unknown account: %v", err)
	}
	if err := run(ctx, []string{"admin", "reset-user"}, noenv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-email") {
		t.Errorf("no email: %v", err)
	}
}
