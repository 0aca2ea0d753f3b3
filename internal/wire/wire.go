// Package wire holds the JSON shapes detente gives out in more than one
// place: the API's responses and the web pages' exports share them, so a
// file downloaded from the directory page reads like the API, and a
// domain type can change without changing either.
package wire

import (
	"encoding/json"
	"time"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
)

// POC is a point of contact as the API and the JSON export give it.
type POC struct {
	ID             string     `json:"id"`
	State          string     `json:"state"`
	Version        int        `json:"version"`
	Level          string     `json:"level"`
	FunctionTitle  string     `json:"function_title"`
	Organisation   string     `json:"organisation"`
	PersonName     string     `json:"person_name"`
	Emails         []string   `json:"emails"`
	Phones         []string   `json:"phones"`
	Languages      []string   `json:"languages"`
	TimeZone       string     `json:"time_zone"`
	Availability   string     `json:"availability"`
	Hours          string     `json:"hours"`
	PGPKey         string     `json:"pgp_key"`
	PGPFingerprint string     `json:"pgp_fingerprint"`
	PGPExpiresAt   *time.Time `json:"pgp_expires_at"`
	// AccountID is the account that answers for the entry: a string or
	// null for the entry's State's administrators, absent for everyone
	// else.
	AccountID   json.RawMessage `json:"account_id,omitempty"`
	Status      string          `json:"status"`
	Stale       bool            `json:"stale"`
	ConfirmedAt time.Time       `json:"confirmed_at"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// POCFrom renders p; link says whether the reader is told its account link.
func POCFrom(p directory.POC, link bool) POC {
	out := POC{
		ID: p.ID, State: p.State, Version: p.Version, Level: string(p.Level), FunctionTitle: p.FunctionTitle,
		Organisation: p.Organisation, PersonName: p.PersonName,
		Emails: NonNil(p.Emails), Phones: NonNil(p.Phones), Languages: NonNil(p.Languages),
		TimeZone: p.TimeZone, Availability: p.Availability, Hours: p.Hours,
		PGPKey: p.PGPKey, PGPFingerprint: p.PGPFingerprint, PGPExpiresAt: UTCPtr(p.PGPExpires),
		Status: p.Status, Stale: p.Stale,
		ConfirmedAt: p.ConfirmedAt.UTC(), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if link {
		out.AccountID = json.RawMessage("null")
		if p.AccountID != "" {
			out.AccountID, _ = json.Marshal(p.AccountID)
		}
	}
	return out
}

// NonNil gives [] rather than null for an empty list, so clients can
// iterate without a check.
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// UTCPtr is t in UTC, or nil.
func UTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Field is one structured field of a communication template.
type Field struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Choices  []string `json:"choices,omitempty"`
	Help     string   `json:"help,omitempty"`
}

// Template is a version of a communication template, as the API gives it
// and as `detente templates show` prints it and `publish` reads it back.
type Template struct {
	Type        string    `json:"type"`
	Version     int       `json:"version"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Fields      []Field   `json:"fields"`
	Provisions  []string  `json:"provisions"`
	CreatedAt   time.Time `json:"created_at"`
}

// TemplateFrom renders t.
func TemplateFrom(t messaging.Template) Template {
	out := Template{Type: string(t.Type), Version: t.Version, Title: t.Title, Description: t.Description,
		Fields: make([]Field, len(t.Fields)), Provisions: NonNil(t.Provisions), CreatedAt: t.CreatedAt.UTC()}
	for i, f := range t.Fields {
		out.Fields[i] = Field{Name: f.Name, Label: f.Label, Kind: string(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help}
	}
	return out
}

// Domain is what t asks to publish: its version, date and author are the
// service's to set.
func (t Template) Domain() messaging.Template {
	out := messaging.Template{Type: messaging.Type(t.Type), Title: t.Title, Description: t.Description, Provisions: t.Provisions}
	for _, f := range t.Fields {
		out.Fields = append(out.Fields, messaging.Field{Name: f.Name, Label: f.Label, Kind: messaging.FieldKind(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help})
	}
	return out
}
