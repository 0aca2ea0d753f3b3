package directory

import (
	"encoding/json"
	"fmt"
	"time"
)

// pocSnapshotV1 is how a version of an entry is kept in poc_versions. Its
// JSON names are stored history: they never change, whatever happens to
// POC or to the API. A different shape becomes pocSnapshotV2, with
// decodeSnapshot reading both.
type pocSnapshotV1 struct {
	ID             string     `json:"id"`
	State          string     `json:"state"`
	Version        int        `json:"version"`
	Level          string     `json:"level"`
	FunctionTitle  string     `json:"function_title"`
	Organisation   string     `json:"organisation"`
	PersonName     string     `json:"person_name,omitempty"`
	Emails         []string   `json:"emails"`
	Phones         []string   `json:"phones"`
	Languages      []string   `json:"languages"`
	TimeZone       string     `json:"time_zone"`
	Availability   string     `json:"availability"`
	Hours          string     `json:"hours,omitempty"`
	PGPKey         string     `json:"pgp_key,omitempty"`
	PGPFingerprint string     `json:"pgp_fingerprint,omitempty"`
	PGPExpires     *time.Time `json:"pgp_expires_at,omitempty"`
	AccountID      string     `json:"account_id,omitempty"`
	Status         string     `json:"status"`
	ConfirmedAt    time.Time  `json:"confirmed_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Written since the first snapshots; absent in theirs, which are v1.
	Format int `json:"format,omitempty"`
}

const snapshotFormat = 1

func encodeSnapshot(p POC) ([]byte, error) {
	return json.Marshal(pocSnapshotV1{ID: p.ID, State: p.State, Version: p.Version, Level: string(p.Level), FunctionTitle: p.FunctionTitle,
		Organisation: p.Organisation, PersonName: p.PersonName, Emails: p.Emails, Phones: p.Phones, Languages: p.Languages,
		TimeZone: p.TimeZone, Availability: p.Availability, Hours: p.Hours, PGPKey: p.PGPKey, PGPFingerprint: p.PGPFingerprint,
		PGPExpires: p.PGPExpires, AccountID: p.AccountID, Status: p.Status, ConfirmedAt: p.ConfirmedAt, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, Format: snapshotFormat})
}

func decodeSnapshot(b []byte) (POC, error) {
	var v pocSnapshotV1
	if err := json.Unmarshal(b, &v); err != nil {
		return POC{}, err
	}
	if v.Format > snapshotFormat {
		return POC{}, fmt.Errorf("snapshot format %d is newer than this version reads", v.Format)
	}
	return POC{ID: v.ID, State: v.State, Version: v.Version, Level: Level(v.Level), FunctionTitle: v.FunctionTitle,
		Organisation: v.Organisation, PersonName: v.PersonName, Emails: v.Emails, Phones: v.Phones, Languages: v.Languages,
		TimeZone: v.TimeZone, Availability: v.Availability, Hours: v.Hours, PGPKey: v.PGPKey, PGPFingerprint: v.PGPFingerprint,
		PGPExpires: v.PGPExpires, AccountID: v.AccountID, Status: v.Status, ConfirmedAt: v.ConfirmedAt, CreatedAt: v.CreatedAt,
		UpdatedAt: v.UpdatedAt}, nil
}
