package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIncidentsCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := cli(t, dir, "", "incidents", "export")
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil || b.Type != "bundle" || len(b.Objects) != 0 {
		t.Fatalf("export of an empty installation: %v %q", err, out)
	}
	file := filepath.Join(dir, "out.json")
	if _, err := cli(t, dir, "", "incidents", "export", "-out", file); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(file); err != nil || !strings.Contains(string(got), `"type":"bundle"`) {
		t.Fatalf("-out: %v %q", err, got)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no subcommand", []string{"incidents", "list"}, "usage"},
		{"import without -as", []string{"incidents", "import", bad}, "usage"},
		{"import as nobody", []string{"incidents", "import", "-as", "nobody@example.invalid", bad}, "no such account"},
		{"export of an unknown incident", []string{"incidents", "export", "-id", "nope"}, "no such incident"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cli(t, dir, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}
