package directory

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestSnapshotIsStoredHistory: the names in poc_versions are fixed here,
// not borrowed from POC or the API, and what an earlier version stored (no
// format field, the same names) still reads.
func TestSnapshotIsStoredHistory(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	exp := at.AddDate(1, 0, 0)
	p := POC{ID: "p1", State: "KE", Version: 3, Level: Technical, FunctionTitle: "Duty officer", Organisation: "KE-CIRT",
		Emails: []string{"duty@cirt.ke.invalid"}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en", "sw"},
		TimeZone: "Africa/Nairobi", Availability: Always, PGPFingerprint: "ABCD", PGPExpires: &exp, AccountID: "acc-1",
		Status: Active, ConfirmedAt: at, CreatedAt: at, UpdatedAt: at}
	b, err := encodeSnapshot(p)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	want := []string{"account_id", "availability", "confirmed_at", "created_at", "emails", "format", "function_title", "id",
		"languages", "level", "organisation", "pgp_expires_at", "pgp_fingerprint", "phones", "state", "status", "time_zone", "updated_at", "version"}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("stored names changed:\n got %v\nwant %v", got, want)
	}
	back, err := decodeSnapshot(b)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}

	earlier := `{"id":"p0","state":"FR","version":1,"level":"policy","function_title":"Head of unit","organisation":"ANSSI",` +
		`"emails":["x@fr.invalid"],"phones":[],"languages":["fr"],"time_zone":"Europe/Paris","availability":"24x7",` +
		`"status":"active","confirmed_at":"2026-01-01T00:00:00Z","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","stale":false}`
	old, err := decodeSnapshot([]byte(earlier))
	if err != nil || old.ID != "p0" || old.Level != Policy || old.Organisation != "ANSSI" {
		t.Fatalf("an earlier snapshot: %+v, %v", old, err)
	}
	if _, err := decodeSnapshot([]byte(`{"id":"p","format":2}`)); err == nil {
		t.Fatal("a snapshot of a later format was read as this one")
	}
}
